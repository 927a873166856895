import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { TEST_KEY } from '../../helpers.js';
import { startAi, type AiUnderTest } from '../../support/ai-service.js';

let ai: AiUnderTest;
const headers = { 'x-api-key': TEST_KEY };
const post = (url: string, payload: unknown) => ai.svc.app.inject({ method: 'POST', url, headers, payload: payload as Record<string, unknown> });

beforeAll(async () => {
  ai = await startAi({ PITCHEY_AI_TEXT_LIMITS: 'classify=200,moderate=300' });
});
afterAll(async () => {
  await ai.close();
});

const SUPPORT = [
  'My order never arrived and I want a refund',
  'The parcel is late, where is my delivery',
  'Refund my payment please, the item was broken',
  'I was charged twice for one order',
  'Tracking says delivered but nothing came',
  'Money back please, wrong size sent',
];
const SALES = [
  'Do you offer discounts for bulk purchases',
  'What is the price of the premium plan',
  'Can I get a quote for fifty licences',
  'Is there an enterprise pricing tier',
  'How much does the annual subscription cost',
  'Do you have a student discount on plans',
];
const examples = [...SUPPORT.map((text) => ({ text, label: 'support' })), ...SALES.map((text) => ({ text, label: 'sales' }))];

describe('/analyze', () => {
  it("answers the contract's fields plus readability, keywords, language and content flags", async () => {
    const content = 'I absolutely love this new phone. The battery lasts for days! Write to me at jane@example.com.';
    const res = await post('/analyze', { content });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ content, analysis_type: 'comprehensive', metrics: { character_count: content.length, sentence_count: 3 }, language: 'eng' });
    expect(body.metrics.word_count).toBeGreaterThan(14);
    expect(body.sentiment.label).toBe('positive');
    expect(body.readability.flesch_reading_ease).toEqual(expect.any(Number));
    expect(body.keywords.map((k: { keyword: string }) => k.keyword)).toContain('battery');
    expect(body.content_flags).toEqual(['pii']);
    expect(body.pii[0]).toMatchObject({ type: 'email', start: content.indexOf('jane'), masked: 'j***@example.com' });
    expect(Date.parse(body.timestamp)).not.toBeNaN();
  });
  it('refuses empty and over-limit content with 422 naming the limit', async () => {
    expect((await post('/analyze', { content: '' })).json()).toMatchObject({ status: 422, code: 'AI_TEXT_EMPTY', limit: 10_000 });
    expect((await post('/analyze', { content: 'a'.repeat(10_001) })).json()).toMatchObject({ status: 422, code: 'AI_TEXT_TOO_LONG', limit: 10_000, length: 10_001 });
  });
  it("rate-limits per client at the contract's 30 per minute", async () => {
    const other = await startAi();
    try {
      const codes: number[] = [];
      for (let i = 0; i < 31; i++) codes.push((await other.svc.app.inject({ method: 'POST', url: '/analyze', headers, payload: { content: 'fine' } })).statusCode);
      expect(codes.slice(0, 30).every((c) => c === 200)).toBe(true);
      expect(codes[30]).toBe(429);
    } finally {
      await other.close();
    }
  });
});

