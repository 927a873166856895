import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_KEY } from '../../helpers.js';
import { startFakeProvider, type FakeProvider } from '../../support/ai-providers.js';
import { providerEnv, startAi, type AiUnderTest } from '../../support/ai-service.js';

let openai: FakeProvider;
const started: AiUnderTest[] = [];
const headers = { 'x-api-key': TEST_KEY };

async function service(env: Record<string, string>): Promise<AiUnderTest> {
  const ai = await startAi({ PITCHEY_RATE_LIMIT: 'false', ...env });
  started.push(ai);
  return ai;
}
const generate = (ai: AiUnderTest, payload: Record<string, unknown>) => ai.svc.app.inject({ method: 'POST', url: '/generate', headers, payload: { cache: false, provider: 'openai', ...payload } });

beforeAll(async () => {
  openai = await startFakeProvider('openai', { models: ['gpt-4o-mini'] });
});
afterAll(async () => {
  for (const ai of started) await ai.close();
  await openai.close();
});

describe('circuit breaker', () => {
  it('cools a failing provider down, then lets one trial through', async () => {
    const ai = await service({ ...providerEnv({ openai }), PITCHEY_AI_RETRIES: '1', PITCHEY_AI_BREAKER_FAILURES: '2', PITCHEY_AI_BREAKER_COOLDOWN_MS: '400' });
    openai.script({ status: 500 }, { status: 502 });
    expect((await generate(ai, { prompt: 'first' })).statusCode).toBe(503);
    const before = openai.requests.length;
    const cooled = await generate(ai, { prompt: 'second' });
    expect(cooled.statusCode).toBe(503);
    expect(cooled.json().providers[0].reason).toMatch(/^cooling down for 1 s after 2 consecutive failures/);
    expect(Number(cooled.headers['retry-after'])).toBe(1);
    expect(openai.requests.length).toBe(before);
    const models = (await ai.svc.app.inject({ method: 'GET', url: '/models' })).json();
    expect(models.providers.find((p: { name: string }) => p.name === 'openai')).toMatchObject({ available: false, breaker: { state: 'open', consecutiveFailures: 2 } });
    await sleep(450);
    expect((await generate(ai, { prompt: 'third' })).statusCode).toBe(200);
  });
});

describe('concurrency', () => {
  it("holds requests beyond the provider's limit and gives up on them at the timeout", async () => {
    const ai = await service({ ...providerEnv({ openai }), PITCHEY_AI_CONCURRENCY: 'openai=1', PITCHEY_AI_TIMEOUT_MS: '1000', PITCHEY_AI_RETRIES: '0' });
    openai.script({ delayMs: 700 }, { delayMs: 700 }, { delayMs: 700 });
    const results = await Promise.all([1, 2, 3].map((i) => generate(ai, { prompt: `parallel ${i}` })));
    const codes = results.map((r) => r.statusCode).sort();
    expect(codes).toEqual([200, 200, 503]);
    expect(results.find((r) => r.statusCode === 503)!.json().providers[0].reason).toMatch(/^busy: 1 requests in flight/);
    openai.script();
  });
});

describe('unconfigured providers', () => {
  it('are listed unavailable with the reason, and /generate answers 503 with it; start-up is fine', async () => {
    const ai = await service({});
    const models = (await ai.svc.app.inject({ method: 'GET', url: '/models' })).json();
    expect(models.providers.map((p: { name: string; available: boolean; reason: string }) => [p.name, p.available, p.reason])).toEqual([
      ['openai', false, 'no API key configured (PITCHEY_AI_OPENAI_API_KEY)'],
      ['anthropic', false, 'no API key configured (PITCHEY_AI_ANTHROPIC_API_KEY)'],
      ['ollama', false, 'no server configured (PITCHEY_AI_OLLAMA_BASE_URL)'],
    ]);
    expect(models.recommended.generate).toBeNull();
    const res = await generate(ai, { prompt: 'hello', provider: 'local' });
    expect([res.statusCode, res.json().providers[0].reason]).toEqual([503, 'no server configured (PITCHEY_AI_OLLAMA_BASE_URL)']);
    expect((await ai.svc.app.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(200);
  });
  it('an unreachable server is listed unreachable with the reason', async () => {
    const ai = await service({ PITCHEY_AI_OLLAMA_BASE_URL: `http://127.0.0.1:${await freePort()}` });
    const ollama = (await ai.svc.app.inject({ method: 'GET', url: '/models' })).json().providers.find((p: { name: string }) => p.name === 'ollama');
    expect(ollama).toMatchObject({ configured: true, available: false, reason: expect.stringMatching(/^connection failed: ECONNREFUSED/) });
  });
});

describe('a client that hangs up', () => {
  it('cancels the provider call', async () => {
    const ai = await service({ ...providerEnv({ openai }), PITCHEY_AI_TIMEOUT_MS: '5000' });
    const port = (ai.svc.app.server.address() as { port: number }).port;
    openai.script({ delayMs: 600 });
    const before = openai.abandoned();
    const ctl = new AbortController();
    const call = fetch(`http://127.0.0.1:${port}/generate`, {
      method: 'POST',
      signal: ctl.signal,
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'never mind', provider: 'openai', cache: false }),
    });
    setTimeout(() => ctl.abort(), 150);
    await expect(call).rejects.toThrow();
    await sleep(700);
    expect(openai.abandoned() - before).toBe(1);
  });
});

describe('logging', () => {
  it('logs prompt and completion only at debug level', async () => {
    const ai = await service({ ...providerEnv({ openai }), PITCHEY_LOG_LEVEL: 'debug' });
    await generate(ai, { prompt: 'secret plans for tuesday' });
    const all = ai.logs.join('');
    expect(all).toContain('secret plans for tuesday');
    expect(all).toContain('"completion":"Hello from openai, you said: secret plans for tuesday"');
    expect(all).not.toContain('sk-test-openai');
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

describe('Redis response cache', () => {
  let redis: ChildProcess;
  let port: number;
  beforeAll(async () => {
    port = await freePort();
    redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    await sleep(300);
  });
  afterAll(() => {
    redis.kill('SIGTERM');
  });

  it('shares answers through Redis between instances', async () => {
    const env = { ...providerEnv({ openai }), PITCHEY_AI_CACHE_REDIS_URL: `redis://127.0.0.1:${port}/0` };
    const [a, b] = [await service(env), await service(env)];
    const before = openai.requests.length;
    const first = await generate(a, { prompt: 'shared cache', cache: true });
    const second = await generate(b, { prompt: 'shared cache', cache: true });
    expect([first.headers['x-cache'], second.headers['x-cache']]).toEqual(['miss', 'hit']);
    expect(second.json().generated_text).toBe(first.json().generated_text);
    expect(openai.requests.length - before).toBe(1);
  });
  it('answers uncached when Redis is down', async () => {
    const ai = await service({ ...providerEnv({ openai }), PITCHEY_AI_CACHE_REDIS_URL: `redis://127.0.0.1:${await freePort()}/0` });
    const res = await generate(ai, { prompt: 'no redis', cache: true });
    expect(res.statusCode).toBe(200);
    expect(ai.logs.join('')).toContain('response cache unavailable');
  });
});
