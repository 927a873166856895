// Each service's own routes answer what their OpenAPI documents say: a real answer of each checks
// against the TypeBox schema its handler is typed by, and the document gives that same schema, with
// the problems the route can answer. The services run in process; ffmpeg makes a one-second clip,
// the sandbox runs one JavaScript program, and an Ollama-speaking server on loopback generates.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createService, type RunningService, type TSchema } from '../../src/kit/index.js';
import { ClassifiersAnswer, ClassifyAnswer, AnalyzeAnswer as TextAnalyzeAnswer, GenerateAnswer, ModelsAnswer, ModerateAnswer, TrainedAnswer, UsageAnswer } from '../../src/services/ai/answers.js';
import { ChatCompletionAnswer, EmbeddingsAnswer, ModelAnswer, ModelListAnswer, ModerationsAnswer } from '../../src/services/ai/openai/answers.js';
import { DeployAnswer, FunctionAnswer, FunctionsAnswer, InvokeAnswer, LanguagesAnswer, RollbackAnswer, SecurityPoliciesAnswer } from '../../src/services/code/answers.js';
import { ExecutionAnswer } from '../../src/services/code/execute.js';
import { ValidationAnswer } from '../../src/services/code/validate.js';
import { documentService, FormatsAnswer, TemplatesAnswer } from '../../src/services/document/index.js';
import { LiveStartedAnswer, LiveStreamAnswer, QualityPresetsAnswer } from '../../src/services/media/answers.js';
import { mediaService } from '../../src/services/media/index.js';
import { DeletedStreamAnswer, StreamsAnswer } from '../../src/services/media/stream-routes.js';
import { AnalyzeAnswer as VideoAnalyzeAnswer } from '../../src/services/video/analysis.js';
import { videoService } from '../../src/services/video/index.js';
import { TEST_KEY, makeTempDir, testConfig } from '../helpers.js';
import { startFakeProvider, type FakeProvider } from '../support/ai-providers.js';
import { providerEnv, startAi, type AiUnderTest } from '../support/ai-service.js';
import { asJson, teachTypeBox, documented, expectFits } from '../support/answer-schemas.js';
import { makeClip } from '../support/media-fixtures.js';
import { startCodeService, type CodeTestService } from './code/support.js';

const auth = { 'x-api-key': TEST_KEY };
const json = { ...auth, 'content-type': 'application/json' };
let unteachTypeBox = (): void => {};
beforeAll(() => {
  unteachTypeBox = teachTypeBox();
});
afterAll(() => unteachTypeBox());

/** The service's OpenAPI document. */
async function documentOf(svc: RunningService): Promise<Record<string, unknown>> {
  return (await svc.app.inject({ method: 'GET', url: '/openapi.json' })).json();
}

/** The answer fits the schema, the document gives the schema, and lists these problem codes. */
async function expectDocumented(svc: RunningService, route: { method: string; path: string; schema: TSchema; problems?: string[]; status?: string }, body: unknown): Promise<void> {
  expectFits(route.schema, body);
  const doc = await documentOf(svc);
  expect(documented(doc, route.path, route.method, route.status ?? '200')).toEqual(asJson(route.schema));
  const op = (
    doc.paths as Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema?: { allOf?: Array<{ properties?: { code?: { enum?: string[] } } }> } }> }> }>>
  )[route.path]![route.method]!;
  const codes = Object.values(op.responses).flatMap((r) => r.content?.['application/problem+json']?.schema?.allOf?.[1]?.properties?.code?.enum ?? []);
  expect(codes).toEqual(expect.arrayContaining(route.problems ?? []));
}

describe('video', () => {
  const tmp = makeTempDir('pitchey-answers-video-');
  let svc: RunningService;
  beforeAll(async () => {
    svc = await createService(videoService, { config: testConfig(tmp.dir) });
  });
  afterAll(async () => {
    await svc.drain();
    tmp.remove();
  });

  it('POST /analyze', async () => {
    const clip = await makeClip(tmp.dir, { name: 'clip', seconds: 1, width: 160, height: 120 });
    const form = new FormData();
    form.append('file', new Blob([await import('node:fs/promises').then((fs) => fs.readFile(clip))]), 'clip.mp4');
    const port = await svc.listen(0, '127.0.0.1');
    const res = await fetch(`http://127.0.0.1:${port}/analyze`, { method: 'POST', headers: auth, body: form });
    expect(res.status).toBe(200);
    await expectDocumented(svc, { method: 'post', path: '/analyze', schema: VideoAnalyzeAnswer, problems: ['UNPROCESSABLE', 'UPLOAD_MISSING'] }, await res.json());
  });
});

