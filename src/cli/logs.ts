// `pitchey logs <service> [--tail N]`: each instance's last lines, whichever driver runs it, through
// the running platform's admin API.
import type { LogsAnswer } from '../deploy/admin-api.js';
import { SERVICE_NAMES } from '../kit/light.js';
import { createAdminClient } from './admin-client.js';
import type { ArgsOf } from './commands.js';
import { emit } from './output.js';
import { UsageError } from './usage.js';

export async function logs(a: ArgsOf<'logs'>): Promise<void> {
  const service = a.positionals[0]!;
  const tail = a.values.tail ?? '100';
  if (!(SERVICE_NAMES as readonly string[]).includes(service)) throw new UsageError(`logs: <service> is one of ${SERVICE_NAMES.join(', ')}, not "${service}"`);
  if (!/^[1-9]\d{0,4}$/.test(tail) || Number(tail) > 10_000) throw new UsageError('logs: --tail is a number of lines, 1 to 10000');
  const r = await createAdminClient({ gateway: a.values.gateway, as: a.values.as, env: a.values.env }).call<LogsAnswer>('GET', `/logs/${service}?tail=${tail}`);
  if (r.instances.length === 0) console.error(`no instance of ${service} runs`);
  if (a.values.json === true) {
    emit(true, r, () => '');
    return;
  }
  for (const i of r.instances) {
    console.error(`== ${i.id} (${i.version}, ${i.track}) ==`);
    for (const line of i.lines) console.log(line);
  }
}
