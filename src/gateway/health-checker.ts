// Active health checks: every instance's `/ready` is polled; an instance is healthy while it
// answers 200, so a draining or broken instance leaves the rotation within one interval.
import type { Agent } from 'undici';
import { probeReady, type Metrics } from '../kit/index.js';
import type { InstancePool } from './pool.js';

export interface HealthChecker {
  stop(): void;
  checkNow(): Promise<void>;
}

export function startHealthChecks(pools: Iterable<InstancePool>, options: { agent: Agent; metrics: Metrics; intervalMs?: number; timeoutMs?: number }): HealthChecker {
  const all = [...pools];
  const checkNow = async (): Promise<void> => {
    await Promise.all(
      all.flatMap((pool) =>
        pool.list().map(async (instance) => {
          instance.healthy = (await probeReady(instance.url, { timeoutMs: options.timeoutMs ?? 2_000, dispatcher: options.agent })).ready;
          options.metrics.upstreamHealthy.set({ service: pool.service, track: instance.track, version: instance.version, upstream_instance: instance.id }, instance.healthy ? 1 : 0);
        }),
      ),
    );
  };
  const timer = setInterval(() => {
    void checkNow();
  }, options.intervalMs ?? 2_000);
  timer.unref();
  return { stop: () => clearInterval(timer), checkNow };
}