describe('code', () => {
  let code: CodeTestService;
  beforeAll(async () => {
    code = await startCodeService();
  });
  afterAll(async () => {
    await code.stop();
  });

  it('POST /execute', async () => {
    const res = await code.post('/execute', { language: 'javascript', code: 'console.log(6 * 7)' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ status: 'completed', stdout: '42\n' });
    await expectDocumented(code.svc, { method: 'post', path: '/execute', schema: ExecutionAnswer, problems: ['SANDBOX_UNAVAILABLE', 'QUEUE_FULL', 'UNPROCESSABLE'] }, res.body);
  });

  it('POST /validate', async () => {
    const res = await code.post('/validate', { language: 'javascript', code: "require('child_process').exec('id')\nlet x = ;" });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ valid: false });
    await expectDocumented(code.svc, { method: 'post', path: '/validate', schema: ValidationAnswer, problems: ['SANDBOX_UNAVAILABLE'] }, res.body);
    const risky = await code.post('/validate', { language: 'javascript', code: "require('child_process').exec('id')" });
    expect(risky.body).toMatchObject({ valid: true, safe: false });
    expectFits(ValidationAnswer, risky.body);
  });
  it.each([
    ['/languages', LanguagesAnswer],
    ['/security-policies', SecurityPoliciesAnswer],
  ] as const)('GET %s', async (path, schema) => {
    const res = await code.svc.app.inject({ method: 'GET', url: path });
    expect(res.statusCode).toBe(200);
    await expectDocumented(code.svc, { method: 'get', path, schema }, res.json());
  });

  it('a deployed function: deploy, list, read, invoke, roll back, delete', async () => {
    const program = (n: number) => ({ language: 'javascript', code: `console.log(JSON.stringify({ n: ${n}, input: inputs }))`, deployment_name: 'answers' });
    const deployed = await code.post('/deploy', program(1));
    expect(deployed.status, JSON.stringify(deployed.body)).toBe(201);
    await expectDocumented(code.svc, { method: 'post', path: '/deploy', status: '201', schema: DeployAnswer, problems: ['UNPROCESSABLE'] }, deployed.body);
    expect((await code.post('/deploy', program(2))).body).toMatchObject({ version: 2 });
    const get = async (url: string) => (await code.svc.app.inject({ method: 'GET', url, headers: auth })).json<unknown>();
    await expectDocumented(code.svc, { method: 'get', path: '/functions', schema: FunctionsAnswer }, await get('/functions'));
    await expectDocumented(code.svc, { method: 'get', path: '/functions/{name}', schema: FunctionAnswer, problems: ['FUNCTION_NOT_FOUND'] }, await get('/functions/answers'));
    const invoked = await code.post('/functions/answers/invoke', { input: { a: 1 } });
    expect(invoked.body).toMatchObject({ version: 2, status: 'completed', output: { n: 2, input: { a: 1 } } });
    await expectDocumented(code.svc, { method: 'post', path: '/functions/{name}/invoke', schema: InvokeAnswer, problems: ['FUNCTION_NOT_FOUND', 'SANDBOX_UNAVAILABLE'] }, invoked.body);
    const rolled = await code.post('/functions/answers/rollback', {});
    expect(rolled.body).toMatchObject({ current_version: 1 });
    await expectDocumented(code.svc, { method: 'post', path: '/functions/{name}/rollback', schema: RollbackAnswer, problems: ['FUNCTION_NOT_FOUND', 'UNPROCESSABLE'] }, rolled.body);
    const deleted = await code.svc.app.inject({ method: 'DELETE', url: '/functions/answers', headers: auth });
    expect([deleted.statusCode, deleted.body]).toEqual([204, '']);
    const doc = (await documentOf(code.svc)) as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    expect(doc.paths['/functions/{name}']!.delete!.responses['204']).toEqual({ description: expect.any(String) });
  });
});

