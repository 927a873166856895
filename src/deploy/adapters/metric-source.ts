// The metric-source port: per-track traffic over a window ending now, for the engine's analysis.
import type { Observation } from '../engine/index.js';

export interface MetricSource {
  window(service: string, windowMs: number, now: number): Promise<Observation['tracks']>;
}
