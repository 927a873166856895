// `pitchey logs <service> [--tail N] [-f]`: each instance's last lines, whichever driver runs it,
// through the running platform's admin API. With -f it keeps asking for what is new (each answer's
// `next` cursor) and prints it compose-style, an instance per prefix, taking in instances that
// start meanwhile (a canary) — until Ctrl-C.
import { setTimeout as sleep } from 'node:timers/promises';
import type { LogsAnswer } from '../deploy/admin-api.js';
import { SERVICE_NAMES } from '../kit/light.js';
import { createAdminClient } from './admin-client.js';
import type { ArgsOf } from './commands.js';
import { emit } from './output.js';
import { createPrettyPrinter, wantsColour } from './pretty-log.js';
import { UsageError } from './usage.js';

/** How often -f asks again: about what `docker logs -f` feels like, at one small request a second. */
const FOLLOW_EVERY_MS = 1000;

export async function logs(a: ArgsOf<'logs'>): Promise<void> {
  const service = a.positionals[0]!;
  const tail = a.values.tail ?? '100';
  if (!(SERVICE_NAMES as readonly string[]).includes(service)) throw new UsageError(`logs: <service> is one of ${SERVICE_NAMES.join(', ')}, not "${service}"`);
  if (!/^[1-9]\d{0,4}$/.test(tail) || Number(tail) > 10_000) throw new UsageError('logs: --tail is a number of lines, 1 to 10000');
  if (a.values.follow === true && a.values.json === true) throw new UsageError('logs: --json prints one answer, so it does not go with --follow');
  const client = createAdminClient({ gateway: a.values.gateway, as: a.values.as, env: a.values.env });
  // --tail is how far back the first answer goes; after it a follower wants every new line (up to
  // the most the API gives at once) — at most a second's worth.
  const ask = (after?: string): Promise<LogsAnswer> => client.call<LogsAnswer>('GET', `/logs/${service}?${after === undefined ? `tail=${tail}` : `tail=10000&after=${after}`}`);
  if (a.values.follow === true) return follow(service, ask);
  const r = await ask();
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

async function follow(service: string, ask: (after?: string) => Promise<LogsAnswer>): Promise<void> {
  const stop = new AbortController();
  const end = (): void => stop.abort();
  process.once('SIGINT', end);
  process.once('SIGTERM', end);
  const tty = process.stdout.isTTY;
  // On a terminal, pino lines are shortened and coloured as `pitchey up` shows them; in a pipe each
  // line stays whole, behind its instance's prefix, for grep and friends.
  const pretty = createPrettyPrinter({ colour: wantsColour(process.env, tty), write: (t) => process.stdout.write(t), width: 20 });
  const print = (id: string, line: string): void => (tty ? pretty.line(id, line) : void process.stdout.write(`${id} | ${line}\n`));
  const seen = new Set<string>();
  let next: string | undefined;
  try {
    while (!stop.signal.aborted) {
      const r = await ask(next);
      for (const i of r.instances) {
        if (!seen.has(i.id)) console.error(`== ${i.id} (${i.version}, ${i.track}) ==`);
        for (const line of i.lines) print(i.id, line);
      }
      const now = new Set(r.instances.map((i) => i.id));
      for (const id of seen) if (!now.has(id)) console.error(`== ${id} stopped ==`);
      if (seen.size === 0 && now.size === 0 && next === undefined) console.error(`no instance of ${service} runs yet; waiting`);
      seen.clear();
      for (const id of now) seen.add(id);
      next = r.next;
      await sleep(FOLLOW_EVERY_MS, undefined, { signal: stop.signal }).catch(() => undefined);
    }
  } finally {
    process.off('SIGINT', end);
    process.off('SIGTERM', end);
  }
}
