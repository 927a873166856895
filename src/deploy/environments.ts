// The environments file (Kamal's destinations): each named environment's platform — its gateway
// and where its credentials are (a file or an environment variable, never the secret itself) —
// the promotion chain, and the drift allow-list. Read by the CLI (`--env NAME`) and by a
// controller whose environment has one before it in the chain. Light: node:fs and node:path only.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';

/** Where a secret is: a file (relative to the environments file) or an environment variable. */
export type Credential = { file: string } | { env: string };

export interface EnvironmentTarget {
  name: string;
  /** The gateway's base URL (`http://staging.internal:8080`). */
  gateway: string;
  /** A key with the `admin` scope: what the CLI deploys with. */
  adminKey: Credential;
  /** A key with the `evidence` scope: what the next environment's controller reads this one with. Default: adminKey. */
  readKey: Credential;
}

export interface Environments {
  /** The file it came from (credential files are relative to it). */
  path: string;
  environments: Record<string, EnvironmentTarget>;
  /** Promotion order: a version reaches `chain[i]` only after `chain[i-1]` promoted and validated it. */
  chain: string[];
  /** Drift paths (`settings.logLevel`, `checks.capacity.*`) allowed to differ from the environment before. */
  driftAllow: string[];
}

/** The file's name when no setting names one: looked for in the working directory. */
export const ENVIRONMENTS_FILE = 'pitchey.environments.json';
/** What always differs between two platforms on purpose: never drift. */
export const DEFAULT_DRIFT_ALLOW = ['settings.port', 'settings.host', 'settings.dataDir', 'settings.deployEnv', 'settings.environmentsFile', 'checks.waivers'];

export class EnvironmentsError extends Error {
  constructor(path: string, issues: string[]) {
    super(`${path}:\n  - ${issues.join('\n  - ')}`);
    this.name = 'EnvironmentsError';
  }
}

const NAME = /^[a-z][a-z0-9-]{0,31}$/;
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function credential(v: unknown, where: string, issues: string[]): Credential | null {
  if (isObject(v) && Object.keys(v).length === 1 && typeof v.file === 'string' && v.file !== '') return { file: v.file };
  if (isObject(v) && Object.keys(v).length === 1 && typeof v.env === 'string' && /^[A-Z_][A-Z0-9_]*$/.test(v.env)) return { env: v.env };
  issues.push(`${where}: must be {"file": "path"} or {"env": "VARIABLE"} (never the secret itself)`);
  return null;
}

function target(name: string, v: unknown, issues: string[]): EnvironmentTarget | null {
  const where = `environments.${name}`;
  if (!NAME.test(name)) issues.push(`${where}: the name must be a short lower-case word`);
  if (!isObject(v)) {
    issues.push(`${where}: must be an object`);
    return null;
  }
  const unknown = Object.keys(v).filter((k) => !['gateway', 'adminKey', 'readKey'].includes(k));
  if (unknown.length > 0) issues.push(`${where}: unknown field ${unknown.join(', ')}`);
  if (typeof v.gateway !== 'string' || !/^https?:\/\/[^/\s]+\/?$/.test(v.gateway)) issues.push(`${where}.gateway: must be an http(s) URL with no path`);
  const adminKey = credential(v.adminKey, `${where}.adminKey`, issues);
  const readKey = v.readKey === undefined ? adminKey : credential(v.readKey, `${where}.readKey`, issues);
  if (adminKey === null || readKey === null || typeof v.gateway !== 'string') return null;
  return { name, gateway: v.gateway.replace(/\/$/, ''), adminKey, readKey };
}

/** Validates the file's JSON; every issue at once, named by path. */
export function parseEnvironments(raw: unknown, path: string): Environments {
  const issues: string[] = [];
  if (!isObject(raw)) throw new EnvironmentsError(path, ['must be a JSON object']);
  const unknown = Object.keys(raw).filter((k) => !['$schema', 'environments', 'chain', 'drift'].includes(k));
  if (unknown.length > 0) issues.push(`unknown field ${unknown.join(', ')}`);
  const environments: Record<string, EnvironmentTarget> = {};
  if (!isObject(raw.environments)) issues.push('environments: must be an object of named environments');
  else
    for (const [name, v] of Object.entries(raw.environments)) {
      const t = target(name, v, issues);
      if (t !== null) environments[name] = t;
    }
  const chain = raw.chain === undefined ? [] : raw.chain;
  if (!Array.isArray(chain) || chain.some((c) => typeof c !== 'string')) issues.push('chain: must be a list of environment names');
  else {
    for (const c of chain as string[]) if (isObject(raw.environments) && !Object.hasOwn(raw.environments, c)) issues.push(`chain: "${c}" is not in environments`);
    if (new Set(chain).size !== chain.length) issues.push('chain: an environment appears twice');
  }
  const drift = raw.drift === undefined ? {} : raw.drift;
  const allow = isObject(drift) ? (drift.allow ?? []) : null;
  if (allow === null || !Array.isArray(allow) || allow.some((a) => typeof a !== 'string' || !/^(settings|versions|checks)(\.[\w*-]+)*$/.test(a))) {
    issues.push('drift.allow: must be a list of paths such as "settings.logLevel" or "checks.capacity.*"');
  }
  if (issues.length > 0) throw new EnvironmentsError(path, issues);
  return { path, environments, chain: chain as string[], driftAllow: [...DEFAULT_DRIFT_ALLOW, ...(allow as string[])] };
}

/** The file at `path` (a setting's value), else ./pitchey.environments.json when it exists, else null. */
export function readEnvironments(path: string | null, cwd = process.cwd()): Environments | null {
  const file = path ?? resolve(cwd, ENVIRONMENTS_FILE);
  if (path === null && !existsSync(file)) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new EnvironmentsError(file, [`cannot read: ${(err as Error).message}`]);
  }
  return parseEnvironments(raw, file);
}

/** The environment a version must have passed before `name`, or null (first in the chain, or not in it). */
export function earlierEnvironment(envs: Environments, name: string): EnvironmentTarget | null {
  const i = envs.chain.indexOf(name);
  return i > 0 ? (envs.environments[envs.chain[i - 1]!] ?? null) : null;
}

/** The secret a credential points at; a missing file or variable is an error naming where it looked. */
export function readCredential(envs: Environments, c: Credential, env: NodeJS.ProcessEnv = process.env): string {
  if ('env' in c) {
    const v = env[c.env];
    if (v === undefined || v.trim() === '') throw new EnvironmentsError(envs.path, [`the variable ${c.env} is not set`]);
    return v.trim();
  }
  const file = isAbsolute(c.file) ? c.file : resolve(dirname(envs.path), c.file);
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw new EnvironmentsError(envs.path, [`cannot read the credential file ${file}: ${(err as Error).message}`]);
  }
}
