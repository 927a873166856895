// Local HTTP servers speaking the documented wire protocols of OpenAI (/v1/chat/completions,
// /v1/embeddings, /v1/moderations, /v1/models), Anthropic (/v1/messages, /v1/models) and Ollama
// (/api/chat, /api/embed, /api/tags), each scriptable per request: an error status (with
// Retry-After), a delay, a stream that breaks, a tool call, a moderation verdict.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export type Flavour = 'openai' | 'anthropic' | 'ollama';

export interface Behaviour {
  status?: number;
  retryAfter?: string;
  message?: string;
  delayMs?: number;
  /** Streams only: send this many text chunks, then drop the connection. */
  breakAfter?: number;
  /** Streams only: send this many text chunks, then fall silent with the connection open. */
  stallAfter?: number;
  text?: string;
  /** Answer by calling this tool (each protocol's own shape, streamed in pieces where it streams). */
  toolCall?: { name: string; arguments: Record<string, unknown> };
  /** /v1/moderations: the categories to flag. */
  flag?: string[];
}

export interface RecordedRequest {
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}

export interface FakeProvider {
  url: string;
  /** Base URL as the service's settings want it. */
  baseUrl: string;
  requests: RecordedRequest[];
  /** Requests whose caller hung up before the answer was sent. */
  abandoned(): number;
  /** Behaviours for the next requests, in order; afterwards every request succeeds. */
  script(...behaviours: Behaviour[]): void;
  close(): Promise<void>;
}

const words = (s: string) => s.split(/\s+/).filter(Boolean).length;

/** The user's text: content as a string, or text blocks/parts (Anthropic, OpenAI content parts). */
function promptOf(body: Record<string, unknown>): string {
  const messages = (body.messages ?? []) as { role: string; content: string | { type: string; text?: string }[] }[];
  const text = (c: (typeof messages)[number]['content']) =>
    typeof c === 'string'
      ? c
      : c
          .filter((b) => b.type === 'text')
          .map((b) => b.text)
          .join(' ');
  return messages
    .filter((m) => m.role === 'user')
    .map((m) => text(m.content))
    .filter(Boolean)
    .join(' ');
}

function sendError(flavour: Flavour, res: ServerResponse, b: Behaviour): void {
  const status = b.status!;
  const message = b.message ?? `simulated ${status}`;
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(b.retryAfter ? { 'retry-after': b.retryAfter } : {}) };
  const type = status === 429 ? 'rate_limit_error' : status === 401 ? 'authentication_error' : status === 529 ? 'overloaded_error' : status >= 500 ? 'api_error' : 'invalid_request_error';
  const body =
    flavour === 'openai'
      ? { error: { message, type: status === 429 ? 'requests' : type, code: status === 429 ? 'rate_limit_exceeded' : null } }
      : flavour === 'anthropic'
        ? { type: 'error', error: { type, message } }
        : { error: message };
  res.writeHead(status, headers).end(JSON.stringify(body));
}

type ToolCallScript = Behaviour['toolCall'];

function openaiAnswer(model: string, text: string, prompt: string, stream: boolean, includeUsage: boolean, tool: ToolCallScript): string[] | object {
  const usage = { prompt_tokens: words(prompt), completion_tokens: words(text), total_tokens: words(prompt) + words(text) };
  const base = { id: 'chatcmpl-test', created: 1_700_000_000, model };
  if (tool !== undefined) {
    const args = JSON.stringify(tool.arguments);
    if (!stream)
      return {
        ...base,
        object: 'chat.completion',
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: null, refusal: null, tool_calls: [{ id: 'call_test', type: 'function', function: { name: tool.name, arguments: args } }] },
            finish_reason: 'tool_calls',
            logprobs: null,
          },
        ],
        usage,
      };
    const chunk = (delta: object, finish: string | null) =>
      `data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }] })}\n\n`;
    const half = Math.ceil(args.length / 2);
    return [
      chunk({ role: 'assistant', content: null, tool_calls: [{ index: 0, id: 'call_test', type: 'function', function: { name: tool.name, arguments: '' } }] }, null),
      chunk({ tool_calls: [{ index: 0, function: { arguments: args.slice(0, half) } }] }, null),
      chunk({ tool_calls: [{ index: 0, function: { arguments: args.slice(half) } }] }, null),
      chunk({}, 'tool_calls'),
      ...(includeUsage ? [`data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [], usage })}\n\n`] : []),
      'data: [DONE]\n\n',
    ];
  }
  if (!stream) return { ...base, object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: text, refusal: null }, finish_reason: 'stop', logprobs: null }], usage };
  const chunk = (delta: object, finish: string | null) =>
    `data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }] })}\n\n`;
  return [
    chunk({ role: 'assistant', content: '' }, null),
    ...text.split(/(?<= )/).map((piece) => chunk({ content: piece }, null)),
    chunk({}, 'stop'),
    ...(includeUsage ? [`data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [], usage })}\n\n`] : []),
    'data: [DONE]\n\n',
  ];
}

