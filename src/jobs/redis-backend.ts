// Job store on Redis, shared by the instances and workers of a service on any number of hosts.
// Every state change is one Lua script (redis-scripts.ts), so it is atomic; durability is Redis's
// append-only file: run it with `appendonly yes` and `appendfsync always`, and a reply means the
// write is on disk. While Redis cannot be reached, calls reject at once with
// JobStoreUnavailableError (no offline queue, a bounded command timeout): callers answer 503.
import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ErrorReply } from 'redis';
import type { CompleteOptions, EnqueueOptions, FailOptions, JobBackend, JobFailure, JobRecord, JobState, ListOptions, ProgressUpdate } from './job-backend.js';
import { DEFAULT_LIST_LIMIT, DEFAULT_TTL_MS, INTERRUPTED, jsonText, readJobRecord, validateEnqueue } from './job-record.js';
import { JobStoreUnavailableError } from './job-store-unavailable.js';
import { closeRedisClient as closeClient, loadRedis, newFailFastClient as newClient, type FailFastClient } from './redis-client.js';
import { SCRIPTS, type ScriptName } from './redis-scripts.js';

export interface RedisJobBackendOptions {
  /** `redis://[user:password@]host:port/db` or `rediss://…`. */
  url: string;
  /** Keeps one store's keys apart from another's on the same Redis (the service name). */
  namespace: string;
  /** How long one command may take before the store counts as unavailable. Default 2000 ms. */
  commandTimeoutMs?: number;
  /** Told when the connection is lost and when it is back (not on every reconnect attempt). */
  onConnectionChange?: (event: { up: boolean; error?: unknown }) => void;
  /**
   * Told, on each connection, of each Redis setting that can lose accepted jobs: no append-only
   * file, an fsync policy other than `always`, or a maxmemory policy that evicts keys.
   */
  onDurabilityWarning?: (warning: string) => void;
}

const STATES: JobState[] = ['queued', 'running', 'completed', 'failed', 'cancelled'];
// Server replies that mean "not now" rather than "wrong": loading the AOF after a restart, a replica
// without its primary, a script running too long.
const TRANSIENT_REPLIES = /^(LOADING|MASTERDOWN|READONLY|BUSY|TRYAGAIN|CLUSTERDOWN)\b/;

// HGETALL comes back as an object from sendCommand, and as a flat [field, value, …] list from a script.
type Reply = string | number | null | Reply[] | Record<string, string>;

