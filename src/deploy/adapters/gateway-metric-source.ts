// The default metric source: the gateway's own per-track stats, exact and without Prometheus.
import type { Gateway } from '../../gateway/index.js';
import type { MetricSource } from './metric-source.js';

export function createGatewayMetricSource(gateway: Pick<Gateway, 'stats'>): MetricSource {
  // eslint-disable-next-line @typescript-eslint/require-await -- the MetricSource port is async (Prometheus is a fetch); this one reads memory
  return { window: async (service, windowMs, now) => gateway.stats.window(service, windowMs, now) };
}
