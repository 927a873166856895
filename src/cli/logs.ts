// `pitchey logs <service> [--tail N]`: each instance's last lines, whichever driver runs it, through
// the running platform's admin API.
import type { LogsAnswer } from '../deploy/admin-api.js';
import { SERVICE_NAMES } from '../kit/light.js';
import { createAdminClient, option } from './admin-client.js';
import { UsageError } from './usage.js';

export async function logs(argv: string[]): Promise<void> {
  const service = argv[0];
  const tail = option(argv, 'tail') ?? '100';
  if (service === undefined || !(SERVICE_NAMES as readonly string[]).includes(service)) throw new UsageError(`logs <service> [--tail N]: service is one of ${SERVICE_NAMES.join(', ')}`);
  if (!/^[1-9]\d{0,4}$/.test(tail) || Number(tail) > 10_000) throw new UsageError('--tail is a number of lines, 1 to 10000');
  const r = await createAdminClient(argv).call<LogsAnswer>('GET', `/logs/${service}?tail=${tail}`);
  if (r.instances.length === 0) console.error(`no instance of ${service} runs`);
  for (const i of r.instances) {
    console.error(`== ${i.id} (${i.version}, ${i.track}) ==`);
    for (const line of i.lines) console.log(line);
  }
}
