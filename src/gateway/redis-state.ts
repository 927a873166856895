// The gateways' shared state on Redis (PITCHEY_GATEWAY_STATE): one connection for commands and
// one for pub/sub, shared by the stats, traffic and rate-limit parts. Every command is bounded
// (no offline queue, a deadline of its own), so a Redis that is down or frozen costs a caller
// a quick rejection, never a hung request; callers choose what that rejection means.
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { closeRedisClient, loadRedis, newFailFastClient, type FailFastClient } from '../kit/index.js';

export type RedisReply = string | number | null | RedisReply[] | Record<string, string>;

/** A hash reply as field → value: an object from sendCommand, or a flat list. */
export function hashFields(reply: RedisReply): Array<[string, string]> {
  if (reply === null || typeof reply !== 'object') return [];
  if (!Array.isArray(reply)) return Object.entries(reply);
  const out: Array<[string, string]> = [];
  for (let i = 0; i + 1 < reply.length; i += 2) {
    const [field, value] = [reply[i], reply[i + 1]];
    if (typeof field === 'string' && (typeof value === 'string' || typeof value === 'number')) out.push([field, String(value)]);
  }
  return out;
}

/**
 * A part's reachability log: told after each Redis command whether it worked, it logs `down` (with
 * the error) when commands start failing and `up` when they work again, not on every command.
 */
export function outageLog(log: (message: string) => void, up: string, down: string): (ok: boolean, error?: unknown) => void {
  let failing = false;
  return (ok, error) => {
    if (ok !== failing) return;
    failing = !ok;
    log(ok ? up : `${down}: ${error instanceof Error ? error.message : String(error)}`);
  };
}

export interface RedisStateOptions {
  url: string;
  /** Default 1000 ms: a proxied request may wait this long at most on the rate-limit script. */
  commandTimeoutMs?: number;
  /** Told once when Redis is lost and once when it is back. */
  onConnectionChange?: (event: { up: boolean; error?: unknown }) => void;
}

export interface RedisState {
  /** Key prefix every part uses. */
  readonly prefix: string;
  /** One command, bounded; rejects when Redis cannot answer in time. */
  send(args: Array<string | number>): Promise<RedisReply>;
  /** Several commands written together (node-redis pipelines commands issued in one tick). */
  pipeline(commands: Array<Array<string | number>>): Promise<RedisReply[]>;
  /** Runs a Lua script by digest, loading it on NOSCRIPT (after a Redis restart). */
  script(body: string, keys: string[], args: Array<string | number>): Promise<RedisReply>;
  publish(channel: string, message: string): Promise<void>;
  /** Subscribes on the pub/sub connection (opened on first use); resubscribed after reconnects by node-redis. */
  subscribe(channel: string, listener: (message: string) => void): void;
  close(): Promise<void>;
}

type Client = FailFastClient;

/** What every key of the gateways' shared state starts with. */
export const GATEWAY_STATE_PREFIX = 'pitchey:gateway:';

export const sha1 = (text: string): string => createHash('sha1').update(text).digest('hex');

export function createRedisState(options: RedisStateOptions): RedisState {
  const timeoutMs = options.commandTimeoutMs ?? 1_000;
  const notify = options.onConnectionChange ?? (() => undefined);
  let up = false;
  let closed = false;
  let subscriber: Client | null = null;
  let subscribed: Promise<void> = Promise.resolve();
  // The Redis client's module is loaded only by a gateway that shares its state (~0.3 s of CPU at start).
  const loaded: Promise<Client> = loadRedis().then((redis) => {
    const client = newFailFastClient(redis, options.url, timeoutMs);
    client.on('error', (error: unknown) => {
      if (!up) return;
      up = false;
      notify({ up: false, error });
    });
    client.on('ready', () => {
      if (up) return;
      up = true;
      notify({ up: true });
    });
    return client;
  });
  // Calls made while the first attempt runs wait for it, up to the command timeout; never rejects.
  const connecting = loaded.then((client) => (closed ? undefined : Promise.race([client.connect().catch(() => undefined), sleep(timeoutMs, undefined, { ref: false })])));

  const send = async (args: Array<string | number>): Promise<RedisReply> => {
    if (closed) throw new Error('the gateway state is closed');
    const client = await loaded;
    if (!client.isReady) await connecting;
    let timer: NodeJS.Timeout | undefined;
    // node-redis times a command out only until it is written; a frozen Redis would hold it forever.
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis gave no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      return await Promise.race([client.sendCommand<RedisReply>(args.map(String), { timeout: timeoutMs }), deadline]);
    } finally {
      clearTimeout(timer);
    }
  };

  return {
    prefix: GATEWAY_STATE_PREFIX,
    send,
    pipeline: (commands) => Promise.all(commands.map(send)),
    async script(body, keys, args) {
      const tail = [keys.length, ...keys, ...args];
      try {
        return await send(['EVALSHA', sha1(body), ...tail]);
      } catch (error) {
        if (!(error instanceof Error && error.message.startsWith('NOSCRIPT'))) throw error;
        return send(['EVAL', body, ...tail]);
      }
    },
    async publish(channel, message) {
      await send(['PUBLISH', channel, message]);
    },
    subscribe(channel, listener) {
      if (closed) return;
      subscribed = subscribed
        .then(async () => {
          if (subscriber === null) {
            const sub = (await loaded).duplicate();
            sub.on('error', () => undefined); // the command connection reports outages
            subscriber = sub;
            await sub.connect();
          }
          if (!closed) await subscriber.subscribe(channel, listener);
        })
        .catch(() => undefined); // the periodic re-read covers a missed message
    },
    async close() {
      if (closed) return;
      closed = true;
      const client = await loaded;
      await Promise.all([closeRedisClient(client), ...(subscriber === null ? [] : [closeRedisClient(subscriber)])]);
    },
  };
}
