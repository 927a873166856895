// Errors become responses here and nowhere else: Problems pass through; Fastify's own errors
// (validation, body limits, bad JSON) are mapped onto the catalogue; anything else is a 500 that
// reveals nothing of its cause to the client.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { JobStoreUnavailableError } from '../jobs/index.js';
import { clientClosed } from './client-gone.js';
import { PROBLEM_CONTENT_TYPE, Problem, invalidFields, type ProblemCode } from './problems.js';

const FASTIFY_CODES: Record<string, ProblemCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'BAD_REQUEST',
  FST_ERR_CTP_INVALID_JSON_BODY: 'BAD_REQUEST',
  FST_ERR_BAD_URL: 'BAD_REQUEST',
  FST_ERR_MAX_PARAM_LENGTH: 'URI_TOO_LONG',
};

const BY_STATUS: Record<number, ProblemCode> = {
  400: 'BAD_REQUEST',
  401: 'AUTH_REQUIRED',
  403: 'SCOPE_MISSING',
  404: 'ROUTE_NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'BODY_TOO_LARGE',
  414: 'URI_TOO_LONG',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE',
  429: 'RATE_LIMITED',
  503: 'NOT_READY',
};

interface AjvError {
  keyword?: string;
  instancePath?: string;
  message?: string;
  params?: Record<string, unknown>;
}

/**
 * Ajv's errors as one line per field, in the words a client can act on: an enum or a union of
 * literals (TypeBox's `Type.Union([Type.Literal(…)])`, which Ajv reports as one "must be equal to
 * constant" per branch and a closing "must match a schema in anyOf") becomes "must be one of a, b, c".
 */
function fieldErrors(validation: AjvError[], context: string): Array<{ field: string; message: string }> {
  const constants = new Map<string, unknown[]>();
  for (const v of validation)
    if (v.keyword === 'const' && v.params !== undefined && 'allowedValue' in v.params) constants.set(v.instancePath ?? '', [...(constants.get(v.instancePath ?? '') ?? []), v.params.allowedValue]);
  const seen = new Set<string>();
  return validation.flatMap((v) => {
    const path = v.instancePath ?? '';
    const allowed = Array.isArray(v.params?.allowedValues) ? (v.params.allowedValues as unknown[]) : v.keyword === 'anyOf' ? constants.get(path) : undefined;
    if (v.keyword === 'const' && validation.some((x) => x.keyword === 'anyOf' && (x.instancePath ?? '') === path)) return [];
    const field = `${context}${path}${typeof v.params?.missingProperty === 'string' ? `/${v.params.missingProperty}` : ''}`;
    const message = allowed !== undefined ? `must be one of ${allowed.map(String).join(', ')}` : (v.message ?? 'is invalid');
    if (seen.has(`${field} ${message}`)) return [];
    seen.add(`${field} ${message}`);
    return [{ field, message }];
  });
}

export function toProblem(err: unknown): Problem {
  if (err instanceof Problem) return err;
  if (err instanceof JobStoreUnavailableError) {
    return new Problem('JOB_STORE_UNAVAILABLE', 'The job store cannot be reached right now; nothing was lost, try again shortly.', { cause: err, headers: { 'retry-after': '5' } });
  }
  const e = err as Partial<FastifyError> & { validation?: AjvError[]; validationContext?: string };
  if (Array.isArray(e.validation)) return invalidFields(fieldErrors(e.validation, e.validationContext ?? 'body'));
  const mapped = e.code === undefined ? undefined : FASTIFY_CODES[e.code];
  if (mapped !== undefined) return new Problem(mapped, e.message ?? PROBLEM_CONTENT_TYPE);
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return new Problem(BY_STATUS[e.statusCode] ?? 'BAD_REQUEST', e.message ?? 'Bad request');
  }
  return new Problem('INTERNAL_ERROR', 'An unexpected error occurred; it has been logged with this request id.', { cause: err });
}

/**
 * How a problem is put on the wire. Default: RFC 9457 `application/problem+json`. A route family
 * that speaks another API's error shape (the AI service's OpenAI-compatible /v1) passes its own,
 * keeping the mapping and the logging here.
 */
export type ProblemRenderer = (problem: Problem, req: FastifyRequest, reply: FastifyReply) => FastifyReply;

const renderProblem: ProblemRenderer = (problem, req, reply) =>
  reply
    .code(problem.status)
    .headers(problem.headers)
    .type(PROBLEM_CONTENT_TYPE)
    .send({ ...problem.toBody(req.url.split('?')[0]), request_id: req.id });

export function sendProblem(req: FastifyRequest, reply: FastifyReply, err: unknown, render: ProblemRenderer = renderProblem): FastifyReply {
  const problem = toProblem(err);
  // Work stopped because its client left is not a failure of this service: no error to page anyone.
  if (clientClosed(req, reply)) req.log.info({ err, code: problem.code, status: 499 }, 'client closed the request before its answer');
  else if (problem.status >= 500) req.log.error({ err, code: problem.code }, 'request failed');
  else req.log.info({ code: problem.code, status: problem.status }, problem.message);
  return render(problem, req, reply);
}
