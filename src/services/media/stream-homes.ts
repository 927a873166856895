// Streams on several hosts (a Redis job store shared by instances with their own disks): a stream's
// folder lives on one instance, the one that accepted its job (a runner elsewhere sends it there)
// or the one running its live ingest. One Redis hash, on the job store, maps each stream id to that
// instance's address, so every other instance finds it and relays its files from there, as
// `/download` does for a job's output. The hash is kept as long as the stream, not a job's TTL.
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { closeRedisClient, loadRedis, newFailFastClient, Problem, relayFrom, type FailFastClient } from '../../kit/index.js';
import { STREAM_ID, streamFileParts } from './stream-store.js';

const KEY = 'pitchey:media:stream-homes';
/** Marks a request relayed by another instance: answered from this disk only, so no request goes round. */
const RELAYED = 'x-pitchey-stream-relayed';

export interface StreamHomes {
  /** The address of the instance keeping the stream, or null when no instance was recorded. */
  get(id: string): Promise<string | null>;
  set(id: string, url: string): Promise<void>;
  delete(id: string): Promise<void>;
  close(): Promise<void>;
}

export function createStreamHomes(url: string): StreamHomes {
  // Loaded and connected at first use: a process that never meets a stream elsewhere opens no connection.
  let client: Promise<{ c: FailFastClient; connected: Promise<unknown> }> | null = null;
  const ready = () => {
    client ??= loadRedis().then((redis) => {
      const c = newFailFastClient(redis, url, 1_000);
      // Errors are answered per command (503); the client reconnects by itself.
      c.on('error', () => undefined);
      return { c, connected: c.connect().catch(() => undefined) };
    });
    return client;
  };
  const run = async <T>(what: string, command: (c: FailFastClient) => Promise<T>): Promise<T> => {
    const { c, connected } = await ready();
    try {
      // Commands are not queued (an outage answers at once): a first one waits for the connection, a bounded while.
      if (!c.isReady) await Promise.race([connected, sleep(1_000, undefined, { ref: false })]);
      return await command(c);
    } catch (err) {
      throw new Problem('JOB_STORE_UNAVAILABLE', `Where streams are kept cannot be ${what}: the job store (Redis) cannot be reached.`, { cause: err });
    }
  };
  return {
    get: (id) => run('read', (c) => c.hGet(KEY, id)).then((v) => v ?? null),
    set: (id, home) => run('recorded', (c) => c.hSet(KEY, id, home)).then(() => undefined),
    delete: (id) => run('recorded', (c) => c.hDel(KEY, id)).then(() => undefined),
    close: async () => {
      if (client !== null) await closeRedisClient((await client).c);
    },
  };
}

/**
 * Answers a stream file this instance does not keep from the instance that does, or resolves null
 * (the caller's 404) when none is recorded, it is this one, or the request was relayed already.
 */
export async function relayStream(homes: StreamHomes, self: string | null, req: FastifyRequest, reply: FastifyReply, id: string, file: string): Promise<FastifyReply | null> {
  if (!STREAM_ID.test(id) || req.headers[RELAYED] !== undefined) return null;
  const parts = streamFileParts(file);
  const home = await homes.get(id);
  if (home === null || home === self) return null;
  return relayFrom(req, reply, `${home}/streams/${id}/${parts.map(encodeURIComponent).join('/')}`, { headers: { [RELAYED]: '1' }, holder: `The instance keeping stream ${id} (${home})` });
}

/** Deletes a stream kept by another instance there, with the client's own credentials (it checks them). */
export async function relayDelete(homes: StreamHomes, self: string | null, req: FastifyRequest, reply: FastifyReply, id: string): Promise<FastifyReply | null> {
  if (!STREAM_ID.test(id) || req.headers[RELAYED] !== undefined) return null;
  const home = await homes.get(id);
  if (home === null || home === self) return null;
  const headers: Record<string, string> = { [RELAYED]: '1' };
  for (const name of ['x-api-key', 'authorization']) {
    const value = req.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  return relayFrom(req, reply, `${home}/stream/${id}`, { headers, holder: `The instance keeping stream ${id} (${home})`, method: 'DELETE' });
}
