// The default metric source: the gateway's own per-track stats, exact and without Prometheus.
import type { Gateway } from '../../gateway/index.js';
import type { MetricSource } from './metric-source.js';

export function createGatewayMetricSource(gateway: Pick<Gateway, 'stats'>): MetricSource {
  return { window: async (service, windowMs, now) => gateway.stats.window(service, windowMs, now) };
}
