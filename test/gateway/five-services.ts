// A gateway in front of one in-process instance of each of the five services, on loopback: what
// a caller of the public API meets, without `pitchey up`'s process tree.
import { createGateway, type Gateway } from '../../src/gateway/index.js';
import { SERVICE_NAMES, createMetrics, createService, type RunningService } from '../../src/kit/index.js';
import { loadService } from '../../src/services/index.js';
import { testConfig } from '../helpers.js';

export interface FiveServices {
  gateway: Gateway;
  base: string;
  /** A service's own address (not through the gateway). */
  direct: (name: string) => string;
  close: () => Promise<void>;
}

/** `env`: settings over the defaults (rate limits off unless asked for). */
export async function startFiveServices(dataDir: string, env: Record<string, string> = {}): Promise<FiveServices> {
  const config = testConfig(dataDir, { PITCHEY_RATE_LIMIT: 'false', ...env });
  const gateway = await createGateway({ config, metrics: createMetrics(), healthIntervalMs: 60_000 });
  const services: RunningService[] = [];
  const urls = new Map<string, string>();
  for (const name of SERVICE_NAMES) {
    const svc = await createService(await loadService(name), { config });
    services.push(svc);
    urls.set(name, `http://127.0.0.1:${await svc.listen(0, '127.0.0.1')}`);
    gateway.pools.get(name)?.setInstances([{ id: `${name}-1`, url: urls.get(name) ?? '', track: 'stable', version: config.version }], { healthy: true });
  }
  const base = `http://127.0.0.1:${await gateway.listen(0, '127.0.0.1')}`;
  return {
    gateway,
    base,
    direct: (name) => urls.get(name) ?? '',
    async close() {
      await gateway.close();
      await Promise.all(services.map((s) => s.drain()));
    },
  };
}
