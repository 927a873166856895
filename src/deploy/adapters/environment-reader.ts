// Reads another environment's controller through its gateway with that environment's read key:
// its record summary of a version (the promotion gate) and its effective configuration (drift).
import type { EarlierRecordSummary, EffectiveConfig } from '../engine/index.js';
import type { DriftOptions } from '../checks/index.js';
import { earlierEnvironment, readCredential, type EnvironmentTarget, type Environments } from '../environments.js';

export interface EnvironmentReader {
  env: string;
  gateway: string;
  /** The environment's summary of a service's version, or why it could not be read. */
  evidence(service: string, version: string): Promise<EarlierRecordSummary | { error: string }>;
  /** Its effective configuration; throws with the reason when it cannot be read. */
  effectiveConfig(): Promise<EffectiveConfig>;
}

export function createEnvironmentReader(envs: Environments, target: EnvironmentTarget, options: { timeoutMs?: number } = {}): EnvironmentReader {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const get = async <T>(path: string): Promise<T> => {
    // Read per request: a rotated key file is picked up without a restart.
    const key = readCredential(envs, target.readKey);
    const res = await fetch(`${target.gateway}/_pitchey/admin${path}`, { headers: { 'x-api-key': key }, signal: AbortSignal.timeout(timeoutMs) });
    const body = (await res.json().catch(() => ({}))) as T & { code?: string; detail?: string };
    if (!res.ok) throw new Error(`${target.gateway} answered ${res.status} ${body.code ?? ''}: ${body.detail ?? ''}`.trim());
    return body;
  };
  return {
    env: target.name,
    gateway: target.gateway,
    async evidence(service, version) {
      try {
        return await get<EarlierRecordSummary>(`/evidence/${encodeURIComponent(service)}/${encodeURIComponent(version)}`);
      } catch (err) {
        return { error: (err as Error).message };
      }
    },
    effectiveConfig: () => get<EffectiveConfig>('/config'),
  };
}

/**
 * The drift check with both sides read through their gateways (`pitchey check --env NAME` from an
 * operator's machine); undefined when `name` has no environment before it in the chain.
 */
export function remoteDrift(envs: Environments, name: string): Omit<DriftOptions, 'now' | 'deploying'> | undefined {
  const target = envs.environments[name];
  const earlier = earlierEnvironment(envs, name);
  if (target === undefined || earlier === null) return undefined;
  const here = createEnvironmentReader(envs, target);
  const there = createEnvironmentReader(envs, earlier);
  return { here: () => here.effectiveConfig(), allow: envs.driftAllow, there: { env: earlier.name, source: `${earlier.gateway}/_pitchey/admin/config`, read: () => there.effectiveConfig() } };
}
