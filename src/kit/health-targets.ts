// Where the platform's gateway and instances answer: the running platform's run state, else each
// role at its home port. `pitchey health`, the CLI's admin client and the service-health check share it.
import { dataPath, readRunState } from './data-dir.js';
import { GATEWAY_PORT, SERVICE_HOME_PORTS, SERVICE_NAMES } from './roles.js';

export interface HealthTarget { name: string; url: string }

export function readHealthTargets(dataDir: string): { targets: HealthTarget[]; source: string } {
  const state = readRunState(dataDir);
  if (state !== null) {
    return { source: dataPath(dataDir, 'instances'), targets: [{ name: 'gateway', url: state.gateway.url }, ...state.instances.map((i) => ({ name: i.id, url: i.url }))] };
  }
  const targets = [{ name: 'gateway', url: `http://127.0.0.1:${GATEWAY_PORT}` }, ...SERVICE_NAMES.map((s) => ({ name: s, url: `http://127.0.0.1:${SERVICE_HOME_PORTS[s]}` }))];
  return { source: 'home ports (no instances.json)', targets };
}
