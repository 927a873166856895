// `pitchey up --workers video=2,document=1`: extra `pitchey worker <service>` processes beside the
// platform's instances, supervised like them (restarted when they crash, drained on Ctrl-C). They
// take the service's jobs from its store: Redis with PITCHEY_JOBS, else the SQLite file the
// instances on this data dir share. A backlog of heavy jobs gets more hands without more API.
import { fileURLToPath } from 'node:url';
import { SERVICE_NAMES, type ServiceName } from '../kit/index.js';
import { Supervisor, type OutputSink } from '../platform/supervisor.js';
import { UsageError } from './usage.js';

const CLI_MAIN = fileURLToPath(new URL('./main.js', import.meta.url));
/** Workers per service at most: each runs its service's jobs at the jobConcurrency setting. */
const MAX_PER_SERVICE = 16;

/** `video=2,document=1` → how many workers each service gets. */
export function parseWorkers(raw: string | undefined): Map<ServiceName, number> {
  const counts = new Map<ServiceName, number>();
  if (raw === undefined) return counts;
  for (const part of raw.split(',')) {
    const [service = '', n = '', ...rest] = part.trim().split('=');
    if (!(SERVICE_NAMES as readonly string[]).includes(service)) throw new UsageError(`--workers: ${JSON.stringify(service)} is not a service (${SERVICE_NAMES.join(', ')})`);
    const count = Number(n);
    if (rest.length > 0 || !Number.isInteger(count) || count < 1 || count > MAX_PER_SERVICE) throw new UsageError(`--workers: ${part.trim()} must be <service>=N, N from 1 to ${MAX_PER_SERVICE}`);
    if (counts.has(service as ServiceName)) throw new UsageError(`--workers: ${service} is named twice`);
    counts.set(service as ServiceName, count);
  }
  return counts;
}

export interface ExtraWorkers {
  ids: string[];
  stop(graceMs: number): Promise<void>;
}

/** Starts the workers as supervised children (`<service>-worker-<n>`); they exit if this process dies. */
export function startExtraWorkers(counts: Map<ServiceName, number>, options: { env: NodeJS.ProcessEnv; log: (msg: string) => void; output?: OutputSink }): ExtraWorkers {
  const supervisor = new Supervisor({ log: options.log, ...(options.output ? { output: options.output } : {}) });
  const ids: string[] = [];
  for (const [service, count] of counts) {
    for (let n = 1; n <= count; n += 1) {
      const id = `${service}-worker-${n}`;
      ids.push(id);
      supervisor.start({ id, modulePath: CLI_MAIN, args: ['worker', service], env: options.env, onListening: () => undefined, onExit: () => undefined });
    }
  }
  return { ids, stop: (graceMs) => supervisor.stopAll(graceMs) };
}
