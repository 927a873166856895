// An upstream is a pool of instances grouped in tracks (stable/canary, blue/green), each tagged
// with its release version. Weights per track choose the track; within it, the healthy instance
// with the fewest requests in flight wins.
export type Track = 'stable' | 'canary' | 'blue' | 'green';

export interface Instance {
  id: string;
  url: string;
  track: Track;
  version: string;
  healthy: boolean;
  /** Draining instances get no new requests; in-flight ones finish. */
  draining: boolean;
  inflight: number;
}

export type InstanceSpec = Pick<Instance, 'id' | 'url' | 'track' | 'version'>;

export class InstancePool {
  private instances: Instance[] = [];
  private weights: Partial<Record<Track, number>> = { stable: 100 };

  constructor(readonly service: string, private readonly random: () => number = Math.random) {}

  /**
   * Replaces the instance set, keeping the health and in-flight count of instances that stay.
   * New instances start unhealthy: they get traffic after their first passing health check.
   */
  setInstances(specs: InstanceSpec[], options: { healthy?: boolean } = {}): void {
    const old = new Map(this.instances.map((i) => [i.id, i]));
    this.instances = specs.map((s) => ({ healthy: options.healthy ?? false, draining: false, inflight: 0, ...old.get(s.id), ...s }));
  }

  add(spec: InstanceSpec): void {
    this.setInstances([...this.instances.filter((i) => i.id !== spec.id), spec]);
  }

  remove(id: string): void {
    this.instances = this.instances.filter((i) => i.id !== id);
  }

  /** Track weights (any scale); a track with weight 0 or without healthy instances gets nothing. */
  setWeights(weights: Partial<Record<Track, number>>): void {
    this.weights = { ...weights };
  }

  list(): readonly Instance[] {
    return this.instances;
  }

  available(): Instance[] {
    return this.instances.filter((i) => i.healthy && !i.draining);
  }

  /** The instance for the next request, or null when none is available. `exclude` skips instances already tried. */
  pick(exclude: ReadonlySet<string> = new Set()): Instance | null {
    const candidates = this.available().filter((i) => !exclude.has(i.id));
    const tracks = [...new Set(candidates.map((i) => i.track))].filter((t) => (this.weights[t] ?? 0) > 0);
    if (tracks.length === 0) return null;
    const total = tracks.reduce((sum, t) => sum + (this.weights[t] ?? 0), 0);
    let roll = this.random() * total;
    const track = tracks.find((t) => (roll -= this.weights[t] ?? 0) < 0) ?? tracks[tracks.length - 1];
    const inTrack = candidates.filter((i) => i.track === track);
    return inTrack.reduce((best, i) => (i.inflight < best.inflight ? i : best));
  }
}
