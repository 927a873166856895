// `pitchey up --workers video=2,document=1`: how many `pitchey worker <service>` processes each
// service's stable release runs beside its instances. The platform starts them through its driver,
// as a deployment starts a new release's: supervised (restarted when they crash, drained on Ctrl-C),
// retired by the promotion of a new release, whose own workers replace them.
import { MAX_WORKERS_PER_SERVICE, SERVICE_NAMES, type ServiceName } from '../kit/index.js';
import { UsageError } from './usage.js';

/** `video=2,document=1` → how many workers each service gets. */
export function parseWorkers(raw: string | undefined): Map<ServiceName, number> {
  const counts = new Map<ServiceName, number>();
  if (raw === undefined) return counts;
  for (const part of raw.split(',')) {
    const [service = '', n = '', ...rest] = part.trim().split('=');
    if (!(SERVICE_NAMES as readonly string[]).includes(service)) throw new UsageError(`--workers: ${JSON.stringify(service)} is not a service (${SERVICE_NAMES.join(', ')})`);
    const count = Number(n);
    if (rest.length > 0 || !Number.isInteger(count) || count < 1 || count > MAX_WORKERS_PER_SERVICE)
      throw new UsageError(`--workers: ${part.trim()} must be <service>=N, N from 1 to ${MAX_WORKERS_PER_SERVICE}`);
    if (counts.has(service as ServiceName)) throw new UsageError(`--workers: ${service} is named twice`);
    counts.set(service as ServiceName, count);
  }
  return counts;
}
