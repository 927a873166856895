// `pitchey worker <service> [--concurrency N]`: runs only that service's jobs, with no job API (it
// serves /metrics, /health and /ready on PITCHEY_HOST:PITCHEY_PORT, a free port unless set).
// With PITCHEY_JOBS=redis://… it joins the service's queue from any host; SIGTERM drains it.
import { SERVICE_NAMES, createWorker, loadConfig, onShutdownSignal, type ServiceName } from '../kit/index.js';
import { STARTED_MESSAGE, type StartedMessage } from '../platform/supervisor.js';
import { loadService } from '../services/index.js';
import type { ArgsOf } from './commands.js';
import { UsageError } from './usage.js';

function parseWorkerArgs(a: ArgsOf<'worker'>): { service: ServiceName; concurrency?: number } {
  const service = a.positionals[0];
  if (service === undefined || !(SERVICE_NAMES as readonly string[]).includes(service)) throw new UsageError(`worker: the service must be one of ${SERVICE_NAMES.join(', ')}`);
  const raw = a.values.concurrency;
  if (raw === undefined) return { service: service as ServiceName };
  const concurrency = Number(raw);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256) throw new UsageError(`--concurrency must be an integer from 1 to 256, not ${raw}`);
  return { service: service as ServiceName, concurrency };
}

export async function worker(a: ArgsOf<'worker'>): Promise<void> {
  const { service, concurrency } = parseWorkerArgs(a);
  const config = loadConfig();
  const running = await createWorker(await loadService(service), { config, ...(concurrency === undefined ? {} : { concurrency }) });
  // Before start: a SIGTERM while it starts still drains (the runner stops claiming once stopped).
  const shutdown = onShutdownSignal(() => running.stop(), { deadlineMs: config.drainTimeoutMs + 5_000 });
  // Started by a driver (`pitchey up --workers`, a deployment): leave with the supervisor, even one SIGKILLed, not as an orphan.
  if (process.send !== undefined) process.on('disconnect', () => shutdown('disconnect'));
  // No home port: a worker beside its service's instance on one host must not take the instance's.
  const port = await running.listen(config.port ?? 0, config.host);
  await running.start();
  // Its supervisor's sign that it is up, with where its /metrics is: the controller waits for it.
  process.send?.({ ...STARTED_MESSAGE, port } satisfies StartedMessage);
}
