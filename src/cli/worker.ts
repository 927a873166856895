// `pitchey worker <service> [--concurrency N]`: runs only that service's jobs, with no HTTP API.
// With PITCHEY_JOBS=redis://… it joins the service's queue from any host; SIGTERM drains it.
import { parseArgs } from 'node:util';
import { SERVICE_NAMES, createWorker, loadConfig, onShutdownSignal, type ServiceName } from '../kit/index.js';
import { loadService } from '../services/index.js';
import { UsageError } from './usage.js';

const USAGE = `worker <${SERVICE_NAMES.join('|')}> [--concurrency N]`;

function parseWorkerArgs(argv: string[]): { service: ServiceName; concurrency?: number } {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { concurrency: { type: 'string' } }, allowPositionals: true });
  } catch (err) {
    throw new UsageError(`${(err as Error).message}; usage: ${USAGE}`);
  }
  const [service, ...extra] = parsed.positionals;
  if (service === undefined || !(SERVICE_NAMES as readonly string[]).includes(service) || extra.length > 0) throw new UsageError(`usage: ${USAGE}`);
  const raw = parsed.values.concurrency;
  if (raw === undefined) return { service: service as ServiceName };
  const concurrency = Number(raw);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256) throw new UsageError(`--concurrency must be an integer from 1 to 256, not ${raw}`);
  return { service: service as ServiceName, concurrency };
}

export async function worker(argv: string[]): Promise<void> {
  const { service, concurrency } = parseWorkerArgs(argv);
  const config = loadConfig();
  const running = await createWorker(await loadService(service), { config, ...(concurrency === undefined ? {} : { concurrency }) });
  // Before start: a SIGTERM while it starts still drains (the runner stops claiming once stopped).
  onShutdownSignal(() => running.stop(), { deadlineMs: config.drainTimeoutMs + 5_000 });
  await running.start();
}