function anthropicAnswer(model: string, text: string, prompt: string, stream: boolean, tool: ToolCallScript): string[] | object {
  const usage = { input_tokens: words(prompt), output_tokens: words(text) };
  const ev = (event: string, data: object) => `event: ${event}\ndata: ${JSON.stringify({ type: event, ...data })}\n\n`;
  if (tool !== undefined) {
    const use = { type: 'tool_use', id: 'toolu_test', name: tool.name, input: tool.arguments };
    if (!stream) return { id: 'msg_test', type: 'message', role: 'assistant', model, content: [{ type: 'text', text: 'Let me check.' }, use], stop_reason: 'tool_use', stop_sequence: null, usage };
    const args = JSON.stringify(tool.arguments);
    return [
      ev('message_start', {
        message: { id: 'msg_test', type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: usage.input_tokens, output_tokens: 1 } },
      }),
      ev('content_block_start', { index: 0, content_block: { ...use, input: {} } }),
      ev('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: args.slice(0, 5) } }),
      ev('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: args.slice(5) } }),
      ev('content_block_stop', { index: 0 }),
      ev('message_delta', { delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: usage.output_tokens } }),
      ev('message_stop', {}),
    ];
  }
  if (!stream) return { id: 'msg_test', type: 'message', role: 'assistant', model, content: [{ type: 'text', text }], stop_reason: 'end_turn', stop_sequence: null, usage };
  return [
    ev('message_start', {
      message: { id: 'msg_test', type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: usage.input_tokens, output_tokens: 1 } },
    }),
    ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
    ev('ping', {}),
    ...text.split(/(?<= )/).map((piece) => ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: piece } })),
    ev('content_block_stop', { index: 0 }),
    ev('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: usage.output_tokens } }),
    ev('message_stop', {}),
  ];
}

function ollamaAnswer(model: string, text: string, prompt: string, stream: boolean, tool: ToolCallScript): string[] | object {
  const at = new Date(0).toISOString();
  const final = { model, created_at: at, message: { role: 'assistant', content: stream ? '' : text }, done: true, done_reason: 'stop', prompt_eval_count: words(prompt), eval_count: words(text) };
  if (tool !== undefined) {
    const calls = { role: 'assistant', content: '', tool_calls: [{ function: { name: tool.name, arguments: tool.arguments } }] };
    if (!stream) return { ...final, message: calls };
    return [`${JSON.stringify({ model, created_at: at, message: calls, done: false })}\n`, `${JSON.stringify(final)}\n`];
  }
  if (!stream) return final;
  return [...text.split(/(?<= )/).map((piece) => `${JSON.stringify({ model, created_at: at, message: { role: 'assistant', content: piece }, done: false })}\n`), `${JSON.stringify(final)}\n`];
}

const STREAM_TYPES: Record<Flavour, string> = { openai: 'text/event-stream', anthropic: 'text/event-stream', ollama: 'application/x-ndjson' };
const MODELS: Record<Flavour, (ids: string[]) => object> = {
  openai: (ids) => ({ object: 'list', data: ids.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'test' })) }),
  anthropic: (ids) => ({
    data: ids.map((id) => ({ type: 'model', id, display_name: id, created_at: '2025-01-01T00:00:00Z' })),
    has_more: false,
    first_id: ids[0] ?? null,
    last_id: ids.at(-1) ?? null,
  }),
  ollama: (ids) => ({ models: ids.map((name) => ({ name, model: name, modified_at: '2025-01-01T00:00:00Z', size: 1, digest: 'sha256:0' })) }),
};
const PATHS: Record<Flavour, { chat: string; models: string; prefix: string; embed?: string; moderate?: string }> = {
  openai: { chat: '/v1/chat/completions', models: '/v1/models', prefix: '/v1', embed: '/v1/embeddings', moderate: '/v1/moderations' },
  anthropic: { chat: '/v1/messages', models: '/v1/models', prefix: '' },
  ollama: { chat: '/api/chat', models: '/api/tags', prefix: '', embed: '/api/embed' },
};

/** A vector that depends on the text, so tests can tell inputs apart. */
const vectorOf = (text: string) => [text.length, words(text), 0.5];

function answerEmbed(flavour: Flavour, body: Record<string, unknown>, res: ServerResponse): void {
  const input = [body.input as string | string[]].flat();
  const tokens = input.reduce((n, t) => n + words(t), 0);
  const answer =
    flavour === 'openai'
      ? { object: 'list', model: body.model, data: input.map((t, index) => ({ object: 'embedding', index, embedding: vectorOf(t) })), usage: { prompt_tokens: tokens, total_tokens: tokens } }
      : { model: body.model, embeddings: input.map(vectorOf), prompt_eval_count: tokens };
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
}

