// Which gateway a command talks to, found one way (README, "Which gateway"):
//   1. `--gateway URL` (smoke: `--target URL`);
//   2. the platform running from the data dir (`$PITCHEY_DATA_DIR/run/instances.json`, written by
//      `pitchey up`), when its process is alive — and PITCHEY_PORT, when set, must agree with it;
//   3. `PITCHEY_PORT` on this host (PITCHEY_HOST, loopback for a wildcard);
//   4. nothing named: an admin command refuses (exit 64) rather than guess; `pitchey health`
//      probes the home ports and says so.
import type { RunState } from '../kit/light.js';
import { UsageError } from './usage.js';

export interface GatewayInputs {
  given: string | undefined;
  runState: RunState | null;
  /** Where the run state was read from, for messages. */
  runStateFile: string;
  /** PITCHEY_PORT; null (or 0, "any free port") names none. */
  port: number | null;
  host: string;
  pidAlive: (pid: number) => boolean;
  /** Used when nothing names a gateway (health's probe), instead of refusing. */
  orHomePort?: number;
}

export interface GatewayChoice {
  url: string;
  /** How it was found, shown by `pitchey health` and in errors. */
  source: string;
}

const WILDCARD = new Set(['0.0.0.0', '::', '']);
const hostPart = (host: string): string => (WILDCARD.has(host) ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host);
const portOf = (url: string): number | null => {
  try {
    const u = new URL(url);
    return u.port === '' ? (u.protocol === 'https:' ? 443 : 80) : Number(u.port);
  } catch {
    return null;
  }
};

export function resolveGateway(i: GatewayInputs): GatewayChoice {
  if (i.given !== undefined) {
    if (!/^https?:\/\/[^/]/.test(i.given)) throw new UsageError(`--gateway must be an http(s) URL, not "${i.given}"`);
    return { url: i.given.replace(/\/+$/, ''), source: '--gateway' };
  }
  const port = i.port === 0 ? null : i.port;
  const recorded = i.runState !== null && i.pidAlive(i.runState.gateway.pid) ? i.runState.gateway.url : null;
  if (recorded !== null) {
    if (port !== null && portOf(recorded) !== port) {
      throw new UsageError(`PITCHEY_PORT=${port}, but the platform running from this data dir (${i.runStateFile}) listens at ${recorded}; name the one you mean with --gateway URL`);
    }
    return { url: recorded, source: i.runStateFile };
  }
  if (port !== null) return { url: `http://${hostPart(i.host)}:${port}`, source: 'PITCHEY_PORT' };
  if (i.orHomePort !== undefined) return { url: `http://127.0.0.1:${i.orHomePort}`, source: 'home port (no platform recorded, no PITCHEY_PORT)' };
  const stale = i.runState === null ? 'no platform runs from this data dir' : `the platform recorded in ${i.runStateFile} (pid ${i.runState.gateway.pid}) is not running`;
  throw new UsageError(`${stale}: start one (pitchey up), or name the gateway with --gateway URL or PITCHEY_PORT`);
}

/** Whether a process with this id exists (a signal-0 probe; EPERM still means it exists). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