function sha1(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

function fields(reply: Reply): Record<string, string> {
  if (reply === null || typeof reply !== 'object') return {};
  if (!Array.isArray(reply)) return reply;
  const f: Record<string, string> = {};
  for (let i = 0; i + 1 < reply.length; i += 2) {
    const [field, value] = [reply[i], reply[i + 1]];
    if (typeof field === 'string' && typeof value === 'string') f[field] = value;
  }
  return f;
}

/** The hash fields whose names are not the record's. */
const HASH_FIELD: Partial<Record<keyof JobRecord, string>> = { etaSeconds: 'eta', cancelRequested: 'cancel' };

/** A record from an HGETALL reply; null when the hash is gone. */
function toRecord(reply: Reply): JobRecord | null {
  const f = fields(reply);
  if (f.id === undefined) return null;
  // The hash keeps the message as JSON text (absent while there is none).
  return readJobRecord((name) => (name === 'message' ? (f.message === undefined ? null : (JSON.parse(f.message) as string)) : f[HASH_FIELD[name] ?? name]));
}

function toRecords(reply: Reply): JobRecord[] {
  return (Array.isArray(reply) ? reply : []).flatMap((item) => toRecord(item) ?? []);
}

function asText(reply: Reply): string {
  return typeof reply === 'string' ? reply : '';
}

function text(value: number | null | undefined): string {
  return value === null || value === undefined ? '' : String(value);
}

/** The port, plus what only a Redis store can be asked. */
export interface RedisJobStore extends JobBackend {
  watch(listener: () => void): () => void;
  /** Each setting of this Redis that can lose an acknowledged job (see onDurabilityWarning); [] when none. */
  durabilityWarnings(): Promise<string[]>;
}

/** Connects in the background; a store whose Redis is down still opens and answers "unavailable". */
export function createRedisJobBackend(options: RedisJobBackendOptions): RedisJobStore {
  return new RedisJobBackend(options);
}

type Client = FailFastClient;

class RedisJobBackend implements RedisJobStore {
  // The Redis client's module is loaded by the first store made (~0.3 s of CPU): every service
  // process imports this module through the job layer, and most keep their jobs in SQLite.
  readonly #loaded: Promise<Client>;
  #client: Client | null = null;
  #ErrorReply: typeof ErrorReply | null = null;
  readonly #prefix: string;
  readonly #timeoutMs: number;
  readonly #connecting: Promise<unknown>;
  readonly #watchers = new Set<() => void>();
  #subscriber: Client | null = null;
  #up = false;
  #closed = false;

  constructor(options: RedisJobBackendOptions) {
    this.#prefix = `pitchey:jobs:{${options.namespace}}:`;
    this.#timeoutMs = options.commandTimeoutMs ?? 2_000;
    const notify = options.onConnectionChange ?? (() => undefined);
    this.#loaded = loadRedis().then((redis) => {
      this.#ErrorReply = redis.ErrorReply;
      const client = newClient(redis, options.url, this.#timeoutMs);
      client.on('error', (error: unknown) => {
        if (!this.#up) return;
        this.#up = false;
        notify({ up: false, error });
      });
      client.on('ready', () => {
        if (this.#up) return;
        this.#up = true;
        notify({ up: true });
        const warn = options.onDurabilityWarning;
        if (warn !== undefined)
          void this.durabilityWarnings().then(
            (warnings) => warnings.forEach(warn),
            () => undefined,
          );
      });
      this.#client = client;
      return client;
    });
    // Calls made while the first attempt runs wait for it, up to the command timeout; never rejects.
    this.#connecting = this.#loaded.then((client) => Promise.race([client.connect().catch(() => undefined), sleep(this.#timeoutMs, undefined, { ref: false })]));
  }

  async #send(args: string[]): Promise<Reply> {
    if (this.#closed) throw new JobStoreUnavailableError('the job store is closed');
    const client = this.#client ?? (await this.#loaded);
    if (!client.isReady) await this.#connecting;
    let timer: NodeJS.Timeout | undefined;
    // node-redis times a command out only until it is written; a Redis that stops answering
    // afterwards (frozen, partitioned) would hold the caller forever, so the wait is bounded here.
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${this.#timeoutMs} ms`)), this.#timeoutMs);
    });
    try {
      return await Promise.race([client.sendCommand<Reply>(args, { timeout: this.#timeoutMs }), deadline]);
    } catch (error) {
      if (this.#isReply(error) && !TRANSIENT_REPLIES.test(error.message)) throw error;
      throw new JobStoreUnavailableError(`the job store (Redis) cannot be reached: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }

  // CONFIG may be disabled (managed Redis): the fsync policy is then not known, and not warned of.
  /** A reply of the server's (an error it answered), not a failure to reach it. */
  #isReply(error: unknown): error is Error {
    return this.#ErrorReply !== null && error instanceof this.#ErrorReply;
  }

  async durabilityWarnings(): Promise<string[]> {
    const warnings: string[] = [];
    const persistence = asText(await this.#send(['INFO', 'persistence']));
    if (/aof_enabled:0/.test(persistence)) warnings.push('Redis runs without appendonly: jobs accepted since its last snapshot are lost if it dies');
    else {
      const fsync: Record<string, string> = await this.#send(['CONFIG', 'GET', 'appendfsync']).then(fields, () => ({}));
      const policy = fsync.appendfsync;
      if (policy !== undefined && policy !== 'always')
        warnings.push(`Redis fsyncs its append-only file ${policy === 'no' ? 'when the OS likes' : 'every second'}: set appendfsync always, or a host crash can lose accepted jobs`);
    }
    const eviction = /maxmemory_policy:(\S+)/.exec(asText(await this.#send(['INFO', 'memory'])))?.[1];
    if (eviction !== undefined && eviction !== 'noeviction') warnings.push(`Redis maxmemory-policy is ${eviction}: it may evict jobs when full; set noeviction`);
    return warnings;
  }

  /** Runs a script by its digest, loading it once per Redis (and again after a restart flushed it). */
  async #run(name: ScriptName, args: Array<string | number>): Promise<Reply> {
    const body = SCRIPTS[name];
    const argv = [this.#prefix, ...args.map(String)];
    try {
      return await this.#send(['EVALSHA', sha1(body), '0', ...argv]);
    } catch (error) {
      if (!(this.#isReply(error) && error.message.startsWith('NOSCRIPT'))) throw error;
      return this.#send(['EVAL', body, '0', ...argv]);
    }
  }

  async enqueue(type: string, payload: unknown, opts: EnqueueOptions, now: number): Promise<JobRecord> {
    validateEnqueue(type, opts);
    // '' stands for "no version" in the scripts' arguments.
    if (opts.version === '') throw new TypeError('version must not be empty (leave it unset for none)');
    const args = [opts.id ?? randomUUID(), type, jsonText(payload), opts.maxAttempts ?? 1, text(opts.timeoutMs), text(opts.stallMs), now, jsonText(opts.files ?? [])];
    return toRecord(await this.#run('enqueue', [...args, opts.version ?? '', opts.owner ?? ''])) as JobRecord;
  }

  async get(id: string): Promise<JobRecord | null> {
    return toRecord(await this.#send(['HGETALL', `${this.#prefix}job:${id}`]));
  }

  async list(opts: ListOptions = {}): Promise<JobRecord[]> {
    return toRecords(await this.#run('list', [opts.state ?? '', opts.limit ?? DEFAULT_LIST_LIMIT]));
  }

  async claim(types: string[], workerId: string, leaseMs: number, now: number, version: string | null = null): Promise<JobRecord | null> {
    if (types.length === 0) return null;
    return toRecord(await this.#run('claim', [now, now + leaseMs, workerId, version ?? '', ...types]));
  }

  async announce(workerId: string, version: string, until: number): Promise<void> {
    if (version === '') throw new TypeError('version must not be empty');
    await this.#run('announce', [workerId, version, until]);
  }

  async retire(workerId: string): Promise<void> {
    await this.#run('announce', [workerId, '', 0]);
  }

  async progress(id: string, update: ProgressUpdate, leaseMs: number, now: number): Promise<boolean> {
    const message = update.message === null ? '' : JSON.stringify(update.message);
    return (await this.#run('progress', [id, now, now + leaseMs, update.progress, text(update.etaSeconds), message])) !== 0;
  }

  async complete(id: string, result: unknown, opts: CompleteOptions, now: number): Promise<JobRecord | null> {
    return toRecord(await this.#run('complete', [id, now, jsonText(result), jsonText(opts.files ?? []), now + opts.ttlMs]));
  }

  async fail(id: string, failure: JobFailure, opts: FailOptions, now: number): Promise<JobRecord | null> {
    return toRecord(await this.#run('fail', [id, now, jsonText(failure), text(opts.retryAt), now + opts.ttlMs]));
  }

  async requestCancel(id: string, now: number, ttlMs = DEFAULT_TTL_MS): Promise<JobRecord | null> {
    return toRecord(await this.#run('requestCancel', [id, now, now + ttlMs]));
  }

  async markCancelled(id: string, ttlMs: number, now: number): Promise<JobRecord | null> {
    return toRecord(await this.#run('markCancelled', [id, now, now + ttlMs]));
  }

  async release(id: string, ttlMs: number, now: number): Promise<JobRecord | null> {
    return toRecord(await this.#run('release', [id, now, now + ttlMs]));
  }

  async counts(): Promise<Record<JobState, number>> {
    const reply = await this.#run('counts', []);
    const values = Array.isArray(reply) ? reply : [];
    return Object.fromEntries(STATES.map((state, i) => [state, Number(values[i] ?? 0)])) as Record<JobState, number>;
  }

  async recoverExpiredLeases(now: number, ttlMs = DEFAULT_TTL_MS): Promise<JobRecord[]> {
    return toRecords(await this.#run('recover', [now, jsonText(INTERRUPTED), now + ttlMs]));
  }

  async removeExpired(now: number): Promise<JobRecord[]> {
    return toRecords(await this.#run('removeExpired', [now]));
  }

  watch(listener: () => void): () => void {
    this.#watchers.add(listener);
    this.#subscribe();
    return () => this.#watchers.delete(listener);
  }

  /** One subscriber connection per store, opened for the first watcher; it resubscribes after a reconnect. */
  #subscribe(): void {
    if (this.#subscriber !== null || this.#closed) return;
    if (this.#client === null) {
      void this.#loaded.then(() => this.#subscribe());
      return;
    }
    const subscriber = this.#client.duplicate();
    subscriber.on('error', () => undefined); // the main client reports outages
    this.#subscriber = subscriber;
    subscriber
      .connect()
      .then(() =>
        subscriber.subscribe(`${this.#prefix}wake`, () => {
          for (const listener of this.#watchers) listener();
        }),
      )
      .catch(() => undefined); // closed meanwhile; polling goes on regardless
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#watchers.clear();
    // While Redis is away a client is still trying to connect: there is nothing to flush.
    await Promise.all([closeClient(await this.#loaded), ...(this.#subscriber === null ? [] : [closeClient(this.#subscriber)])]);
  }
}
