// How CLI commands reach the controller: the gateway's admin API (found by gateway.ts),
// authenticated with PITCHEY_ADMIN_KEY or the dev key. A problem the server answers with becomes the
// command's error: a validation problem in the words of the command line (exit 64), any other
// refusal with its code and detail (exit 1).
import { readFileSync } from 'node:fs';
import { dataPath, devKeyPath, loadConfig, readRunState, type Config } from '../kit/light.js';
import { EnvironmentsError, readCredential, readEnvironments, type Environments, type EnvironmentTarget } from '../deploy/environments.js';
import { pidAlive, resolveGateway, type GatewayChoice } from './gateway.js';
import { CheckFailed, RequestRefused, UsageError, type ProblemAnswer } from './usage.js';

export interface AdminClient {
  gateway: GatewayChoice;
  call<T = Record<string, unknown>>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T>;
}

/** The gateway named by `--gateway` (or `--target`), the data dir's running platform, or PITCHEY_PORT. */
export function findGateway(given: string | undefined, config: Config, orHomePort?: number): GatewayChoice {
  return resolveGateway({
    given,
    runState: readRunState(config.dataDir),
    runStateFile: dataPath(config.dataDir, 'instances'),
    port: config.port,
    host: config.host,
    pidAlive,
    ...(orHomePort === undefined ? {} : { orHomePort }),
  });
}

/** PITCHEY_ADMIN_KEY, else the dev key the embedded platform wrote. */
export function adminKey(dataDir: string): string {
  const key = process.env.PITCHEY_ADMIN_KEY;
  if (key !== undefined && key !== '') return key;
  try {
    return readFileSync(devKeyPath(dataDir), 'utf8').trim();
  } catch {
    throw new UsageError(`set PITCHEY_ADMIN_KEY to a key with the admin scope (no development key at ${devKeyPath(dataDir)})`);
  }
}

const kebab = (key: string): string => key.replace(/_/g, '-').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/**
 * One field error in the command line's words: `body/stepMs` is `--step-ms` when the command has
 * that flag; a field no flag sets (a positional, a query parameter) keeps its name.
 */
export function fieldInWords(field: string, flags: readonly string[]): string {
  const key = field.split('/')[1] ?? field;
  return flags.includes(kebab(key)) ? `--${kebab(key)}` : key;
}

export function problemError(status: number, problem: ProblemAnswer, flags: readonly string[]): Error {
  const errors = Array.isArray(problem.errors) ? (problem.errors as Array<{ field?: unknown; message?: unknown }>) : [];
  if (problem.code === 'VALIDATION_FAILED') {
    const words = errors.filter((e) => typeof e.field === 'string').map((e) => `${fieldInWords(e.field as string, flags)} ${String(e.message)}`);
    return new UsageError(words.length > 0 ? words.join('; ') : (problem.detail ?? 'the request is invalid'), problem);
  }
  // The status kept even when the body was no problem (a proxy's HTML page): `logs -f` retries a 5xx.
  return new RequestRefused(`${problem.code ?? status}: ${problem.detail ?? 'request failed'}`, { status, ...problem });
}

export interface AdminOptions {
  gateway?: string | undefined;
  as?: string | undefined;
  /** `--env NAME`: that environment's gateway (unless `--gateway`) and admin key, from the environments file. */
  env?: string | undefined;
  /** The command's flags (`step-ms`, …), to name a field the server refused by the flag that set it. */
  flags?: readonly string[];
}

/** The named environment in the environments file; null when there is no file (the platform then checks the name). */
function environmentTarget(config: Config, name: string): { envs: Environments; target: EnvironmentTarget } | null {
  try {
    const envs = readEnvironments(config.environmentsFile);
    if (envs === null) return null;
    const target = envs.environments[name];
    if (target === undefined) throw new UsageError(`--env ${name}: not in ${envs.path} (${Object.keys(envs.environments).join(', ') || 'no environments'})`);
    return { envs, target };
  } catch (err) {
    if (err instanceof EnvironmentsError) throw new UsageError(`the environments file is invalid: ${err.message}`);
    throw err;
  }
}

export function createAdminClient(options: AdminOptions): AdminClient {
  const config = loadConfig();
  const named = options.env === undefined ? null : environmentTarget(config, options.env);
  const gateway = named !== null && options.gateway === undefined ? { url: named.target.gateway, source: `${named.envs.path} (${named.target.name})` } : findGateway(options.gateway, config);
  let key: string;
  try {
    key = named === null ? adminKey(config.dataDir) : readCredential(named.envs, named.target.adminKey);
  } catch (err) {
    if (err instanceof EnvironmentsError) throw new UsageError(`--env ${options.env}: ${err.message}`);
    throw err;
  }
  const actor = options.as ?? process.env.USER ?? 'operator';
  return {
    gateway,
    async call<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
      // Node's own fetch, not the undici package: nothing more to load before the first request.
      const res = await fetch(`${gateway.url}/_pitchey/admin${path}`, {
        method,
        headers: { 'x-api-key': key, 'x-pitchey-actor': actor, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }).catch((err: Error) => {
        const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
        throw new CheckFailed(`cannot reach the gateway at ${gateway.url} (from ${gateway.source}): ${err.message}${cause}`);
      });
      const json = (await res.json().catch(() => ({}))) as T & ProblemAnswer;
      if (res.status >= 400) throw problemError(res.status, json, options.flags ?? []);
      return json;
    },
  };
}
