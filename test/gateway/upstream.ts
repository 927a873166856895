// A tiny upstream on the kit's HTTP base for gateway tests: it names itself, answers 500 on
// demand, requires the 'video' or 'admin' scope on two routes, echoes request headers and can
// hold a request for a while.
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { InstancePool } from '../../src/gateway/index.js';
import { Problem, Type, createHttpApp, createMetrics } from '../../src/kit/index.js';
import { testConfig } from '../helpers.js';

export interface Upstream {
  name: string;
  version: string;
  url: string;
  close(): Promise<void>;
}

export async function startUpstream(dataDir: string, name: string, version: string): Promise<Upstream> {
  const config = testConfig(dataDir, { PITCHEY_VERSION: version, PITCHEY_RATE_LIMIT: 'false' });
  const { app } = await createHttpApp({ service: 'video', title: name, description: 'gateway test upstream', config, metrics: createMetrics({ defaultMetrics: false }) });
  app.get('/who', { config: { auth: 'public' } }, async () => ({ name, version }));
  app.get('/boom', { config: { auth: 'public' } }, async () => {
    throw new Problem('INTERNAL_ERROR', 'boom on purpose');
  });
  app.post('/boom', { config: { auth: 'public' } }, async () => {
    throw new Problem('INTERNAL_ERROR', 'boom on purpose');
  });
  app.post('/echo', { config: { auth: 'public' } }, async () => ({ name, version }));
  app.get('/headers', { config: { auth: 'public' } }, async (req) => req.headers);
  app.get('/private', async () => ({ name }));
  app.get('/admin-only', { config: { auth: 'admin' } }, async () => ({ name }));
  app.get(
    '/slow',
    {
      config: { auth: 'public' },
      schema: { querystring: Type.Object({ ms: Type.Integer({ minimum: 0, maximum: 10_000 }) }) },
    },
    async (req) => {
      await sleep(req.query.ms);
      return { name, version, sleptMs: req.query.ms };
    },
  );
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return { name, version, url, close: () => app.close() };
}

/** The pool as the traffic tests start each case: a healthy stable and canary instance, 90/10, not sticky. */
export function resetTwoTracks(pool: InstancePool, stable: Upstream, canary: Upstream): void {
  pool.setInstances([]);
  pool.setInstances(
    [
      { id: stable.name, url: stable.url, track: 'stable', version: stable.version },
      { id: canary.name, url: canary.url, track: 'canary', version: canary.version },
    ],
    { healthy: true },
  );
  pool.setWeights({ stable: 90, canary: 10 });
  pool.setSticky(false);
}
