// How CLI commands reach the controller: the gateway's admin API, found through the running
// platform's instances file (or --gateway), authenticated with PITCHEY_ADMIN_KEY or the dev key.
import { readFileSync } from 'node:fs';
import { request } from 'undici';
import { GATEWAY_PORT, devKeyPath, loadConfig, readHealthTargets } from '../kit/light.js';
import { CheckFailed, UsageError } from './usage.js';

export interface AdminClient {
  call<T = Record<string, unknown>>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T>;
}

/** `--name value` options after the positional arguments. */
export function option(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const value = argv[i + 1];
  if (value === undefined || value.startsWith('--')) throw new UsageError(`--${name} needs a value`);
  return value;
}

/** `--gateway URL` (`--target URL` for smoke), else the running platform's gateway recorded in the data dir, else the home port. */
export function gatewayUrl(argv: string[], dataDir: string): string {
  const given = option(argv, 'target') ?? option(argv, 'gateway');
  if (given !== undefined) return given.replace(/\/$/, '');
  return readHealthTargets(dataDir).targets.find((t) => t.name === 'gateway')?.url ?? `http://127.0.0.1:${GATEWAY_PORT}`;
}

/** PITCHEY_ADMIN_KEY, else the dev key the embedded platform wrote. */
export function adminKey(dataDir: string): string {
  const key = process.env.PITCHEY_ADMIN_KEY;
  if (key !== undefined && key !== '') return key;
  try {
    return readFileSync(devKeyPath(dataDir), 'utf8').trim();
  } catch {
    throw new UsageError('set PITCHEY_ADMIN_KEY to a key with the admin scope');
  }
}

export function createAdminClient(argv: string[]): AdminClient {
  const config = loadConfig();
  const base = gatewayUrl(argv, config.dataDir);
  const key = adminKey(config.dataDir);
  const actor = option(argv, 'as') ?? process.env.USER ?? 'operator';
  return {
    async call<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
      const res = await request(`${base}/_pitchey/admin${path}`, {
        method,
        headers: { 'x-api-key': key, 'x-pitchey-actor': actor, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }).catch((err: Error) => {
        throw new CheckFailed(`cannot reach the gateway at ${base}: ${err.message}`);
      });
      const json = (await res.body.json()) as T & { detail?: string; code?: string };
      if (res.statusCode >= 400) throw new CheckFailed(`${json.code ?? res.statusCode}: ${json.detail ?? 'request failed'}`);
      return json;
    },
  };
}