describe('ai', () => {
  let ollama: FakeProvider;
  let ai: AiUnderTest;
  beforeAll(async () => {
    ollama = await startFakeProvider('ollama', { models: ['llama3.2'] });
    ai = await startAi({ ...providerEnv({ ollama }), PITCHEY_RATE_LIMIT: 'false' });
  });
  afterAll(async () => {
    await ai.close();
    await ollama.close();
  });
  const post = (url: string, payload: object) => ai.svc.app.inject({ method: 'POST', url, headers: json, payload });

  it.each([
    ['/analyze', { content: 'Call me at bob@example.com. This is a GREAT day!' }, TextAnalyzeAnswer, ['AI_TEXT_EMPTY', 'AI_TEXT_TOO_LONG']],
    ['/moderate', { content: 'You idiot, I will find you. Mail bob@example.com' }, ModerateAnswer, ['AI_TEXT_TOO_LONG']],
    ['/generate', { prompt: 'two words', provider: 'local', cache: false }, GenerateAnswer, ['AI_UNKNOWN_MODEL', 'AI_BUDGET_EXCEEDED', 'AI_PROVIDERS_UNAVAILABLE']],
  ] as const)('POST %s', async (path, payload, schema, problems) => {
    const res = await post(path, payload);
    expect(res.statusCode, res.body).toBe(200);
    await expectDocumented(ai.svc, { method: 'post', path, schema, problems: [...problems] }, res.json());
  });

  it('POST /classify, POST and GET /classifiers', async () => {
    const few = ['great', 'lovely', 'awful', 'dreadful', 'superb', 'terrible'].map((word, i) => ({ text: `a ${word} film`, label: i % 2 === 0 ? 'good' : 'bad' }));
    // Too few distinct words to learn from: the caller's problem, not the server's.
    expect((await post('/classifiers', { name: 'reviews', examples: few })).json()).toMatchObject({ status: 422, code: 'AI_TRAINING_INVALID' });
    const examples = few.map((e, i) => ({
      ...e,
      text: `${e.text}, ${['acting', 'plot', 'music', 'pacing', 'ending', 'casting'][i]} ${['shone', 'sang', 'sagged', 'dragged', 'soared', 'collapsed'][i]}`,
    }));
    const trained = await post('/classifiers', { name: 'reviews', examples });
    expect(trained.statusCode, trained.body).toBe(201);
    await expectDocumented(ai.svc, { method: 'post', path: '/classifiers', status: '201', schema: TrainedAnswer, problems: ['AI_TRAINING_INVALID'] }, trained.json());
    const listed = await ai.svc.app.inject({ method: 'GET', url: '/classifiers', headers: auth });
    expect(listed.json()).toMatchObject({ classifiers: [{ name: 'reviews', version: 1 }] });
    await expectDocumented(ai.svc, { method: 'get', path: '/classifiers', schema: ClassifiersAnswer }, listed.json());
    for (const model of ['sentiment', 'reviews@1']) {
      const res = await post(`/classify?model=${model}`, { text: 'a lovely film' });
      expect(res.statusCode, res.body).toBe(200);
      await expectDocumented(ai.svc, { method: 'post', path: '/classify', schema: ClassifyAnswer, problems: ['AI_UNKNOWN_MODEL', 'AI_TEXT_EMPTY'] }, res.json());
    }
  });

  it('the OpenAI-compatible routes under /v1, and GET /usage they counted', async () => {
    const messages = [{ role: 'user', content: 'hi' }];
    const chat = await post('/v1/chat/completions', { model: 'llama3.2', messages, cache: false });
    expect(chat.statusCode, chat.body).toBe(200);
    await expectDocumented(ai.svc, { method: 'post', path: '/v1/chat/completions', schema: ChatCompletionAnswer }, chat.json());
    const stream = await post('/v1/chat/completions', { model: 'llama3.2', messages, stream: true });
    expect(stream.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(stream.body).toMatch(/data: \[DONE\]\n\n$/);
    const streamed = (await documentOf(ai.svc)) as { paths: Record<string, Record<string, { responses: Record<string, { content: Record<string, unknown> }> }>> };
    expect(Object.keys(streamed.paths['/v1/chat/completions']!.post!.responses['200']!.content)).toEqual(['application/json', 'text/event-stream']);
    const embeddings = await post('/v1/embeddings', { model: 'llama3.2', input: ['one', 'two'] });
    expect(embeddings.statusCode, embeddings.body).toBe(200);
    await expectDocumented(ai.svc, { method: 'post', path: '/v1/embeddings', schema: EmbeddingsAnswer }, embeddings.json());
    const moderations = await post('/v1/moderations', { input: 'You idiot', model: 'offline' });
    expect(moderations.statusCode, moderations.body).toBe(200);
    await expectDocumented(ai.svc, { method: 'post', path: '/v1/moderations', schema: ModerationsAnswer }, moderations.json());
    const models = await ai.svc.app.inject({ method: 'GET', url: '/v1/models', headers: auth });
    await expectDocumented(ai.svc, { method: 'get', path: '/v1/models', schema: ModelListAnswer }, models.json());
    const one = await ai.svc.app.inject({ method: 'GET', url: '/v1/models/llama3.2', headers: auth });
    expect(one.json()).toMatchObject({ id: 'llama3.2', owned_by: 'ollama' });
    await expectDocumented(ai.svc, { method: 'get', path: '/v1/models/{path}', schema: ModelAnswer }, one.json());
    const usage = await ai.svc.app.inject({ method: 'GET', url: '/usage', headers: auth });
    expect(usage.json<{ by_model: unknown[] }>().by_model.length).toBeGreaterThan(0);
    await expectDocumented(ai.svc, { method: 'get', path: '/usage', schema: UsageAnswer }, usage.json());
  });

  it('GET /models', async () => {
    const res = await ai.svc.app.inject({ method: 'GET', url: '/models' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ recommended: { generate: { provider: 'ollama' } } });
    await expectDocumented(ai.svc, { method: 'get', path: '/models', schema: ModelsAnswer }, res.json());
  });
});

describe('media and document', () => {
  const tmp = makeTempDir('pitchey-answers-media-');
  let media: RunningService;
  let document: RunningService;
  beforeAll(async () => {
    [media, document] = await Promise.all([createService(mediaService, { config: testConfig(`${tmp.dir}/media`) }), createService(documentService, { config: testConfig(`${tmp.dir}/document`) })]);
  });
  afterAll(async () => {
    await Promise.all([media.drain(), document.drain()]);
    tmp.remove();
  });

  it('a live stream waiting for its publisher: opened, listed, read, deleted', async () => {
    const opened = await media.app.inject({ method: 'POST', url: '/live-stream', headers: json, payload: {} });
    expect(opened.statusCode, opened.body).toBe(201);
    await expectDocumented(media, { method: 'post', path: '/live-stream', status: '201', schema: LiveStartedAnswer, problems: ['LIVE_PORTS_EXHAUSTED'] }, opened.json());
    const id = opened.json<{ stream_id: string }>().stream_id;
    const res = await media.app.inject({ method: 'GET', url: '/streams' });
    expect(res.json()).toMatchObject({ total_streams: 1, streams: [{ id, type: 'live', live: { status: 'waiting' } }] });
    await expectDocumented(media, { method: 'get', path: '/streams', schema: StreamsAnswer }, res.json());
    const live = await media.app.inject({ method: 'GET', url: `/live-stream/${id}`, headers: auth });
    expect(live.json()).toMatchObject({ stream_id: id, running: true });
    await expectDocumented(media, { method: 'get', path: '/live-stream/{id}', schema: LiveStreamAnswer, problems: ['STREAM_NOT_FOUND'] }, live.json());
    const deleted = await media.app.inject({ method: 'DELETE', url: `/stream/${id}`, headers: auth });
    expect(deleted.statusCode).toBe(200);
    await expectDocumented(media, { method: 'delete', path: '/stream/{id}', schema: DeletedStreamAnswer, problems: ['STREAM_NOT_FOUND'] }, deleted.json());
  });

  it('GET /quality-presets', async () => {
    const res = await media.app.inject({ method: 'GET', url: '/quality-presets' });
    expect(res.json()).toMatchObject({ presets: { mobile: { resolution: '426x240' } } });
    await expectDocumented(media, { method: 'get', path: '/quality-presets', schema: QualityPresetsAnswer }, res.json());
  });

  it('GET /formats', async () => {
    const res = await document.app.inject({ method: 'GET', url: '/formats' });
    expect(res.json()).toMatchObject({ input: expect.arrayContaining(['.pdf']), output: ['.pdf'] });
    await expectDocumented(document, { method: 'get', path: '/formats', schema: FormatsAnswer }, res.json());
  });

  it('GET /templates', async () => {
    const res = await document.app.inject({ method: 'GET', url: '/templates' });
    expect(res.json<{ templates: unknown[] }>().templates.length).toBeGreaterThan(0);
    await expectDocumented(document, { method: 'get', path: '/templates', schema: TemplatesAnswer }, res.json());
  });
});
