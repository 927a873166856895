import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyId } from '../../../src/kit/index.js';
import { TEST_KEY } from '../../helpers.js';
import { startFakeProvider, type FakeProvider } from '../../support/ai-providers.js';
import { parseSse, providerEnv, startAi, type AiUnderTest } from '../../support/ai-service.js';

const BUDGET_KEY = 'budget-key-0123456789abcdef';
let openai: FakeProvider;
let anthropic: FakeProvider;
let ollama: FakeProvider;
let ai: AiUnderTest;

beforeAll(async () => {
  [openai, anthropic, ollama] = await Promise.all([
    startFakeProvider('openai', { models: ['gpt-4o-mini', 'served-only-model'] }),
    startFakeProvider('anthropic', { models: ['claude-haiku-4-5'] }),
    startFakeProvider('ollama', { models: ['llama3.2', 'qwen2.5:0.5b'] }),
  ]);
  ai = await startAi({
    ...providerEnv({ openai, anthropic, ollama }),
    PITCHEY_API_KEYS: `${TEST_KEY},${BUDGET_KEY}:ai`,
    PITCHEY_RATE_LIMIT: 'false',
    PITCHEY_AI_RETRIES: '1',
    PITCHEY_AI_TIMEOUT_MS: '400',
    PITCHEY_AI_BREAKER_FAILURES: '100',
    PITCHEY_AI_ALIASES: 'resilient=openai:gpt-4o-mini|anthropic:claude-haiku-4-5',
    PITCHEY_AI_BUDGETS: `${keyId(BUDGET_KEY)}=0.000001`,
  });
});
afterAll(async () => {
  await ai.close();
  await Promise.all([openai.close(), anthropic.close(), ollama.close()]);
});

const generate = (payload: Record<string, unknown>, key = TEST_KEY) => ai.svc.app.inject({ method: 'POST', url: '/generate', headers: { 'x-api-key': key }, payload: { cache: false, ...payload } });

describe('each provider over its own wire protocol', () => {
  it.each([
    ['openai', 'gpt-4o-mini'],
    ['anthropic', 'claude-haiku-4-5'],
    ['local', 'llama3.2'],
  ])('%s answers JSON with usage and cost', async (provider, model) => {
    const res = await generate({ prompt: 'two words', provider, max_tokens: 50 });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ prompt: 'two words', model, provider: provider === 'local' ? 'ollama' : provider, cached: false, finish_reason: expect.any(String) });
    expect(body.generated_text).toContain('you said: two words');
    expect(body.usage).toMatchObject({ prompt_tokens: 2, completion_tokens: 7, total_tokens: 9 });
    expect(body.usage.priced).toBe(provider !== 'local');
  });

  it('sends what each protocol requires: OpenAI-compatible max_tokens, Anthropic version and key headers, Ollama options', async () => {
    expect(openai.requests.at(-1)!.body).toMatchObject({ model: 'gpt-4o-mini', max_tokens: 50, temperature: 0.7 });
    expect(openai.requests.at(-1)!.headers.authorization).toBe('Bearer sk-test-openai');
    const sent = anthropic.requests.at(-1)!.headers;
    expect(sent['anthropic-version']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(sent['x-api-key'] ?? sent.authorization).toMatch(/sk-ant-test$/);
    expect(anthropic.requests.at(-1)!.body).toMatchObject({ max_tokens: 50, messages: [{ role: 'user', content: 'two words' }] });
    expect(ollama.requests.at(-1)!.body).toMatchObject({ stream: false, options: { num_predict: 50, temperature: 0.7 } });
  });

  it.each(['openai', 'anthropic', 'local'])('%s streams server-sent events: start, text, done with usage', async (provider) => {
    const res = await generate({ prompt: 'stream this please', provider, stream: true });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/event-stream');
    const frames = parseSse(res.body);
    expect(frames[0]!.event).toBe('start');
    expect(frames.at(-1)).toMatchObject({ event: 'done', data: { usage: { prompt_tokens: 3, completion_tokens: 8 } } });
    const text = frames
      .filter((f) => f.event === 'message')
      .map((f) => f.data.text)
      .join('');
    expect(text).toBe(`Hello from ${provider === 'local' ? 'ollama' : provider}, you said: stream this please`);
    expect(frames.filter((f) => f.event === 'message').length).toBeGreaterThan(3);
  });
});

