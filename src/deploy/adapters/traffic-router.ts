// The traffic-router port: how the controller moves traffic between tracks and retires instances.
import type { Track } from '../engine/index.js';

export interface TrafficRouter {
  setWeights(service: string, weights: Partial<Record<Track, number>>): void;
  /** Moves an instance to another track (promotion) without restarting it. */
  retag(service: string, instanceId: string, track: Track): void;
  /** Takes the instance out of rotation and resolves when its in-flight requests are done. */
  drain(service: string, instanceId: string, timeoutMs: number): Promise<void>;
  /** Instances per track that pass health checks, and how many exist. */
  instances(service: string): Partial<Record<Track, { ready: number; total: number }>>;
  /** Whether this instance passes its health checks in the router's view. */
  isHealthy(service: string, instanceId: string): boolean;
}