describe('/classify and /classifiers', () => {
  it('classifies sentiment by default, scores summing to 1', async () => {
    const res = await post('/classify', { text: 'What a wonderful experience, thank you!' });
    const body = res.json();
    expect(body.model).toBe('sentiment');
    expect(body.classification[0].label).toBe('positive');
    expect(body.confidence).toBe(body.classification[0].score);
    expect(body.classification.reduce((s: number, c: { score: number }) => s + c.score, 0)).toBeCloseTo(1, 10);
  });
  it('honours a configured limit (classify=200 here)', async () => {
    expect((await post('/classify', { text: 'x'.repeat(201) })).json()).toMatchObject({ code: 'AI_TEXT_TOO_LONG', limit: 200 });
  });
  it('trains a named classifier, reports held-out accuracy, persists versions, classifies with ?model=', async () => {
    const v1 = await post('/classifiers', { name: 'intent', examples });
    expect(v1.statusCode, v1.body).toBe(201);
    expect(v1.json()).toMatchObject({ name: 'intent', version: 1, labels: ['sales', 'support'], examples: 12, heldOut: 4 });
    expect(v1.json().held_out_accuracy).toBeGreaterThanOrEqual(0.75);
    expect((await post('/classifiers', { name: 'intent', examples })).json().version).toBe(2);
    expect(readdirSync(join(ai.svc.ctx.dataDir, 'classifiers', 'intent')).sort()).toEqual(['v1.json', 'v2.json']);

    const res = await post('/classify?model=intent', { text: 'how much is the business plan price' });
    expect(res.json()).toMatchObject({ model: 'intent@2', classification: [{ label: 'sales' }, { label: 'support' }] });
    expect(res.json().classification[0].score + res.json().classification[1].score).toBeCloseTo(1, 10);
    expect(res.json().confidence).toBeGreaterThan(0.5);
    const v1res = (await post('/classify', { text: 'my refund for the broken order', model: 'intent@1' })).json();
    expect([v1res.model, v1res.classification[0].label]).toEqual(['intent@1', 'support']);
    const models = (await ai.svc.app.inject({ method: 'GET', url: '/models' })).json();
    expect(models.loaded.find((m: { name: string }) => m.name === 'intent')).toMatchObject({ version: 2, labels: ['sales', 'support'] });
  });
  it('reloads a trained classifier from disk after a restart', async () => {
    const { ctx } = ai.svc;
    const again = await startAi({ PITCHEY_DATA_DIR: ctx.config.dataDir });
    try {
      const res = await again.svc.app.inject({ method: 'POST', url: '/classify?model=intent', headers, payload: { text: 'is there a discount on the price' } });
      expect([res.json().model, res.json().classification[0].label]).toEqual(['intent@2', 'sales']);
    } finally {
      await again.close();
    }
  });
  it('answers bad models and bad training sets clearly', async () => {
    const unknown = await post('/classify?model=nope', { text: 'hello' });
    expect([unknown.statusCode, unknown.json().code]).toEqual([400, 'AI_UNKNOWN_MODEL']);
    expect(unknown.json().valid).toEqual(['sentiment', 'intent']);
    expect((await post('/classify?model=../../etc', { text: 'hello' })).json().code).toBe('AI_UNKNOWN_MODEL');
    expect(
      (
        await post('/classifiers', {
          name: 'one',
          examples: [
            { text: 'a b', label: 'x' },
            { text: 'c d', label: 'x' },
          ],
        })
      ).json().code,
    ).toBe('AI_TRAINING_INVALID');
    expect((await post('/classifiers', { name: 'thin', examples: [...examples, { text: 'lonely', label: 'rare' }] })).json()).toMatchObject({
      code: 'AI_TRAINING_INVALID',
      detail: expect.stringContaining('rare'),
    });
    expect((await post('/classifiers', { name: '../evil', examples })).json().code).toBe('VALIDATION_FAILED');
  });
});

describe('docs', () => {
  it('documents every AI route in OpenAPI', async () => {
    const spec = (await ai.svc.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/analyze', '/classify', '/classifiers', '/moderate', '/generate', '/models', '/usage']));
  });
});

describe('/moderate', () => {
  it('answers the OpenAI moderation shape beside flags and approved', async () => {
    const res = await post('/moderate', { content: 'Shut up you stupid b1tch, my card is 4111-1111-1111-1111' });
    const body = res.json();
    expect(body).toMatchObject({ flagged: true, approved: false, categories: { harassment: true, hate: false, 'self-harm': false }, content_preview: expect.stringContaining('Shut up') });
    expect(body.flags).toEqual(expect.arrayContaining(['profanity', 'harassment', 'pii']));
    expect(body.category_scores.harassment).toBeGreaterThan(0.5);
    expect(body.pii).toEqual([expect.objectContaining({ type: 'card_number', masked: '****-****-****-1111' })]);
    expect((await post('/moderate', { content: 'Have a nice day' })).json()).toMatchObject({ flagged: false, approved: true, flags: [] });
  });
  it('honours a configured limit (moderate=300 here): 300 characters pass, 301 are a 422 naming it', async () => {
    expect((await post('/moderate', { content: 'a'.repeat(300) })).statusCode).toBe(200);
    const long = await post('/moderate', { content: 'a'.repeat(301) });
    expect([long.statusCode, long.json().code, long.json().limit, long.json().length]).toEqual([422, 'AI_TEXT_TOO_LONG', 300, 301]);
  });
  it('needs a key', async () => {
    expect((await ai.svc.app.inject({ method: 'POST', url: '/moderate', payload: { content: 'x' } })).statusCode).toBe(401);
  });
});
