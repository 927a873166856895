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

export function toProblem(err: unknown): Problem {
  if (err instanceof Problem) return err;
  if (err instanceof JobStoreUnavailableError) {
    return new Problem('JOB_STORE_UNAVAILABLE', 'The job store cannot be reached right now; nothing was lost, try again shortly.', { cause: err, headers: { 'retry-after': '5' } });
  }
  const e = err as Partial<FastifyError> & { validation?: Array<{ instancePath?: string; message?: string; params?: Record<string, unknown> }>; validationContext?: string };
  if (Array.isArray(e.validation)) {
    const errors = e.validation.map((v) => ({
      field: `${e.validationContext ?? 'body'}${v.instancePath ?? ''}${typeof v.params?.missingProperty === 'string' ? `/${v.params.missingProperty}` : ''}`,
      // Ajv's enum message ("must be equal to one of the allowed values") does not say which they are.
      message: Array.isArray(v.params?.allowedValues) ? `must be one of ${v.params.allowedValues.join(', ')}` : (v.message ?? 'is invalid'),
    }));
    return invalidFields(errors);
  }
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