const MODERATION_CATEGORIES = [
  'harassment',
  'harassment/threatening',
  'hate',
  'hate/threatening',
  'illicit',
  'illicit/violent',
  'self-harm',
  'self-harm/intent',
  'self-harm/instructions',
  'sexual',
  'sexual/minors',
  'violence',
  'violence/graphic',
];

function answerModeration(b: Behaviour, body: Record<string, unknown>, res: ServerResponse): void {
  const input = [body.input as string | string[]].flat();
  const flag = new Set(b.flag ?? []);
  const results = input.map(() => ({
    flagged: flag.size > 0,
    categories: Object.fromEntries(MODERATION_CATEGORIES.map((c) => [c, flag.has(c)])),
    category_scores: Object.fromEntries(MODERATION_CATEGORIES.map((c) => [c, flag.has(c) ? 0.97 : 0.001])),
    category_applied_input_types: Object.fromEntries(MODERATION_CATEGORIES.map((c) => [c, ['text']])),
  }));
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 'modr-test', model: body.model ?? 'omni-moderation-latest', results }));
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let raw = '';
  for await (const c of req) raw += c;
  return raw === '' ? {} : (JSON.parse(raw) as Record<string, unknown>);
}

async function answerChat(flavour: Flavour, b: Behaviour, body: Record<string, unknown>, res: ServerResponse): Promise<void> {
  const model = String(body.model);
  const prompt = promptOf(body);
  const text = b.text ?? `Hello from ${flavour}, you said: ${prompt}`;
  const stream = body.stream === true;
  const answer =
    flavour === 'openai'
      ? openaiAnswer(model, text, prompt, stream, Boolean((body.stream_options as { include_usage?: boolean } | undefined)?.include_usage), b.toolCall)
      : flavour === 'anthropic'
        ? anthropicAnswer(model, text, prompt, stream, b.toolCall)
        : ollamaAnswer(model, text, prompt, stream, b.toolCall);
  if (!Array.isArray(answer)) {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    return;
  }
  res.writeHead(200, { 'content-type': STREAM_TYPES[flavour], 'cache-control': 'no-cache' });
  let textChunks = 0;
  for (const piece of answer) {
    const isText = flavour === 'ollama' ? piece.includes('"done":false') : piece.includes('content_block_delta') || /"content":"[^"]+"/.test(piece);
    if (isText && b.breakAfter !== undefined && textChunks >= b.breakAfter) {
      res.socket?.destroy();
      return;
    }
    if (isText && b.stallAfter !== undefined && textChunks >= b.stallAfter) {
      await new Promise((r) => res.once('close', r));
      return;
    }
    if (isText) textChunks++;
    res.write(piece);
    await new Promise((r) => setImmediate(r));
  }
  res.end();
}

export async function startFakeProvider(flavour: Flavour, options: { models?: string[] } = {}): Promise<FakeProvider> {
  const queue: Behaviour[] = [];
  const requests: RecordedRequest[] = [];
  let abandoned = 0;
  const paths = PATHS[flavour];
  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readJson(req);
      const path = (req.url ?? '/').split('?')[0]!;
      if (req.method === 'GET' && path === paths.models) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(MODELS[flavour](options.models ?? [])));
        return;
      }
      const kind = path === paths.chat ? 'chat' : path === paths.embed ? 'embed' : path === paths.moderate ? 'moderate' : null;
      if (req.method !== 'POST' || kind === null) {
        res.writeHead(404).end();
        return;
      }
      requests.push({ path, headers: req.headers, body });
      if (flavour === 'anthropic' && (req.headers['anthropic-version'] === undefined || (req.headers['x-api-key'] === undefined && !/^Bearer /.test(req.headers.authorization ?? '')))) {
        sendError(flavour, res, { status: 401, message: 'missing credentials or anthropic-version' });
        return;
      }
      const b = queue.shift() ?? {};
      if (b.delayMs) await sleep(b.delayMs);
      if (res.destroyed || req.socket.destroyed) {
        abandoned++;
        return;
      }
      if (b.status !== undefined) {
        sendError(flavour, res, b);
        return;
      }
      if (kind === 'embed') answerEmbed(flavour, body, res);
      else if (kind === 'moderate') answerModeration(b, body, res);
      else await answerChat(flavour, b, body, res);
    })().catch(() => res.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    baseUrl: `${url}${paths.prefix}`,
    requests,
    abandoned: () => abandoned,
    script: (...behaviours) => {
      queue.push(...behaviours);
    },
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
