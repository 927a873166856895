// Who judges /moderate and /v1/moderations: the offline checks by default (and saying they were
// all there was), OpenAI's moderation endpoint, or a guard model (Llama Guard through Ollama),
// chosen by setting or request, falling back to the offline checks when a provider fails.
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_KEY } from '../../helpers.js';
import { startFakeProvider, type FakeProvider } from '../../support/ai-providers.js';
import { providerEnv, startAi, type AiUnderTest } from '../../support/ai-service.js';

let openai: FakeProvider;
let ollama: FakeProvider;
let ai: AiUnderTest;
let guarded: AiUnderTest;
let sdk: OpenAI;

const env = () => ({ ...providerEnv({ openai, ollama }), PITCHEY_RATE_LIMIT: 'false', PITCHEY_AI_RETRIES: '1', PITCHEY_AI_BREAKER_FAILURES: '100' });

beforeAll(async () => {
  [openai, ollama] = await Promise.all([startFakeProvider('openai', { models: ['gpt-4o-mini'] }), startFakeProvider('ollama', { models: ['llama3.2', 'llama-guard3'] })]);
  [ai, guarded] = await Promise.all([startAi(env()), startAi({ ...env(), PITCHEY_AI_MODERATION: 'guard:ollama:llama-guard3' })]);
  sdk = new OpenAI({ apiKey: TEST_KEY, baseURL: `http://127.0.0.1:${(ai.svc.app.server.address() as AddressInfo).port}/v1`, maxRetries: 0 });
});
afterAll(async () => {
  await Promise.all([ai.close(), guarded.close()]);
  await Promise.all([openai.close(), ollama.close()]);
});

const moderate = (svc: AiUnderTest, payload: Record<string, unknown>) =>
  svc.svc.app.inject({ method: 'POST', url: '/moderate', headers: { 'x-api-key': TEST_KEY }, payload }).then((r) => {
    expect(r.statusCode, r.body).toBe(200);
    return r.json();
  });

describe('/moderate', () => {
  it('by default the offline checks judge, and the answer says they were the only judge', async () => {
    const m = await moderate(ai, { content: 'you are a worthless idiot and everyone hates you' });
    expect(m).toMatchObject({ flagged: true, approved: false, judged_by: { judge: 'offline', provider: null }, offline_only: true, fallback_reason: null, categories: { harassment: true } });
    expect(m.notice).toMatch(/only by the offline checks/);
    expect(m.flags).toContain('harassment');
    expect(m.evidence[0]).toMatchObject({ category: 'harassment', source: 'pattern' });
  });

  it("judge: openai asks OpenAI's moderation endpoint and says so", async () => {
    openai.script({ flag: ['harassment', 'violence'] });
    const m = await moderate(ai, { content: 'something nasty', judge: 'openai' });
    expect(m).toMatchObject({ flagged: true, judged_by: { judge: 'openai', provider: 'openai', model: 'omni-moderation-latest' }, offline_only: false, notice: null });
    expect(m.categories).toMatchObject({ harassment: true, violence: true, hate: false });
    expect(m.assessed_categories).toHaveLength(13);
    expect(openai.requests.at(-1)).toMatchObject({ path: '/v1/moderations', body: { model: 'omni-moderation-latest', input: ['something nasty'] } });
  });

  it('falls back to the offline checks when the provider fails, saying why', async () => {
    openai.script({ status: 500 }, { status: 500 });
    const m = await moderate(ai, { content: 'I will kill you tomorrow', judge: 'openai' });
    expect(m).toMatchObject({ flagged: true, judged_by: { judge: 'offline' }, offline_only: true, categories: { violence: true } });
    expect(m.fallback_reason).toMatch(/^openai:omni-moderation-latest could not judge: .*HTTP 500/);
  });

  it('the setting picks a guard model (Llama Guard through Ollama); its hazard codes become categories', async () => {
    ollama.script({ text: 'unsafe\nS1,S10' }, { text: 'safe' });
    const unsafe = await moderate(guarded, { content: 'they should all disappear' });
    expect(unsafe).toMatchObject({
      flagged: true,
      judged_by: { judge: 'guard', provider: 'ollama', model: 'llama-guard3' },
      offline_only: false,
      categories: { violence: true, hate: true, harassment: false },
    });
    expect(unsafe.assessed_categories).toContain('hate');
    expect(unsafe.assessed_categories).not.toContain('harassment/threatening');
    expect(ollama.requests.at(-1)!.body).toMatchObject({ model: 'llama-guard3', messages: [{ role: 'user', content: 'they should all disappear' }], options: { temperature: 0 } });
    expect(await moderate(guarded, { content: 'Have a nice day' })).toMatchObject({ flagged: false, approved: true, judged_by: { judge: 'guard' } });
  });

  it('a guard answer that is neither safe nor unsafe is a failure: the offline checks judge', async () => {
    ollama.script({ text: 'I am not sure what you mean' });
    const m = await moderate(guarded, { content: 'I will kill you tomorrow' });
    expect(m).toMatchObject({ judged_by: { judge: 'offline' }, flagged: true });
    expect(m.fallback_reason).toMatch(/not safe\/unsafe/);
  });

  it('the hard block holds whoever judges', async () => {
    openai.script({ flag: [] });
    const m = await moderate(ai, { content: 'selling nude pictures of underage girls', judge: 'openai' });
    expect(m).toMatchObject({ flagged: true, hard_block: true, judged_by: { judge: 'openai' }, categories: { 'sexual/minors': true } });
  });

  it('an unknown judge is a 400 naming the choices', async () => {
    const res = await ai.svc.app.inject({ method: 'POST', url: '/moderate', headers: { 'x-api-key': TEST_KEY }, payload: { content: 'x', judge: 'magic' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().detail).toContain('offline, openai');
  });
});

describe('/v1/moderations with the official SDK', () => {
  it('offline: every example from issue 22 is flagged, and the answer says only the offline checks judged', async () => {
    const r = await sdk.moderations.create({
      model: 'offline',
      input: ['you are a worthless idiot and everyone hates you', 'I will kill you tomorrow', 'go back to your country you dirty immigrant', 'you f.u.c.k.i.n.g idiot', 'I could kill for a coffee'],
    });
    expect(r.results.map((x) => x.flagged)).toEqual([true, true, true, true, false]);
    expect(r.results[1]!.categories['harassment/threatening']).toBe(true);
    expect(r).toMatchObject({ judged_by: { judge: 'offline' }, offline_only: true });
  });

  it('an OpenAI moderation model is asked at OpenAI', async () => {
    openai.script({ flag: ['self-harm'] });
    const r = await sdk.moderations.create({ model: 'omni-moderation-latest', input: 'text' });
    expect(r.results[0]).toMatchObject({ flagged: true, categories: { 'self-harm': true } });
    expect(r.model).toBe('omni-moderation-latest');
  });

  it('any other model name is a guard model', async () => {
    ollama.script({ text: 'unsafe\nS11' });
    const r = await sdk.moderations.create({ model: 'llama-guard3', input: 'text' });
    expect(r.results[0]!.categories['self-harm']).toBe(true);
    expect(r).toMatchObject({ model: 'llama-guard3', judged_by: { judge: 'guard', provider: 'ollama' } });
  });
});
