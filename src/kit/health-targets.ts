// Where the platform's gateway and instances answer (the running platform's run state, else each
// role at its home port), and the one way to ask one of them `/ready`. `pitchey health`, the CLI's
// admin client, the service-health check and the gateway's active health checks share it.
import type { Dispatcher } from 'undici';
import { dataPath, readRunState } from './data-dir.js';
import { GATEWAY_PORT, SERVICE_HOME_PORTS, SERVICE_NAMES } from './roles.js';

export interface HealthTarget {
  name: string;
  url: string;
}

export function readHealthTargets(dataDir: string): { targets: HealthTarget[]; source: string } {
  const state = readRunState(dataDir);
  if (state !== null) {
    return { source: dataPath(dataDir, 'instances'), targets: [{ name: 'gateway', url: state.gateway.url }, ...state.instances.map((i) => ({ name: i.id, url: i.url }))] };
  }
  const targets = [{ name: 'gateway', url: `http://127.0.0.1:${GATEWAY_PORT}` }, ...SERVICE_NAMES.map((s) => ({ name: s, url: `http://127.0.0.1:${SERVICE_HOME_PORTS[s]}` }))];
  return { source: 'home ports (no instances.json)', targets };
}

export interface ReadyAnswer {
  ready: boolean;
  status: number | null;
  detail: string;
}

/** `GET <url>/ready`: 200 is ready; otherwise the problem's detail, the status, or why it could not be asked. */
export async function probeReady(url: string, options: { timeoutMs: number; dispatcher?: Dispatcher }): Promise<ReadyAnswer> {
  try {
    // Loaded on first use: the light kit's importers (`pitchey status`, `--help`) start without undici.
    const { request } = await import('undici');
    const res = await request(`${url}/ready`, { headersTimeout: options.timeoutMs, bodyTimeout: options.timeoutMs, ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}) });
    if (res.statusCode === 200) {
      await res.body.dump();
      return { ready: true, status: 200, detail: 'ready' };
    }
    const body = (await res.body.json().catch(() => ({}))) as { detail?: unknown };
    return { ready: false, status: res.statusCode, detail: typeof body.detail === 'string' ? body.detail : `HTTP ${res.statusCode}` };
  } catch (err) {
    return { ready: false, status: null, detail: (err as Error).message };
  }
}
