// `pitchey logs <service> [--tail N] [-f]`: each instance's last lines, whichever driver runs it,
// through the running platform's admin API. With -f it keeps asking for what is new (each answer's
// `next` cursor) and prints it compose-style, an instance per prefix, taking in instances that
// start meanwhile (a canary) — until Ctrl-C; a failed request is asked again a few times first.
import { setTimeout as sleep } from 'node:timers/promises';
import type { LogsAnswer } from '../deploy/admin-api.js';
import { SERVICE_NAMES } from '../kit/light.js';
import { createAdminClient, type AdminClient } from './admin-client.js';
import type { ArgsOf } from './commands.js';
import { emit } from './output.js';
import { createPrettyPrinter, wantsColour } from './pretty-log.js';
import { CheckFailed, RequestRefused, UsageError } from './usage.js';

/** How often -f asks again: about what `docker logs -f` feels like, at one small request a second. */
const FOLLOW_EVERY_MS = 1000;
/**
 * While following, a failed request (the gateway restarting, a network blip, a 5xx) is asked again
 * after these waits, about 30 s in all, as an operator watching a deploy expects; then -f gives up
 * with the last error. A refusal (4xx: a bad key, an unknown service) ends it at once.
 */
const RETRY_DELAYS_MS = [1000, 2000, 4000, 8000, 15_000];
/** `writeLogCursors([])`: a follower with no cursor yet (the platform then answers whole lines only). */
export const NO_CURSORS = 'e30';

export async function logs(a: ArgsOf<'logs'>): Promise<void> {
  const service = a.positionals[0]!;
  const tail = a.values.tail ?? '100';
  if (!(SERVICE_NAMES as readonly string[]).includes(service)) throw new UsageError(`logs: <service> is one of ${SERVICE_NAMES.join(', ')}, not "${service}"`);
  if (!/^[1-9]\d{0,4}$/.test(tail) || Number(tail) > 10_000) throw new UsageError('logs: --tail is a number of lines, 1 to 10000');
  if (a.values.follow === true && a.values.json === true) throw new UsageError('logs: --json prints one answer, so it does not go with --follow');
  const client = createAdminClient({ gateway: a.values.gateway, as: a.values.as, env: a.values.env });
  if (a.values.follow === true) return followUntilStopped(service, tail, client);
  const r = await client.call<LogsAnswer>('GET', `/logs/${service}?tail=${tail}`);
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

async function followUntilStopped(service: string, tail: string, client: Pick<AdminClient, 'call'>): Promise<void> {
  const stop = new AbortController();
  const end = (): void => stop.abort();
  process.once('SIGINT', end);
  process.once('SIGTERM', end);
  const tty = process.stdout.isTTY;
  // On a terminal, pino lines are shortened and coloured as `pitchey up` shows them; in a pipe each
  // line stays whole, behind its instance's prefix, for grep and friends.
  const pretty = createPrettyPrinter({ colour: wantsColour(process.env, tty), write: (t) => process.stdout.write(t), width: 20 });
  try {
    await follow(service, tail, client, {
      signal: stop.signal,
      line: (id, line) => (tty ? pretty.line(id, line) : void process.stdout.write(`${id} | ${line}\n`)),
      note: (message) => console.error(message),
    });
  } finally {
    process.off('SIGINT', end);
    process.off('SIGTERM', end);
  }
}

export interface FollowOptions {
  signal: AbortSignal;
  line: (instance: string, line: string) => void;
  /** What is said on stderr: instances starting and stopping, retries. */
  note: (message: string) => void;
  everyMs?: number;
  retryDelaysMs?: readonly number[];
}

/** Asks for the new lines of each instance until `signal` aborts, going on after failed requests (a bounded number in a row). */
export async function follow(service: string, tail: string, client: Pick<AdminClient, 'call'>, o: FollowOptions): Promise<void> {
  // --tail is how far back the first answer goes; after it a follower wants every new line (up to
  // the most the API gives at once) — at most a second's worth. Every answer is whole lines only.
  const ask = (after: string | undefined): Promise<LogsAnswer> =>
    client.call<LogsAnswer>('GET', `/logs/${service}?${after === undefined ? `tail=${tail}&after=${NO_CURSORS}` : `tail=10000&after=${after}`}`);
  const delays = o.retryDelaysMs ?? RETRY_DELAYS_MS;
  const wait = (ms: number): Promise<void> => sleep(ms, undefined, { signal: o.signal }).catch(() => undefined);
  const seen = new Set<string>();
  let next: string | undefined;
  let failures = 0;
  while (!o.signal.aborted) {
    let r: LogsAnswer;
    try {
      r = await ask(next);
      failures = 0;
    } catch (err) {
      const delay = delays[failures];
      if (!retriable(err) || delay === undefined || o.signal.aborted) throw err;
      failures += 1;
      o.note(`logs: ${(err as Error).message}; asking again in ${delay / 1000} s (${failures} of ${delays.length})`);
      await wait(delay);
      continue;
    }
    for (const i of r.instances) {
      if (!seen.has(i.id)) o.note(`== ${i.id} (${i.version}, ${i.track}) ==`);
      for (const line of i.lines) o.line(i.id, line);
    }
    const now = new Set(r.instances.map((i) => i.id));
    for (const id of seen) if (!now.has(id)) o.note(`== ${id} stopped ==`);
    if (seen.size === 0 && now.size === 0 && next === undefined) o.note(`no instance of ${service} runs yet; waiting`);
    seen.clear();
    for (const id of now) seen.add(id);
    next = r.next;
    await wait(o.everyMs ?? FOLLOW_EVERY_MS);
  }
}

/** Worth asking again: the gateway could not be reached, or answered a 5xx (restarting, draining, an upstream gone). */
function retriable(err: unknown): boolean {
  if (err instanceof CheckFailed) return true;
  return err instanceof RequestRefused && typeof err.problem.status === 'number' && err.problem.status >= 500;
}
