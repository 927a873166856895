import { SignJWT } from 'jose';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_ROUTES, RateLimiter, createGateway, type Gateway } from '../../src/gateway/index.js';
import { createMetrics } from '../../src/kit/index.js';
import { TEST_KEY, VIDEO_ONLY_KEY, makeTempDir, testConfig } from '../helpers.js';
import { startUpstream, type Upstream } from './upstream.js';

describe('rate limiter (nginx limit_req, nodelay)', () => {
  it('passes the first request and a burst beyond it, then refuses until the zone rate has drained the excess', () => {
    let now = 1_000_000;
    const limiter = new RateLimiter({ now: () => now });
    const uploads = { zone: 'uploads', burst: 5 } as const; // 2 r/s
    const admitted = Array.from({ length: 8 }, () => limiter.take(uploads, 'c'));
    expect(admitted).toEqual([0, 0, 0, 0, 0, 0, 1, 1]);
    now += 499;
    expect(limiter.take(uploads, 'c')).toBe(1);
    now += 1; // 0.5 s at 2 r/s drains one request
    expect(limiter.take(uploads, 'c')).toBe(0);
    expect(limiter.take(uploads, 'c')).toBe(1);
    now += 10_000;
    expect(Array.from({ length: 6 }, () => limiter.take(uploads, 'c'))).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('shares a zone between the prefixes that name it, each with its own burst, and keeps clients and zones apart', () => {
    const limiter = new RateLimiter({ now: () => 0 });
    for (let i = 0; i < 4; i++) expect(limiter.take({ zone: 'uploads', burst: 5 }, 'c')).toBe(0);
    // Three requests of excess are already spent: a burst-3 prefix of the same zone refuses the next.
    expect(limiter.take({ zone: 'uploads', burst: 3 }, 'c')).toBe(1);
    expect(limiter.take({ zone: 'uploads', burst: 5 }, 'c')).toBe(0);
    expect(limiter.take({ zone: 'uploads', burst: 3 }, 'other')).toBe(0);
    expect(limiter.take({ zone: 'api', burst: 3 }, 'c')).toBe(0);
  });

  it('says how long to wait from the excess and the rate', () => {
    const limiter = new RateLimiter({ now: () => 0 });
    const api = { zone: 'api', burst: 0 } as const; // 10 r/s
    expect(limiter.take(api, 'c')).toBe(0);
    expect(limiter.take(api, 'c')).toBe(1);
  });

  it('forgets the least recently admitted client past its bound', () => {
    const limiter = new RateLimiter({ now: () => 0, maxClients: 2 });
    const strict = { zone: 'api', burst: 0 } as const;
    expect(limiter.take(strict, 'a')).toBe(0);
    expect(limiter.take(strict, 'b')).toBe(0);
    expect(limiter.take(strict, 'c')).toBe(0);
    expect(limiter.size).toBe(2);
    expect(limiter.take(strict, 'a')).toBe(0); // forgotten, so admitted afresh
    expect(limiter.take(strict, 'c')).toBe(1);
  });
});

// Both data planes (PITCHEY_DATA_PLANE): the Node gateway's own limiter, and nginx's in Lua.
describe.each(['node', 'nginx'] as const)('gateway rate limits from the contract (%s data plane)', (plane) => {
  const tmp = makeTempDir();
  const env = { PITCHEY_DATA_PLANE: plane };
  const NOW = Date.now();
  const JWT_SECRET = 'jwt-secret-for-tests-0123456789abcdef'; // testConfig's
  let gateway: Gateway;
  let upstream: Upstream;
  let base: string;

  beforeAll(async () => {
    upstream = await startUpstream(tmp.dir, 'up', 'v1');
    // The clock stands still, so how fast this machine sends the requests cannot drain a bucket.
    gateway = await createGateway({ config: testConfig(tmp.dir, env), metrics: createMetrics({ defaultMetrics: false }), healthIntervalMs: 60_000, now: () => NOW });
    for (const service of ['video', 'media', 'ai'] as const) gateway.pools.get(service)?.setInstances([{ id: `${service}-a`, url: upstream.url, track: 'stable', version: 'v1' }], { healthy: true });
    base = `http://127.0.0.1:${await gateway.listen(0, '127.0.0.1')}`;
  });
  afterAll(async () => {
    await gateway.close();
    await upstream.close();
    tmp.remove();
  });

  /** An HS256 token from the test secret; `sub` null leaves the subject out. */
  const token = (sub: string | null): Promise<string> => {
    const t = new SignJWT({ scope: 'video media ai' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('5m');
    if (sub !== null) t.setSubject(sub);
    return t.sign(new TextEncoder().encode(JWT_SECRET));
  };

  const statuses = async (n: number, path: string, init: RequestInit = {}): Promise<number[]> => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const res = await fetch(`${base}${path}`, init);
      await res.arrayBuffer();
      out.push(res.status);
    }
    return out;
  };

  it("takes every prefix's zone and burst from the contract, and leaves stream files unlimited", () => {
    expect(Object.fromEntries(GATEWAY_ROUTES.map((r) => [r.prefix, r.rateLimit]))).toEqual({
      '/api/video/': { zone: 'uploads', burst: 5 },
      '/api/document/': { zone: 'uploads', burst: 5 },
      '/api/ai/': { zone: 'api', burst: 10 },
      '/api/media/': { zone: 'uploads', burst: 3 },
      '/streams/': null,
      '/api/code/': { zone: 'api', burst: 20 },
    });
  });

  it('refuses a client over its burst with a 429 problem and Retry-After, before the upstream sees it', async () => {
    const headers = { 'x-api-key': TEST_KEY };
    expect(await statuses(6, '/api/video/who', { headers })).toEqual([200, 200, 200, 200, 200, 200]);
    const refused = await fetch(`${base}/api/video/who`, { headers });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(refused.headers.get('retry-after')).toBe('1');
    const problem = (await refused.json()) as { code: string; detail: string };
    expect(problem.code).toBe('RATE_LIMITED');
    expect(problem.detail).toContain('2 requests per second (burst 5)');
    // nginx's counts of a second are read once it is over.
    if (plane === 'nginx') await sleep(1100 - (Date.now() % 1000));
    await gateway.syncDataPlane();
    expect(gateway.stats.window('video', 60_000, Date.now()).stable?.requests).toBe(6);
  });

  it('gives each verified key its own allowance, and counts unverified keys against the address', async () => {
    expect(await statuses(6, '/api/media/who', { headers: { 'x-api-key': VIDEO_ONLY_KEY } })).toEqual([200, 200, 200, 200, 429, 429]);
    // The address has had none of the media zone yet: made-up keys share it, so rotating them buys nothing.
    const bogus = await Promise.all(Array.from({ length: 6 }, (_, i) => fetch(`${base}/api/media/who`, { headers: { 'x-api-key': `made-up-key-${i}-0123456789` } }).then((r) => r.status)));
    expect(bogus.filter((s) => s === 200)).toHaveLength(4);
    expect(bogus.filter((s) => s === 429)).toHaveLength(2);
  });

  it('never limits stream files', async () => {
    expect(new Set(await statuses(30, '/streams/none/master.m3u8'))).not.toContain(429);
  });

  // Not yet with nginx: the Node gateway's `Connection: close` does not cross nginx, which reads
  // (and discards) a refused body to keep the connection.
  it.skipIf(plane === 'nginx')('closes the connection of a refused upload instead of reading its body', async () => {
    const init = { method: 'POST', headers: { authorization: `Bearer ${await token('uploader')}`, 'content-type': 'application/octet-stream' }, body: Buffer.alloc(64 * 1024) };
    expect(await statuses(4, '/api/media/who', init)).toEqual([405, 405, 405, 405]); // the upstream's answer: /who is GET only
    const res = await fetch(`${base}/api/media/who`, init);
    expect(res.status).toBe(429);
    expect(res.headers.get('connection')).toBe('close');
  });

  // Not yet with nginx: bearer tokens are verified and counted by the Node gateway behind it, in a
  // counter apart from nginx's, so a token's requests do not spend the address's nginx allowance.
  it.skipIf(plane === 'nginx')('counts tokens without a subject against the address, not as one shared client', async () => {
    const anonymous = { authorization: `Bearer ${await token(null)}` };
    expect(new Set(await statuses(11, '/api/ai/who', { headers: anonymous }))).toEqual(new Set([200]));
    // The address's allowance is spent (a shared `jwt:anonymous` client would have left it whole).
    expect((await fetch(`${base}/api/ai/who`)).status).toBe(429);
    expect((await fetch(`${base}/api/ai/who`, { headers: { authorization: `Bearer ${await token('someone')}` } })).status).toBe(200);
  });

  /** A gateway of its own (a fresh allowance) in front of the upstream's code route. */
  const codeGateway = async (extra: Record<string, string>, use: (url: string) => Promise<void>): Promise<void> => {
    const g = await createGateway({ config: testConfig(tmp.dir, { ...env, ...extra }), metrics: createMetrics({ defaultMetrics: false }), healthIntervalMs: 60_000, now: () => NOW });
    try {
      g.pools.get('code')?.setInstances([{ id: 'code-a', url: upstream.url, track: 'stable', version: 'v1' }], { healthy: true });
      await use(`http://127.0.0.1:${await g.listen(0, '127.0.0.1')}/api/code/headers`);
    } finally {
      await g.close();
    }
  };
  const forgedRun = (url: string): Promise<Array<{ status: number; seen: string | null }>> =>
    Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        fetch(url, { headers: { 'x-forwarded-for': `203.0.113.${i + 1}` } }).then(async (r) => ({
          status: r.status,
          seen: r.status === 200 ? (((await r.json()) as Record<string, string>)['x-forwarded-for'] ?? null) : null,
        })),
      ),
    );

  it("believes no client's X-Forwarded-For: a forged address per request buys no fresh allowance, nor reaches the service", async () => {
    await codeGateway({}, async (url) => {
      const forged = await forgedRun(url);
      const admitted = forged.filter((r) => r.status === 200).length;
      // The first request and a burst of 20; nginx's clock is not the test's, so while the 25 go
      // out its bucket may drain by one or two (10 r/s): still far from one allowance per address.
      if (plane === 'node') expect(admitted).toBe(21);
      else expect([admitted >= 21, admitted <= 23]).toEqual([true, true]);
      expect(new Set(forged.filter((r) => r.seen !== null).map((r) => r.seen))).toEqual(new Set(['127.0.0.1']));
    });
  });

  it('believes X-Forwarded-For from a configured proxy in front of it', async () => {
    await codeGateway({ PITCHEY_TRUSTED_PROXIES: '127.0.0.0/8' }, async (url) => {
      expect(new Set((await forgedRun(url)).map((r) => r.status))).toEqual(new Set([200]));
      const seen = (await (await fetch(url, { headers: { 'x-forwarded-for': '198.51.100.7' } })).json()) as Record<string, string>;
      expect(seen['x-forwarded-for']).toBe('198.51.100.7, 127.0.0.1');
    });
  });
});
