// The objectives' counts at the gateway: authentication and inference outcomes (a client's own 4xx
// left out) and critical routes' latency, in the per-track stats the engine reads and in the metrics.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerFacts } from '../../src/gateway/answer-facts.js';
import { GATEWAY_ROUTES, type GatewayRoute } from '../../src/gateway/routes.js';
import { createGateway, TrackStats, type Gateway } from '../../src/gateway/index.js';
import { createMetrics } from '../../src/kit/index.js';
import { TEST_KEY, makeTempDir, testConfig } from '../helpers.js';
import { startUpstream, type Upstream } from './upstream.js';

const route = (prefix: string): GatewayRoute => GATEWAY_ROUTES.find((r) => r.prefix === prefix)!;
const ai = route('/api/ai/');

describe('answerFacts', () => {
  it.each([
    ['a credentialed 200 passes authentication', { method: 'GET', credentialed: true }, 200, { auth: 'success' }],
    ['a credentialed 401 fails it', { method: 'GET', credentialed: true }, 401, { auth: 'failure' }],
    ['403 is authorization refusing a known caller: authentication passed', { method: 'GET', credentialed: true }, 403, { auth: 'success' }],
    ['no credentials is no attempt', { method: 'GET', credentialed: false }, 401, {}],
    ['a 5xx says nothing about credentials', { method: 'GET', credentialed: true }, 503, {}],
    ['an inference POST answered 5xx failed', { method: 'POST', credentialed: false }, 500, { inference: 'failure' }],
    ['an inference POST answered 200 succeeded', { method: 'POST', credentialed: false }, 200, { inference: 'success' }],
    ["an inference POST answered 422 is the client's mistake", { method: 'POST', credentialed: false }, 422, {}],
    ['a GET on the AI route is no inference', { method: 'GET', credentialed: false }, 500, {}],
  ])('%s', (_name, asked, status, outcomes) => {
    expect(answerFacts(ai, asked, status)).toEqual({ outcomes, critical: false });
  });

  it('marks the critical routes: code and stream files, not uploads or AI generation', () => {
    expect(GATEWAY_ROUTES.filter((r) => r.critical === true).map((r) => r.prefix)).toEqual(['/streams/', '/api/code/']);
  });
});

describe('track stats of the objectives', () => {
  it('sums outcomes per operation and samples critical latencies, only when there are any', () => {
    const stats = new TrackStats();
    stats.record('ai', 'canary', 'v2', 200, 5, 1_000, { outcomes: { auth: 'success', inference: 'success' }, critical: true });
    stats.record('ai', 'canary', 'v2', 500, 7, 2_000, { outcomes: { inference: 'failure' }, critical: true });
    stats.record('ai', 'stable', 'v1', 200, 9, 2_000);
    const w = stats.window('ai', 5_000, 2_500);
    expect(w.canary).toMatchObject({ outcomes: { auth: { succeeded: 1, failed: 0 }, inference: { succeeded: 1, failed: 1 } }, criticalLatenciesMs: [5, 7] });
    expect(w.stable).not.toHaveProperty('outcomes');
    expect(w.stable).not.toHaveProperty('criticalLatenciesMs');
  });
});

describe('a gateway counts them from real answers', () => {
  const tmp = makeTempDir();
  let upstream: Upstream;
  let gateway: Gateway;
  let base: string;
  beforeAll(async () => {
    upstream = await startUpstream(tmp.dir, 'up', 'v2');
    gateway = await createGateway({ config: testConfig(tmp.dir, { PITCHEY_RATE_LIMIT: 'false' }), metrics: createMetrics({ defaultMetrics: false }), healthIntervalMs: 60_000 });
    for (const service of ['ai', 'code'] as const) gateway.pools.get(service)?.setInstances([{ id: `${service}-a`, url: upstream.url, track: 'stable', version: 'v2' }], { healthy: true });
    base = `http://127.0.0.1:${await gateway.listen(0, '127.0.0.1')}`;
  });
  afterAll(async () => {
    await gateway.close();
    await upstream.close();
    tmp.remove();
  });

  it('feeds the engine and Prometheus alike', async () => {
    const answers = await Promise.all([
      fetch(`${base}/api/ai/private`, { headers: { 'x-api-key': TEST_KEY } }),
      fetch(`${base}/api/ai/private`, { headers: { 'x-api-key': 'not-a-key-of-ours' } }),
      fetch(`${base}/api/ai/private`),
      fetch(`${base}/api/ai/boom`, { method: 'POST' }),
      fetch(`${base}/api/ai/echo`, { method: 'POST' }),
      fetch(`${base}/api/code/who`),
    ]);
    expect(answers.map((r) => r.status)).toEqual([200, 401, 401, 500, 200, 200]);
    const w = gateway.stats.window('ai', 60_000, Date.now()).stable;
    expect(w?.outcomes).toEqual({ auth: { succeeded: 1, failed: 1 }, inference: { succeeded: 1, failed: 1 } });
    expect(gateway.stats.window('code', 60_000, Date.now()).stable?.criticalLatenciesMs).toHaveLength(1);
    const text = await (await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TEST_KEY}` } })).text();
    expect(text).toMatch(/^pitchey_gateway_operations_total\{service="ai",track="stable",version="v2",operation="auth",outcome="failure"\} 1$/m);
    expect(text).toMatch(/^pitchey_gateway_operations_total\{service="ai",track="stable",version="v2",operation="inference",outcome="success"\} 1$/m);
    expect(text).toMatch(/^pitchey_gateway_critical_duration_seconds_bucket\{le="2",service="code",track="stable",version="v2",route="\/api\/code\/"\} 1$/m);
  });
});
