// Service health: the gateway and every service instance asked `/ready` at its own address (read
// from `<dataDir>/run/instances.json` like `pitchey health`, else each role at its home port).
import { readFileSync } from 'node:fs';
import { request } from 'undici';
import { GATEWAY_PORT } from '../../gateway/index.js';
import { SERVICE_NAMES } from '../../kit/index.js';
import { instancesFile, type InstanceEntry } from '../../platform/embedded.js';
import { SERVICE_HOME_PORTS } from '../../services/index.js';
import { createEvidence } from './create-evidence.js';
import type { Evidence } from './evidence.js';

export interface HealthTarget { name: string; url: string }
interface Probe extends HealthTarget { ready: boolean; detail: string }

export function readHealthTargets(dataDir: string): { targets: HealthTarget[]; source: string } {
  const file = instancesFile(dataDir);
  try {
    const state = JSON.parse(readFileSync(file, 'utf8')) as { gateway: { url: string }; instances: InstanceEntry[] };
    return { source: file, targets: [{ name: 'gateway', url: state.gateway.url }, ...state.instances.map((i) => ({ name: i.id, url: i.url }))] };
  } catch {
    const targets = [{ name: 'gateway', url: `http://127.0.0.1:${GATEWAY_PORT}` }, ...SERVICE_NAMES.map((s) => ({ name: s, url: `http://127.0.0.1:${SERVICE_HOME_PORTS[s]}` }))];
    return { source: 'home ports (no instances.json)', targets };
  }
}

async function probeReady(t: HealthTarget, timeoutMs: number): Promise<Probe> {
  try {
    const res = await request(`${t.url}/ready`, { headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
    const body = (await res.body.json().catch(() => ({}))) as { detail?: string };
    return { ...t, ready: res.statusCode === 200, detail: res.statusCode === 200 ? 'ready' : (body.detail ?? `HTTP ${res.statusCode}`) };
  } catch (err) {
    return { ...t, ready: false, detail: (err as Error).message };
  }
}

export async function checkServiceHealth(options: { targets: HealthTarget[]; source: string; timeoutMs: number; now: Date }): Promise<Evidence> {
  const probes = await Promise.all(options.targets.map((t) => probeReady(t, options.timeoutMs)));
  const notReady = probes.filter((p) => !p.ready);
  return createEvidence('service-health', {
    status: probes.length > 0 && notReady.length === 0 ? 'pass' : 'fail',
    observed: notReady.length === 0 ? `${probes.length}/${probes.length} ready` : `${probes.length - notReady.length}/${probes.length} ready; not ready: ${notReady.map((p) => `${p.name} (${p.detail})`).join(', ')}`,
    threshold: 'every target answers GET /ready with 200',
    source: options.source,
    details: { targets: probes },
  }, options.now);
}
