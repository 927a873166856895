// The default metric source: the gateway's own per-track stats, exact and without Prometheus; with
// replicas sharing their state (PITCHEY_GATEWAY_STATE), the sum over all of them.
import type { TrackWindows } from '../../gateway/index.js';
import type { MetricSource } from './metric-source.js';

/** A gateway (`window` over every replica) or one TrackStats (this process's traffic). */
export interface TrackWindowReader {
  window(service: string, windowMs: number, now: number): TrackWindows | Promise<TrackWindows>;
}

export function createGatewayMetricSource(reader: TrackWindowReader): MetricSource {
  return { window: async (service, windowMs, now) => reader.window(service, windowMs, now) };
}
