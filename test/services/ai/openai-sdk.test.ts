// The OpenAI-compatible /v1 API as a stock client uses it: the official `openai` SDK with
// `baseURL` at the service (and once through a real gateway), against local servers speaking
// OpenAI's, Anthropic's and Ollama's wire protocols.
import type { AddressInfo } from 'node:net';
import OpenAI, { APIError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../../src/gateway/index.js';
import { createMetrics, keyId } from '../../../src/kit/index.js';
import { TEST_KEY, makeTempDir, testConfig } from '../../helpers.js';
import { startFakeProvider, type FakeProvider } from '../../support/ai-providers.js';
import { providerEnv, startAi, type AiUnderTest } from '../../support/ai-service.js';

const BUDGET_KEY = 'budget-key-0123456789abcdef';
const USAGE_KEY = 'usage-key-0123456789abcdef';
let openai: FakeProvider;
let anthropic: FakeProvider;
let ollama: FakeProvider;
let ai: AiUnderTest;
let base: string;

beforeAll(async () => {
  [openai, anthropic, ollama] = await Promise.all([
    startFakeProvider('openai', { models: ['gpt-4o-mini', 'text-embedding-3-small'] }),
    startFakeProvider('anthropic', { models: ['claude-haiku-4-5'] }),
    startFakeProvider('ollama', { models: ['llama3.2', 'nomic-embed-text'] }),
  ]);
  ai = await startAi({
    ...providerEnv({ openai, anthropic, ollama }),
    PITCHEY_API_KEYS: `${TEST_KEY},${BUDGET_KEY}:ai,${USAGE_KEY}:ai`,
    PITCHEY_RATE_LIMIT: 'false',
    PITCHEY_AI_RETRIES: '1',
    PITCHEY_AI_TIMEOUT_MS: '2000',
    PITCHEY_AI_BREAKER_FAILURES: '100',
    PITCHEY_AI_ALIASES: 'resilient=openai:gpt-4o-mini|anthropic:claude-haiku-4-5',
    PITCHEY_AI_BUDGETS: `${keyId(BUDGET_KEY)}=0.000001`,
  });
  base = `http://127.0.0.1:${(ai.svc.app.server.address() as AddressInfo).port}/v1`;
});
afterAll(async () => {
  await ai.close();
  await Promise.all([openai.close(), anthropic.close(), ollama.close()]);
});

const client = (apiKey = TEST_KEY, options: { maxRetries?: number; baseURL?: string } = {}) => new OpenAI({ apiKey, baseURL: options.baseURL ?? base, maxRetries: options.maxRetries ?? 0 });
const WEATHER_TOOL = {
  type: 'function' as const,
  function: { name: 'get_weather', description: 'Weather in a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
};
const MODELS = [
  ['openai', 'gpt-4o-mini'],
  ['anthropic', 'anthropic:claude-haiku-4-5'],
  ['ollama', 'llama3.2'],
] as const;
const fakeOf = (name: string) => ({ openai, anthropic, ollama })[name]!;

describe('chat completions with the official SDK', () => {
  it.each(MODELS)("%s answers in OpenAI's shape, with usage", async (provider, model) => {
    const r = await client().chat.completions.create({
      model,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'two words' },
      ],
      cache: false,
    } as never);
    expect(r.object).toBe('chat.completion');
    expect(r.id).toMatch(/^chatcmpl-/);
    expect(r.choices[0]!.message.content).toBe(`Hello from ${provider}, you said: two words`);
    expect(r.choices[0]!.finish_reason).toBe('stop');
    expect(r.usage).toEqual({ prompt_tokens: 2, completion_tokens: 7, total_tokens: 9 });
  });

  it.each(MODELS)("%s streams through the SDK's stream helper, ending with usage", async (provider, model) => {
    const stream = client().chat.completions.stream({ model, messages: [{ role: 'user', content: 'stream this please' }], stream_options: { include_usage: true } });
    const deltas: string[] = [];
    stream.on('content', (delta) => deltas.push(delta));
    const final = await stream.finalChatCompletion();
    expect(final.choices[0]!.message.content).toBe(`Hello from ${provider}, you said: stream this please`);
    expect(deltas.length).toBeGreaterThan(3);
    expect(final.choices[0]!.finish_reason).toBe('stop');
    expect(final.usage).toMatchObject({ prompt_tokens: 3, completion_tokens: 8, total_tokens: 11 });
  });

  it('a raw stream is OpenAI SSE ending in data: [DONE]; usage only when asked for', async () => {
    const res = await fetch(`${base}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'llama3.2', messages: [{ role: 'user', content: 'hi' }], stream: true }),
    });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const frames = (await res.text()).split('\n\n').filter(Boolean);
    expect(frames.at(-1)).toBe('data: [DONE]');
    const chunks = frames.slice(0, -1).map((f) => JSON.parse(f.slice('data: '.length)) as { object: string; usage?: unknown; choices: { finish_reason: string | null }[] });
    expect(chunks.every((c) => c.object === 'chat.completion.chunk' && c.usage === undefined)).toBe(true);
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe('stop');
  });

  it.each(MODELS)('%s: tool calls come back as OpenAI tool_calls, plain and streamed', async (provider, model) => {
    const fake = fakeOf(provider);
    fake.script({ toolCall: { name: 'get_weather', arguments: { city: 'Paris' } } }, { toolCall: { name: 'get_weather', arguments: { city: 'Oslo' } } });
    const plain = (await client().chat.completions.create({
      model,
      messages: [{ role: 'user', content: 'weather in Paris?' }],
      tools: [WEATHER_TOOL],
      cache: false,
    } as never)) as OpenAI.ChatCompletion;
    expect(plain.choices[0]!.finish_reason).toBe('tool_calls');
    const call = plain.choices[0]!.message.tool_calls![0]!;
    expect(call.type === 'function' && call.function.name).toBe('get_weather');
    expect(call.type === 'function' && JSON.parse(call.function.arguments)).toEqual({ city: 'Paris' });
    const sent = fake.requests.at(-1)!.body;
    if (provider === 'anthropic') expect(sent.tools).toEqual([{ name: 'get_weather', description: 'Weather in a city', input_schema: WEATHER_TOOL.function.parameters }]);
    else expect(sent.tools).toEqual([WEATHER_TOOL]);

    const streamed = await client()
      .chat.completions.stream({ model, messages: [{ role: 'user', content: 'weather in Oslo?' }], tools: [WEATHER_TOOL] })
      .finalChatCompletion();
    const sCall = streamed.choices[0]!.message.tool_calls![0]!;
    expect(streamed.choices[0]!.finish_reason).toBe('tool_calls');
    expect(sCall.type === 'function' && JSON.parse(sCall.function.arguments)).toEqual({ city: 'Oslo' });
  });

  it("a tool's answer goes back in each protocol's own shape (Anthropic: tool_use then tool_result)", async () => {
    const messages = [
      { role: 'user' as const, content: 'weather in Paris?' },
      { role: 'assistant' as const, content: null, tool_calls: [{ id: 'call_1', type: 'function' as const, function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
      { role: 'tool' as const, tool_call_id: 'call_1', content: '18 °C, sunny' },
    ];
    await client().chat.completions.create({ model: 'anthropic:claude-haiku-4-5', messages, tools: [WEATHER_TOOL] });
    expect(anthropic.requests.at(-1)!.body.messages).toEqual([
      { role: 'user', content: 'weather in Paris?' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_1', content: '18 °C, sunny' }] },
    ]);
    await client().chat.completions.create({ model: 'llama3.2', messages, tools: [WEATHER_TOOL] });
    expect(ollama.requests.at(-1)!.body.messages).toMatchObject([
      { role: 'user' },
      { role: 'assistant', tool_calls: [{ function: { name: 'get_weather', arguments: { city: 'Paris' } } }] },
      { role: 'tool', content: '18 °C, sunny' },
    ]);
  });
});

describe('JSON output (response_format)', () => {
  const schema = { type: 'object', properties: { title: { type: 'string' } }, required: ['title'] };

  it('is passed to OpenAI as is, and to Ollama as its `format`', async () => {
    await client().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'json please' }], response_format: { type: 'json_object' }, cache: false } as never);
    expect(openai.requests.at(-1)!.body.response_format).toEqual({ type: 'json_object' });
    await client().chat.completions.create({ model: 'llama3.2', messages: [{ role: 'user', content: 'json please' }], response_format: { type: 'json_object' }, cache: false } as never);
    expect(ollama.requests.at(-1)!.body.format).toBe('json');
    await client().chat.completions.create({
      model: 'llama3.2',
      messages: [{ role: 'user', content: 'a title' }],
      response_format: { type: 'json_schema', json_schema: { name: 'film', schema, strict: true } },
    });
    expect(ollama.requests.at(-1)!.body.format).toEqual(schema);
  });

  it('skips Anthropic in a chain (it has no JSON mode), and is a 400 when only Anthropic is left', async () => {
    const { response } = await client()
      .chat.completions.create({
        model: 'anthropic:claude-haiku-4-5',
        fallbacks: ['llama3.2'],
        messages: [{ role: 'user', content: 'json' }],
        response_format: { type: 'json_object' },
        cache: false,
      } as never)
      .withResponse();
    expect(response.headers.get('x-pitchey-provider')).toBe('ollama');
    const err = await client()
      .chat.completions.create({ model: 'anthropic:claude-haiku-4-5', messages: [{ role: 'user', content: 'json' }], response_format: { type: 'json_object' } })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 400, code: 'ai_not_supported', param: 'response_format' });
  });
});

describe('the provider layer under the OpenAI surface', () => {
  it("falls back along an alias's chain after a 429 whose Retry-After is too long to wait", async () => {
    openai.script({ status: 429, retryAfter: '30' });
    const { data, response } = await client()
      .chat.completions.create({ model: 'resilient', messages: [{ role: 'user', content: 'rate limited' }], cache: false } as never)
      .withResponse();
    expect(data.choices[0]!.message.content).toBe('Hello from anthropic, you said: rate limited');
    expect(response.headers.get('x-pitchey-provider')).toBe('anthropic');
    expect(response.headers.get('x-pitchey-fallbacks')).toBe('1');
  });

  it("also follows the request's own `fallbacks`", async () => {
    ollama.script({ status: 500 }, { status: 500 });
    const r = (await client().chat.completions.create({ model: 'llama3.2', fallbacks: ['gpt-4o-mini'], messages: [{ role: 'user', content: 'x' }] } as never)) as OpenAI.ChatCompletion;
    expect(r.choices[0]!.message.content).toContain('Hello from openai');
  });

  it('a spent budget is a 429 insufficient_quota that the SDK does not retry', async () => {
    const before = openai.requests.length;
    await client(BUDGET_KEY).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'spend it' }] });
    const refused = await client(BUDGET_KEY, { maxRetries: 3 })
      .chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'again' }] })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OpenAI.RateLimitError);
    expect((refused as APIError).code).toBe('insufficient_quota');
    expect((refused as APIError).type).toBe('insufficient_quota');
    expect(openai.requests.length - before).toBe(1);
  });

  it('accounts usage per key for plain and streamed completions', async () => {
    const c = client(USAGE_KEY);
    await c.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'count me' }], cache: false } as never);
    await c.chat.completions.stream({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'count me too' }] }).finalChatCompletion();
    const usage = (await ai.svc.app.inject({ method: 'GET', url: '/usage', headers: { 'x-api-key': USAGE_KEY } })).json();
    expect(usage.by_model).toEqual([expect.objectContaining({ provider: 'openai', model: 'gpt-4o-mini', requests: 2, input_tokens: 2 + 3, output_tokens: 7 + 8 })]);
    expect(usage.spent_usd).toBeGreaterThan(0);
  });

  it('answers the same request from the cache the second time', async () => {
    const ask = () =>
      client()
        .chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'cache me' }], temperature: 0 })
        .withResponse();
    const first = await ask();
    const second = await ask();
    expect(first.response.headers.get('x-cache')).toBe('miss');
    expect(second.response.headers.get('x-cache')).toBe('hit');
    expect(second.data.choices).toEqual(first.data.choices);
    expect(second.data.id).not.toBe(first.data.id);
  });
});

describe('errors are OpenAI error objects', () => {
  it('an unknown model is a 404 model_not_found', async () => {
    const err = await client()
      .chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
    expect(err).toMatchObject({ status: 404, code: 'model_not_found', type: 'invalid_request_error' });
  });

  it('a wrong key is a 401 invalid_api_key', async () => {
    const err = await client('not-a-key-0123456789')
      .models.list()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(err).toMatchObject({ code: 'invalid_api_key' });
  });

  it('a parameter this service cannot honour is a 400 naming it', async () => {
    const err = await client()
      .chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }], logprobs: true })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as APIError).message).toContain('logprobs');
    const bad = await client()
      .chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'wizard' as 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(bad).toMatchObject({ status: 400, param: 'messages[0].role' });
  });

  it.each(['openai', 'anthropic', 'ollama'])('%s: a stream that breaks mid-way raises an APIError in the SDK, after the text so far', async (provider) => {
    fakeOf(provider).script({ breakAfter: 2 });
    const model = MODELS.find(([p]) => p === provider)![1];
    const stream = await client().chat.completions.create({ model, messages: [{ role: 'user', content: 'break in the middle please' }], stream: true });
    const received: string[] = [];
    const failed = await (async () => {
      for await (const chunk of stream) received.push(chunk.choices[0]?.delta.content ?? '');
    })().catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(APIError);
    expect((failed as APIError).message).toMatch(/failed mid-stream/);
    expect(received.join('')).not.toBe('');
  });

  it("no provider able to answer is a 503 server_error naming each one's reason", async () => {
    ollama.script({ status: 500 }, { status: 500 });
    const err = await client()
      .chat.completions.create({ model: 'llama3.2', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.InternalServerError);
    expect(err).toMatchObject({ status: 503, type: 'server_error', code: 'ai_providers_unavailable' });
    expect((err as APIError).message).toContain('ollama (llama3.2): HTTP 500');
  });

  it('an unknown /v1 path is an OpenAI 404, not a problem document', async () => {
    const res = await fetch(`${base}/completions`, { method: 'POST', headers: { authorization: `Bearer ${TEST_KEY}` } });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { type: 'invalid_request_error', code: 'unknown_url' } });
    const wrongMethod = await fetch(`${base}/chat/completions`, { headers: { authorization: `Bearer ${TEST_KEY}` } });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
    expect(await wrongMethod.json()).toMatchObject({ error: { code: 'method_not_allowed' } });
  });
});

describe('models and embeddings', () => {
  it("lists aliases and each provider's models", async () => {
    const ids = [];
    for await (const m of client().models.list()) ids.push(`${m.owned_by}/${m.id}`);
    expect(ids).toEqual(expect.arrayContaining(['pitchey/resilient', 'openai/gpt-4o-mini', 'anthropic/claude-haiku-4-5', 'ollama/llama3.2']));
    expect((await client().models.retrieve('llama3.2')).owned_by).toBe('ollama');
  });

  it.each([['text-embedding-3-small'], ['nomic-embed-text']])('%s embeds (the SDK asks for base64 and decodes it)', async (model) => {
    const r = await client().embeddings.create({ model, input: ['one two three', 'four'] });
    expect(r.data.map((d) => d.embedding)).toEqual([
      [13, 3, 0.5],
      [4, 1, 0.5],
    ]);
    expect(r.usage).toEqual({ prompt_tokens: 4, total_tokens: 4 });
  });

  it('a provider without embeddings is a 400 that says so', async () => {
    const err = await client()
      .embeddings.create({ model: 'anthropic:claude-haiku-4-5', input: 'x' })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 400, code: 'ai_not_supported' });
  });
});

describe('through the gateway at /api/ai/v1', () => {
  const tmp = makeTempDir();
  let gateway: Gateway;
  let viaGateway: string;
  beforeAll(async () => {
    gateway = await createGateway({ config: testConfig(tmp.dir, { PITCHEY_RATE_LIMIT: 'false' }), metrics: createMetrics({ defaultMetrics: false }), healthIntervalMs: 60_000 });
    gateway.pools.get('ai')?.setInstances([{ id: 'ai-a', url: base.replace(/\/v1$/, ''), track: 'stable', version: 'v1' }], { healthy: true });
    viaGateway = `http://127.0.0.1:${await gateway.listen(0, '127.0.0.1')}/api/ai/v1`;
  });
  afterAll(async () => {
    await gateway.close();
    tmp.remove();
  });

  it('chat, streamed and not, and errors, as the SDK sees them', async () => {
    const c = client(TEST_KEY, { baseURL: viaGateway });
    const r = (await c.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'via gateway' }], cache: false } as never)) as OpenAI.ChatCompletion;
    expect(r.choices[0]!.message.content).toBe('Hello from openai, you said: via gateway');
    const s = await c.chat.completions
      .stream({ model: 'anthropic:claude-haiku-4-5', messages: [{ role: 'user', content: 'stream via gateway' }], stream_options: { include_usage: true } })
      .finalChatCompletion();
    expect(s.choices[0]!.message.content).toBe('Hello from anthropic, you said: stream via gateway');
    expect(s.usage?.total_tokens).toBe(11);
    await expect(c.chat.completions.create({ model: 'nope', messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });
});
