// `pitchey health`: the gateway and every service instance probed at its own address, with
// latency; non-zero exit when any is unhealthy; `--json` for machines.
import { request } from 'undici';
import { loadConfig, probeReady, readHealthTargets, type HealthTarget } from '../kit/light.js';
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

/** The running platform's gateway and instances (else each role at its home port); `--gateway` replaces the gateway's address. */
function targets(dataDir: string, gatewayOverride: string | undefined): HealthTarget[] {
  const { targets: found } = readHealthTargets(dataDir);
  return gatewayOverride === undefined ? found : found.map((t) => (t.name === 'gateway' ? { ...t, url: gatewayOverride } : t));
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

export async function health(argv: string[]): Promise<void> {
  const json = argv.includes('--json');
  const gi = argv.indexOf('--gateway');
  const config = loadConfig();
  const rows = await Promise.all(targets(config.dataDir, gi >= 0 ? argv[gi + 1] : undefined).map(probe));
  if (json) console.log(JSON.stringify({ healthy: rows.every((r) => r.ready), checks: rows }, null, 2));
  else
    console.log(
      formatTable(
        ['name', 'url', 'live', 'ready', 'latency', 'detail'],
        rows.map((r) => [r.name, r.url, r.live ? 'yes' : 'NO', r.ready ? 'yes' : 'NO', r.latencyMs === null ? '-' : `${r.latencyMs} ms`, r.detail]),
      ),
    );
  const bad = rows.filter((r) => !r.ready);
  if (bad.length > 0) throw new CheckFailed(`unhealthy: ${bad.map((r) => r.name).join(', ')}`);
}
