// Instances added or removed through one gateway replica (the admin API, or the controller's
// driver in `pitchey up`) and taken by all: each is a field `<service>/<id>` of one Redis hash,
// stored with HSET or HDEL (one instance per command, so two replicas adding at once lose
// nothing), then announced; every replica re-reads the hash when told, and every few seconds in
// case a message was lost. A replica's own PITCHEY_UPSTREAMS are its static base and never
// shared: a shared entry with the id of one of them leaves it as it is. Each replica probes the
// instances it knows; an instance whose replica died stays until it is removed.
//
// A change made while Redis cannot be reached applies here at once and is stored when Redis
// answers again; until then that instance keeps its state here whatever Redis holds.
import { TRACKS, type InstancePool, type InstanceSpec, type Track } from './pool.js';
import { hashFields, outageLog, type RedisReply, type RedisState } from './redis-state.js';

export interface SharedInstancesOptions {
  redis: RedisState;
  pools: Iterable<InstancePool>;
  /** The safety-net re-read. Default 5000 ms. */
  rereadMs?: number;
  /** Told after instances were taken from another replica (to probe them now). */
  onAdopted: (service: string) => void;
  /** Told how long the instances removed elsewhere may drain here. Default 30 s, the admin API's default. */
  drainMs?: number;
  log: (message: string) => void;
}

const isTrack = (t: unknown): t is Track => (TRACKS as readonly unknown[]).includes(t);
const fieldOf = (service: string, id: string): string => `${service}/${id}`;

/** An entry read back from Redis, or null when it is not what a gateway stored. */
export function readSharedInstance(field: string, text: string): { service: string; spec: InstanceSpec } | null {
  const slash = field.indexOf('/');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  if (slash < 1 || typeof raw !== 'object' || raw === null) return null;
  const { url, track, version } = raw as Record<string, unknown>;
  if (typeof url !== 'string' || !isTrack(track) || typeof version !== 'string') return null;
  return { service: field.slice(0, slash), spec: { id: field.slice(slash + 1), url, track, version } };
}

export class SharedInstances {
  private readonly pools: Map<string, InstancePool>;
  /** Per service, the ids of the instances this replica holds as shared (stored here or taken from Redis). */
  private readonly shared = new Map<string, Set<string>>();
  /** Fields changed here and not yet stored: the spec to store, or null to delete. */
  private readonly pending = new Map<string, { service: string; spec: InstanceSpec | null }>();
  private readonly key: string;
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private readonly health: (ok: boolean, error?: unknown) => void;
  private stopped = false;

  constructor(private readonly options: SharedInstancesOptions) {
    this.pools = new Map([...options.pools].map((p) => [p.service, p]));
    this.key = `${options.redis.prefix}instances`;
    this.health = outageLog(
      options.log,
      'instances are shared with the other gateway replicas again (Redis answers)',
      'instances added or removed here stay on this gateway replica until Redis answers',
    );
  }

  /** Takes the stored instances (a new replica joins with the others'), then follows changes. */
  async start(): Promise<void> {
    this.options.redis.subscribe(this.key, () => void this.sync());
    await this.sync();
    this.timer ??= setInterval(() => void this.sync(), this.options.rereadMs ?? 5_000);
    this.timer.unref();
  }

  /** Stops re-reading; resolves once the changes being stored are (a replica that stops unregisters its driver's instances). */
  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.stopped = true;
    await this.flushing;
  }

  /** An instance added here (already in its pool): stored and announced for the other replicas. */
  added(service: string, spec: InstanceSpec): void {
    this.idsOf(service).add(spec.id);
    this.pending.set(fieldOf(service, spec.id), { service, spec });
    void this.flushSoon();
  }

  /** An instance removed (or being drained) here: removed from the other replicas too. */
  removed(service: string, id: string): void {
    this.idsOf(service).delete(id);
    this.pending.set(fieldOf(service, id), { service, spec: null });
    void this.flushSoon();
  }

  /** Stores what is still unstored, then re-reads every instance. */
  async sync(): Promise<void> {
    if (this.stopped) return;
    await this.flushSoon();
    try {
      this.apply(await this.options.redis.send(['HGETALL', this.key]));
      this.health(true);
    } catch (error) {
      this.health(false, error);
    }
  }

  private idsOf(service: string): Set<string> {
    const ids = this.shared.get(service) ?? new Set<string>();
    this.shared.set(service, ids);
    return ids;
  }

  /** Stores the pending changes after those being stored; nothing once stopped (Redis is being closed). */
  private flushSoon(): Promise<void> {
    if (!this.stopped) this.flushing = this.flushing.then(() => this.flush());
    return this.flushing;
  }

  private async flush(): Promise<void> {
    const changes = [...this.pending];
    if (changes.length === 0) return;
    try {
      for (const [field, change] of changes) {
        const { spec } = change;
        await this.options.redis.send(spec === null ? ['HDEL', this.key, field] : ['HSET', this.key, field, JSON.stringify({ url: spec.url, track: spec.track, version: spec.version })]);
        // A later change to the same field made meanwhile stays pending.
        if (this.pending.get(field) === change) this.pending.delete(field);
      }
      await this.options.redis.publish(this.key, 'changed');
      this.health(true);
    } catch (error) {
      this.health(false, error);
    }
  }

  private apply(reply: RedisReply): void {
    const stored = new Map<string, InstanceSpec[]>();
    for (const [field, text] of hashFields(reply)) {
      if (this.pending.has(field)) continue; // a change made here and not yet stored outranks Redis
      const entry = readSharedInstance(field, text);
      if (entry !== null && this.pools.has(entry.service)) stored.set(entry.service, [...(stored.get(entry.service) ?? []), entry.spec]);
    }
    for (const [service, pool] of this.pools) this.reconcile(service, pool, stored.get(service) ?? []);
  }

  private reconcile(service: string, pool: InstancePool, specs: InstanceSpec[]): void {
    const ids = this.idsOf(service);
    let adopted = false;
    for (const spec of specs) {
      const known = pool.get(spec.id);
      // Another source's instance (this replica's static base, its own driver) keeps its place.
      if (known !== undefined && !ids.has(spec.id)) continue;
      if (known === undefined) {
        pool.add(spec);
        ids.add(spec.id);
        adopted = true;
      } else if (known.url !== spec.url || known.version !== spec.version) {
        // Its track is the traffic settings' (a promotion retags it), not the entry's.
        pool.add({ ...spec, track: known.track });
        adopted = true;
      }
    }
    const present = new Set(specs.map((s) => s.id));
    for (const id of [...ids]) {
      if (present.has(id) || this.pending.has(fieldOf(service, id))) continue;
      ids.delete(id);
      void pool.drain(id, this.options.drainMs ?? 30_000);
    }
    if (adopted) this.options.onAdopted(service);
  }
}
