// `pitchey health`: the gateway and every service instance probed at its own address, with
// latency; non-zero exit when any is unhealthy; `--json` for machines.
import { request } from 'undici';
import { GATEWAY_PORT, loadConfig, probeReady, readHealthTargets, type HealthTarget } from '../kit/light.js';
import { findGateway } from './admin-client.js';
import type { ArgsOf } from './commands.js';
import { emit } from './output.js';
import { formatTable } from './table.js';
import { CheckFailed } from './usage.js';

export interface HealthRow {
  name: string;
  url: string;
  live: boolean;
  ready: boolean;
  latencyMs: number | null;
  detail: string;
}

async function probe(t: HealthTarget): Promise<HealthRow> {
  const started = performance.now();
  try {
    const live = await request(`${t.url}/health`, { headersTimeout: 3_000, bodyTimeout: 3_000 });
    await live.body.dump();
    const latencyMs = Math.round((performance.now() - started) * 10) / 10;
    const { ready, detail } = await probeReady(t.url, { timeoutMs: 5_000 });
    return { ...t, live: live.statusCode === 200, ready, latencyMs, detail };
  } catch (err) {
    return { ...t, live: false, ready: false, latencyMs: null, detail: (err as Error).message };
  }
}

/**
 * The gateway (found as every command finds it, else its home port) and the running platform's
 * instances (else each role at its home port).
 */
export async function health(a: ArgsOf<'health'>): Promise<void> {
  const config = loadConfig();
  const gateway = findGateway(a.values.gateway, config, GATEWAY_PORT);
  const targets: HealthTarget[] = [{ name: 'gateway', url: gateway.url }, ...readHealthTargets(config.dataDir).targets.filter((t) => t.name !== 'gateway')];
  const rows = await Promise.all(targets.map(probe));
  emit(a.values.json, { healthy: rows.every((r) => r.ready), gatewayFrom: gateway.source, checks: rows }, () =>
    formatTable(
      ['name', 'url', 'live', 'ready', 'latency', 'detail'],
      rows.map((r) => [r.name, r.url, r.live ? 'yes' : 'NO', r.ready ? 'yes' : 'NO', r.latencyMs === null ? '-' : `${r.latencyMs} ms`, r.detail]),
    ),
  );
  const bad = rows.filter((r) => !r.ready);
  if (bad.length > 0) throw new CheckFailed(`unhealthy: ${bad.map((r) => r.name).join(', ')}`);
}
