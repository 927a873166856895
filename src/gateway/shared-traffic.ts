// Weights, stickiness and instances' tracks made on one gateway replica and applied by all: a
// change is stored in one Redis hash (a field per service) and announced on a channel; every
// replica re-reads the service when told, and re-reads them all every few seconds in case a
// message was lost (pub/sub delivers at most once). The last change stored wins.
//
// A change made while Redis cannot be reached applies here at once and is stored when Redis
// answers again; until then this replica does not take other replicas' settings for that service.
import { TRACKS, type InstancePool, type PoolSettings, type Track } from './pool.js';
import { hashFields, outageLog, type RedisReply, type RedisState } from './redis-state.js';

export interface SharedTrafficOptions {
  redis: RedisState;
  pools: Iterable<InstancePool>;
  /** The safety-net re-read. Default 5000 ms. */
  rereadMs?: number;
  log: (message: string) => void;
}

const isTrack = (t: unknown): t is Track => (TRACKS as readonly unknown[]).includes(t);

/** Settings read back from Redis, or null when they are not what a gateway stored. */
export function readPoolSettings(text: string): PoolSettings | null {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof raw !== 'object' || raw === null) return null;
  const { weights, sticky, tracks } = raw as Record<string, unknown>;
  if (typeof sticky !== 'boolean' || typeof weights !== 'object' || weights === null || typeof tracks !== 'object' || tracks === null) return null;
  const w = Object.entries(weights);
  if (!w.every(([t, n]) => isTrack(t) && typeof n === 'number' && Number.isFinite(n) && n >= 0)) return null;
  if (!Object.values(tracks).every(isTrack)) return null;
  return { weights: Object.fromEntries(w), sticky, tracks: tracks as Record<string, Track> };
}

export class SharedTraffic {
  private readonly pools: Map<string, InstancePool>;
  /** Services changed here and not yet stored, with a count of changes (a store clears only what it wrote). */
  private readonly dirty = new Map<string, number>();
  private readonly key: string;
  private timer: NodeJS.Timeout | null = null;
  private readonly health: (ok: boolean, error?: unknown) => void;

  constructor(private readonly options: SharedTrafficOptions) {
    this.pools = new Map([...options.pools].map((p) => [p.service, p]));
    this.key = `${options.redis.prefix}traffic`;
    this.health = outageLog(
      options.log,
      'weights and tracks are shared with the other gateway replicas again (Redis answers)',
      'weights and tracks changed here stay on this gateway replica until Redis answers',
    );
    for (const pool of this.pools.values())
      pool.onChange(() => {
        this.dirty.set(pool.service, (this.dirty.get(pool.service) ?? 0) + 1);
        void this.store(pool.service);
      });
  }

  /** Takes the stored settings (a new replica joins with the others' weights), then follows changes. */
  async start(): Promise<void> {
    this.options.redis.subscribe(this.key, (service) => void this.readOne(service));
    await this.sync();
    this.timer ??= setInterval(() => void this.sync(), this.options.rereadMs ?? 5_000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** Stores what is still unstored, then re-reads every service. */
  async sync(): Promise<void> {
    await Promise.all([...this.dirty.keys()].map((s) => this.store(s)));
    try {
      this.apply(await this.options.redis.send(['HGETALL', this.key]));
      this.health(true);
    } catch (error) {
      this.health(false, error);
    }
  }

  private async readOne(service: string): Promise<void> {
    try {
      const text = await this.options.redis.send(['HGET', this.key, service]);
      if (typeof text === 'string') this.apply({ [service]: text });
    } catch (error) {
      this.health(false, error);
    }
  }

  private apply(reply: RedisReply): void {
    for (const [service, text] of hashFields(reply)) {
      // A change made here and not yet stored outranks what Redis still holds.
      if (this.dirty.has(service)) continue;
      const settings = readPoolSettings(text);
      if (settings !== null) this.pools.get(service)?.applySettings(settings);
    }
  }

  private async store(service: string): Promise<void> {
    const pool = this.pools.get(service);
    if (pool === undefined) return;
    const changes = this.dirty.get(service);
    try {
      await this.options.redis.send(['HSET', this.key, service, JSON.stringify(pool.settings())]);
      if (this.dirty.get(service) === changes) this.dirty.delete(service);
      await this.options.redis.publish(this.key, service);
      this.health(true);
    } catch (error) {
      this.health(false, error);
    }
  }
}
