// Problems as OpenAI error objects (`{error: {message, type, param, code}}`) on the /v1 routes,
// with the status and codes an OpenAI client expects, so the SDKs raise their usual error classes
// (NotFoundError for an unknown model, RateLimitError for a spent budget, …).
import { dialectAnswer, Nullable, Type, type ErrorDialect, type ProblemCode, type ProblemRenderer } from '../../../kit/index.js';

/** Where OpenAI answers differently from the platform, its status and code win. */
const OPENAI_EQUIVALENT: Partial<Record<ProblemCode, { status?: number; type: string; code: string }>> = {
  AUTH_REQUIRED: { type: 'invalid_request_error', code: 'missing_api_key' },
  AUTH_INVALID: { type: 'invalid_request_error', code: 'invalid_api_key' },
  AUTH_EXPIRED: { type: 'invalid_request_error', code: 'invalid_api_key' },
  SCOPE_MISSING: { type: 'permission_error', code: 'insufficient_permissions' },
  AI_UNKNOWN_MODEL: { status: 404, type: 'invalid_request_error', code: 'model_not_found' },
  AI_BUDGET_EXCEEDED: { type: 'insufficient_quota', code: 'insufficient_quota' },
  RATE_LIMITED: { type: 'requests', code: 'rate_limit_exceeded' },
  ROUTE_NOT_FOUND: { type: 'invalid_request_error', code: 'unknown_url' },
};

function typeFor(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 429) return 'rate_limit_error';
  return status >= 500 ? 'server_error' : 'invalid_request_error';
}

/** `body/messages/0/role` → `messages[0].role`, as OpenAI names a parameter. */
function paramOf(extensions: Record<string, unknown>): string | null {
  const field = (extensions.errors as { field?: string }[] | undefined)?.[0]?.field ?? (typeof extensions.field === 'string' ? extensions.field : undefined);
  if (field === undefined) return null;
  return field
    .replace(/^(body|querystring|params)\//, '')
    .split('/')
    .map((p, i) => (/^\d+$/.test(p) ? `[${p}]` : `${i === 0 ? '' : '.'}${p}`))
    .join('');
}

/** OpenAI's error object, as its API reference gives it. */
const OpenAiErrorBody = Type.Object({
  error: Type.Object({
    message: Type.String(),
    type: Type.String({ description: 'invalid_request_error, authentication_error, permission_error, rate_limit_error, insufficient_quota, server_error, …' }),
    param: Nullable(Type.String({ description: 'the request field at fault, as `messages[0].role`' })),
    code: Type.String(),
  }),
  request_id: Type.String(),
});

/** The /v1 routes' error dialect for their OpenAPI document, from the table the renderer uses. */
export const OPENAI_ERRORS: ErrorDialect = {
  name: 'OpenAIError',
  schema: OpenAiErrorBody,
  codes: Object.fromEntries(Object.entries(OPENAI_EQUIVALENT).map(([code, e]) => [code, { code: e.code, ...(e.status === undefined ? {} : { status: e.status }) }])),
};

export const renderOpenAiError: ProblemRenderer = (problem, req, reply) => {
  const known = OPENAI_EQUIVALENT[problem.code];
  const { status, code } = dialectAnswer(OPENAI_ERRORS, problem.code);
  // The SDKs retry 429s on their own; a spent budget does not come back within a retry.
  const noRetry = problem.code === 'AI_BUDGET_EXCEEDED' ? { 'x-should-retry': 'false' } : {};
  return reply
    .code(status)
    .headers({ ...problem.headers, ...noRetry })
    .type('application/json')
    .send({
      error: {
        message: problem.message,
        type: known?.type ?? typeFor(status),
        param: paramOf(problem.extensions),
        code,
      },
      request_id: req.id,
    });
};
