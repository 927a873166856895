import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/gateway/index.js';
import { createMetrics, type RunningService } from '../../src/kit/index.js';
import { TEST_KEY, makeTempDir, testConfig } from '../helpers.js';
import { startTestService } from '../kit/test-service.js';

// Both data planes (PITCHEY_DATA_PLANE): the routes behave the same whichever carries the bytes.
describe.each(['node', 'nginx'] as const)('%s data plane', (plane) => {
  const tmp = makeTempDir();
  let svc: RunningService;
  let gateway: Gateway;
  let base: string;
  let upstream: string;

  beforeAll(async () => {
    const config = testConfig(tmp.dir, { PITCHEY_RATE_LIMIT: 'false', PITCHEY_JOB_WAIT_MS: '2000', PITCHEY_DATA_PLANE: plane });
    svc = await startTestService(config);
    upstream = `http://127.0.0.1:${await svc.listen(0, '127.0.0.1')}`;
    gateway = await createGateway({ config, metrics: createMetrics({ defaultMetrics: false }), healthIntervalMs: 60_000 });
    gateway.pools.get('video')?.setInstances([{ id: 'video-a', url: upstream, track: 'stable', version: 'v1' }]);
    // An instance nobody listens on: connect failures eject it and idempotent requests retry elsewhere.
    gateway.pools.get('ai')?.setInstances([{ id: 'ai-dead', url: 'http://127.0.0.1:9', track: 'stable', version: 'v1' }], { healthy: true });
    base = `http://127.0.0.1:${await gateway.listen(0, '127.0.0.1')}`;
  });
  afterAll(async () => {
    await gateway.close();
    await svc.drain();
    tmp.remove();
  });

  describe('gateway', () => {
    it("routes a contract prefix to the service with the prefix stripped, keeping the service's own answers", async () => {
      const health = await fetch(`${base}/api/video/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ service: 'video' });
      const denied = await fetch(`${base}/api/video/queue/status`);
      expect(denied.status).toBe(401);
      expect(denied.headers.get('content-type')).toContain('application/problem+json');
    });
    it('streams bodies through and tells the service its public prefix', async () => {
      const res = await fetch(`${base}/api/video/echo?async=true`, {
        method: 'POST',
        headers: { 'x-api-key': TEST_KEY, 'content-type': 'application/json' },
        body: JSON.stringify({ text: 'via gateway' }),
      });
      expect(res.status).toBe(202);
      expect(res.headers.get('location')).toMatch(/^\/api\/video\/status\//);
      expect(res.headers.get('x-frame-options')).toBe('DENY');
    });
    it("refuses a body over the route's contract limit with 413 before forwarding it", async () => {
      const res = await fetch(`${base}/api/ai/analyze`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ content: 'x'.repeat(2 * 1024 * 1024) }) });
      expect(res.status).toBe(413);
      expect(((await res.json()) as { code: string }).code).toBe('BODY_TOO_LARGE');
    });
    it('answers 502 when no instance can be reached, and ejects the dead one', async () => {
      const res = await fetch(`${base}/api/ai/models`);
      expect(res.status).toBe(502);
      expect(((await res.json()) as { code: string }).code).toBe('UPSTREAM_UNAVAILABLE');
      expect(gateway.pools.get('ai')?.list()[0]?.healthy).toBe(false);
      expect((await fetch(`${base}/api/code/languages`)).status).toBe(502);
    });
    it('retries an idempotent request on another instance when one refuses connections', async () => {
      const pool = gateway.pools.get('video');
      pool?.setInstances(
        [
          { id: 'video-dead', url: 'http://127.0.0.1:9', track: 'stable', version: 'v1' },
          { id: 'video-a', url: upstream, track: 'stable', version: 'v1' },
        ],
        { healthy: true },
      );
      await gateway.syncDataPlane();
      for (let i = 0; i < 4; i++) expect((await fetch(`${base}/api/video/health`)).status).toBe(200);
    });
    it('counts upstream answers by service, track and version, and is not ready while a service has no instance', async () => {
      // nginx's counts reach the metrics once their second is over (read each second).
      const metrics = (): Promise<string> => fetch(`${base}/metrics`, { headers: { 'x-api-key': TEST_KEY } }).then((r) => r.text());
      await expect
        .poll(metrics, { timeout: 4_000, interval: 250 })
        .toMatch(/pitchey_gateway_upstream_requests_total\{service="video",track="stable",version="v1",upstream_instance="video-a",status_class="2xx"\} \d+/);
      const ready = await fetch(`${base}/ready`);
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as { detail: string }).detail).toContain('no healthy instance for');
    });
    it('answers its own 404 problem outside the routed prefixes', async () => {
      const res = await fetch(`${base}/api/unknown/x`);
      expect([res.status, ((await res.json()) as { code: string }).code]).toEqual([404, 'ROUTE_NOT_FOUND']);
    });
  });
});