describe('retries, timeouts and fallbacks', () => {
  it('waits for Retry-After on a 429, then succeeds on the same provider (one retry policy: the SDK does not retry)', async () => {
    const before = openai.requests.length;
    openai.script({ status: 429, retryAfter: '1' });
    const started = Date.now();
    const res = await generate({ prompt: 'rate limited', provider: 'openai' });
    expect(res.statusCode).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(openai.requests.length - before).toBe(2);
  });

  it('retries a 5xx with backoff, then succeeds', async () => {
    anthropic.script({ status: 529, message: 'Overloaded' });
    const res = await generate({ prompt: 'overloaded once', provider: 'anthropic' });
    expect(res.statusCode).toBe(200);
    expect(res.json().fallbacks).toEqual([]);
  });

  it("gives up on a slow provider at its timeout and falls back to the next in the request's chain", async () => {
    openai.script({ delayMs: 1_500 });
    const res = await generate({ prompt: 'too slow', provider: 'openai', fallback: ['local:qwen2.5:0.5b'] });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ provider: 'ollama', model: 'qwen2.5:0.5b' });
    expect(res.json().fallbacks).toEqual([{ provider: 'openai', model: 'gpt-4o-mini', reason: 'no answer within 400 ms' }]);
  });

  it("follows a model alias's chain", async () => {
    openai.script({ status: 401, message: 'Incorrect API key provided' });
    const res = await generate({ prompt: 'alias', model: 'resilient' });
    expect(res.json()).toMatchObject({ provider: 'anthropic', model: 'claude-haiku-4-5' });
    expect(res.json().fallbacks[0].reason).toContain('HTTP 401');
  });

  it("chooses a stream's fallback before the first byte", async () => {
    ollama.script({ status: 500, message: 'model crashed' }, { status: 500, message: 'model crashed' });
    const res = await generate({ prompt: 'stream fallback', provider: 'local', stream: true, fallback: ['openai'] });
    const frames = parseSse(res.body);
    expect(frames[0]).toMatchObject({ event: 'start', data: { provider: 'openai', fallbacks: [{ provider: 'ollama', reason: 'HTTP 500: model crashed' }] } });
    expect(frames.at(-1)!.event).toBe('done');
  });

  it.each(['openai', 'anthropic', 'local'])('%s: a stream that breaks mid-way ends with an error event', async (provider) => {
    const fake = { openai, anthropic, local: ollama }[provider]!;
    fake.script({ breakAfter: 2 });
    const res = await generate({ prompt: 'break in the middle please', provider, stream: true });
    expect(res.statusCode).toBe(200);
    const frames = parseSse(res.body);
    expect(frames.filter((f) => f.event === 'message')).toHaveLength(2);
    expect(frames.at(-1)).toMatchObject({ event: 'error', data: { code: 'UPSTREAM_UNAVAILABLE' } });
  });

  it('a stream that falls silent mid-way ends with an error event at the timeout', async () => {
    anthropic.script({ stallAfter: 1 });
    const res = await generate({ prompt: 'stall after the first words', provider: 'anthropic', stream: true });
    const frames = parseSse(res.body);
    expect(frames.filter((f) => f.event === 'message')).toHaveLength(1);
    expect(frames.at(-1)).toMatchObject({ event: 'error', data: { detail: 'The provider failed mid-stream: no answer within 400 ms' } });
  });

  it("answers 503 listing each provider's reason when all are down", async () => {
    openai.script({ status: 503 }, { status: 503 });
    anthropic.script({ status: 429, retryAfter: '120' });
    ollama.script({ status: 404, message: "model 'llama3.2' not found" });
    const res = await generate({ prompt: 'anyone?', provider: 'openai', fallback: ['anthropic', 'local'] });
    expect(res.statusCode).toBe(503);
    expect(res.json().code).toBe('AI_PROVIDERS_UNAVAILABLE');
    expect(res.json().providers).toEqual([
      { provider: 'openai', model: 'gpt-4o-mini', reason: 'HTTP 503: simulated 503' },
      { provider: 'anthropic', model: 'claude-haiku-4-5', reason: 'HTTP 429: simulated 429 (asked to retry after 120 s)' },
      { provider: 'ollama', model: 'llama3.2', reason: "HTTP 404: model 'llama3.2' not found" },
    ]);
    expect(res.headers['retry-after']).toBe('120');
  });
});

describe('bad input', () => {
  it('unknown provider or model → 400 listing the valid ones', async () => {
    const p = await generate({ prompt: 'x', provider: 'gemini' });
    expect([p.statusCode, p.json().code]).toEqual([400, 'AI_UNKNOWN_PROVIDER']);
    expect(p.json().valid).toEqual(['openai', 'anthropic', 'ollama', 'local']);
    const m = await generate({ prompt: 'x', provider: 'anthropic', model: 'gpt-9' });
    expect([m.statusCode, m.json().code]).toEqual([400, 'AI_UNKNOWN_MODEL']);
    expect(m.json().valid).toEqual(expect.arrayContaining(['anthropic:claude-haiku-4-5', 'anthropic:claude-sonnet-4-5', 'resilient']));
    const f = await generate({ prompt: 'x', provider: 'openai', fallback: ['nope:model'] });
    expect(f.json().code).toBe('AI_UNKNOWN_PROVIDER');
  });

  it('empty or over-limit prompt → 422 with the limit', async () => {
    const empty = await generate({ prompt: '   ' });
    expect([empty.statusCode, empty.json().code]).toEqual([422, 'AI_TEXT_EMPTY']);
    const long = await generate({ prompt: 'x'.repeat(2_001) });
    expect([long.statusCode, long.json().code, long.json().limit, long.json().length]).toEqual([422, 'AI_TEXT_TOO_LONG', 2_000, 2_001]);
  });

  it("a configured limit replaces the contract's: generate=50 passes 50 characters and refuses 51", async () => {
    const limited = await startAi({ ...providerEnv({ openai }), PITCHEY_AI_TEXT_LIMITS: 'generate=50' });
    try {
      const send = (prompt: string) => limited.svc.app.inject({ method: 'POST', url: '/generate', headers: { 'x-api-key': TEST_KEY }, payload: { prompt, provider: 'openai', cache: false } });
      expect((await send('x'.repeat(50))).statusCode).toBe(200);
      const long = await send('x'.repeat(51));
      expect([long.statusCode, long.json().code, long.json().limit, long.json().length]).toEqual([422, 'AI_TEXT_TOO_LONG', 50, 51]);
    } finally {
      await limited.close();
    }
  });

  it('a key over its budget → 429 with its own code; /usage shows the spend', async () => {
    expect((await generate({ prompt: 'first one is within budget', provider: 'openai' }, BUDGET_KEY)).statusCode).toBe(200);
    const over = await generate({ prompt: 'second is over', provider: 'openai' }, BUDGET_KEY);
    expect([over.statusCode, over.json().code]).toEqual([429, 'AI_BUDGET_EXCEEDED']);
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    const usage = (await ai.svc.app.inject({ method: 'GET', url: '/usage', headers: { 'x-api-key': BUDGET_KEY } })).json();
    expect(usage).toMatchObject({ principal: keyId(BUDGET_KEY), budget_usd: 0.000001, remaining_usd: 0, by_model: [{ provider: 'openai', model: 'gpt-4o-mini', requests: 1 }] });
    expect(usage.spent_usd).toBeGreaterThan(0.000001);
  });
});

describe('cache', () => {
  it('answers the same normalised request from the cache, unless bypassed', async () => {
    const before = ollama.requests.length;
    const a = await generate({ prompt: 'cache me', provider: 'local', cache: true });
    const b = await generate({ prompt: '  cache me ', provider: 'local', cache: true, temperature: 0.7 });
    expect([a.headers['x-cache'], b.headers['x-cache']]).toEqual(['miss', 'hit']);
    expect(b.json()).toMatchObject({ cached: true, generated_text: a.json().generated_text });
    const c = await generate({ prompt: 'cache me', provider: 'local', cache: false });
    expect(c.headers['x-cache']).toBe('bypass');
    expect(ollama.requests.length - before).toBe(2);
  });
});

describe('models and logs', () => {
  it('GET /models lists local models and each provider, reachable now, with live models', async () => {
    const res = await ai.svc.app.inject({ method: 'GET', url: '/models' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.loaded.map((m: { name: string }) => m.name)).toEqual(expect.arrayContaining(['sentiment', 'moderation', 'language']));
    const byName = Object.fromEntries(body.providers.map((p: { name: string }) => [p.name, p]));
    expect(byName.openai).toMatchObject({ configured: true, available: true, reason: null });
    expect(byName.ollama).toMatchObject({ aliases: ['local'], available: true, live_models: ['llama3.2', 'qwen2.5:0.5b'] });
    expect(byName.openai.models).toContain('served-only-model');
  });

  it('counts provider calls and tokens in /metrics', async () => {
    const text = (await ai.svc.app.inject({ method: 'GET', url: '/metrics', headers: { 'x-api-key': TEST_KEY } })).body;
    expect(text).toMatch(/pitchey_ai_provider_calls_total\{provider="openai",outcome="ok"\} [1-9]/);
    expect(text).toMatch(/pitchey_ai_provider_calls_total\{provider="openai",outcome="error"\} [1-9]/);
    expect(text).toMatch(/pitchey_ai_tokens_total\{provider="anthropic",direction="out"\} [1-9]/);
  });

  it('never logs prompts or completions at info level', () => {
    const all = ai.logs.join('');
    expect(all).toContain('"msg":"generation"');
    expect(all).not.toContain('two words');
    expect(all).not.toContain('you said');
  });
});
