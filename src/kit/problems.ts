// The one catalogue of error answers: every failure a client can see is a Problem (RFC 9457)
// with a stable code from this table. The README's error table is checked against it by a test.

export const PROBLEMS = {
  BAD_REQUEST: { status: 400, title: 'The request is malformed' },
  VALIDATION_FAILED: { status: 400, title: 'The request does not match the schema' },
  AUTH_REQUIRED: { status: 401, title: 'Authentication is required' },
  AUTH_INVALID: { status: 401, title: 'The credentials are not valid' },
  AUTH_EXPIRED: { status: 401, title: 'The token has expired' },
  SCOPE_MISSING: { status: 403, title: 'The credentials lack the scope this route needs' },
  JOB_TOKEN_INVALID: { status: 403, title: "The job's transfer token is missing or wrong" },
  ROUTE_NOT_FOUND: { status: 404, title: 'No such route' },
  JOB_NOT_FOUND: { status: 404, title: 'No such job' },
  TEMPLATE_NOT_FOUND: { status: 404, title: 'No such document template' },
  DEPLOYMENT_NOT_FOUND: { status: 404, title: 'No such deployment' },
  RELEASE_NOT_FOUND: { status: 404, title: 'No such release' },
  RELEASE_TRAIN_NOT_FOUND: { status: 404, title: 'No such platform release (release train)' },
  EVIDENCE_SNAPSHOT_NOT_FOUND: { status: 404, title: 'No such record snapshot kept here' },
  FUNCTION_NOT_FOUND: { status: 404, title: 'No such deployed function' },
  JOB_RESULT_GONE: { status: 404, title: 'The job has no downloadable result' },
  STREAM_NOT_FOUND: { status: 404, title: 'No such stream or stream file' },
  STREAM_PATH_INVALID: { status: 400, title: 'The stream file path is not allowed' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'The route does not accept this method' },
  JOB_NOT_FINISHED: { status: 409, title: 'The job has not finished yet' },
  JOB_NOT_RUNNING: { status: 409, title: 'The job is not running, so it takes no output' },
  JOB_CANCELLED: { status: 409, title: 'The job was cancelled' },
  DEPLOY_LOCK_HELD: { status: 409, title: 'The environment is locked by another deployment' },
  DEPLOY_CONFLICT: { status: 409, title: 'The deployment conflicts with the current state' },
  DEPLOY_PROMOTION_MISSING: { status: 409, title: 'The version has not passed the environment before this one' },
  UPLOAD_STALLED: { status: 408, title: 'The upload stopped arriving' },
  UPLOAD_TOO_LARGE: { status: 413, title: 'The upload exceeds the size allowed for this route' },
  BODY_TOO_LARGE: { status: 413, title: 'The request body exceeds the size allowed for this route' },
  URI_TOO_LONG: { status: 414, title: 'A part of the request path is longer than allowed' },
  RANGE_NOT_SATISFIABLE: { status: 416, title: 'The requested range is outside the file' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'The content type is not accepted here' },
  UPLOAD_TYPE_REJECTED: { status: 415, title: 'The uploaded file is not of an accepted type' },
  UPLOAD_MISSING: { status: 422, title: 'A required file is missing' },
  UNPROCESSABLE: { status: 422, title: 'The input is well-formed but cannot be processed' },
  TEMPLATE_FIELDS_INVALID: { status: 422, title: "The template's fields are missing or invalid" },
  DOCUMENT_ENCRYPTED: { status: 422, title: 'The PDF is encrypted or password-protected' },
  DOCUMENT_INVALID: { status: 422, title: 'The document is damaged or not of the type it claims' },
  DOCUMENT_TOO_COMPLEX: { status: 422, title: 'The document exceeds a page, size or complexity limit' },
  LANGUAGE_UNAVAILABLE: { status: 422, title: 'The OCR language is not installed' },
  DEPLOY_INVALID: { status: 422, title: 'The deployment request was refused' },
  DEPLOY_CHECKS_FAILED: { status: 422, title: 'Pre-deployment checks failed' },
  RELEASE_UNTRUSTED: { status: 422, title: "The release's signature or checksum does not verify" },
  RATE_LIMITED: { status: 429, title: 'Too many requests' },
  QUEUE_FULL: { status: 429, title: 'The job queue is full' },
  INTERNAL_ERROR: { status: 500, title: 'Internal error' },
  JOB_FAILED: { status: 500, title: 'The job failed' },
  JOB_INTERRUPTED: { status: 500, title: 'The job was interrupted too often to finish' },
  JOB_NO_HANDLER: { status: 500, title: 'No handler for this job type in the release that ran it' },
  JOB_INVALID_ID: { status: 500, title: 'The job id cannot name a work folder' },
  JOB_RESULT_INVALID: { status: 500, title: "The job's result could not be stored" },
  JOB_RELEASED: { status: 503, title: 'The job was handed back by a runner shutting down; it will run again' },
  JOB_STORE_UNAVAILABLE: { status: 503, title: 'The job store cannot be reached; try again shortly' },
  GATEWAY_STATE_UNAVAILABLE: { status: 503, title: "The gateways' shared state (Redis) cannot be reached; try again shortly" },
  JOB_TRANSFER_FAILED: { status: 502, title: "A job's file could not be moved between hosts; the job runs again" },
  UPSTREAM_UNAVAILABLE: { status: 502, title: 'The upstream service could not be reached' },
  NOT_READY: { status: 503, title: 'The service is not ready' },
  DRAINING: { status: 503, title: 'The service is shutting down' },
  DEPENDENCY_MISSING: { status: 503, title: 'A tool this route needs is not installed' },
  LIVE_PORTS_EXHAUSTED: { status: 503, title: 'Every live ingest port is in use' },
  STORAGE_INSUFFICIENT: { status: 507, title: 'Not enough disk space for the job' },
  SANDBOX_UNAVAILABLE: { status: 503, title: 'The code sandbox cannot be set up on this host' },
  UPSTREAM_TIMEOUT: { status: 504, title: 'The upstream service did not answer in time' },
  JOB_TIMEOUT: { status: 504, title: 'The job ran past its time limit' },
  JOB_STALLED: { status: 504, title: 'The job stopped making progress' },
  AI_TEXT_EMPTY: { status: 422, title: 'The text to process is empty' },
  AI_TEXT_TOO_LONG: { status: 422, title: 'The text is longer than this route accepts' },
  AI_UNKNOWN_PROVIDER: { status: 400, title: 'No such AI provider' },
  AI_UNKNOWN_MODEL: { status: 400, title: 'No such model' },
  AI_TRAINING_INVALID: { status: 422, title: 'The training examples cannot make a classifier' },
  AI_NOT_SUPPORTED: { status: 400, title: 'The chosen provider does not offer this' },
  AI_BUDGET_EXCEEDED: { status: 429, title: 'The caller has spent its AI budget' },
  AI_PROVIDERS_UNAVAILABLE: { status: 503, title: 'No AI provider could answer' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemCode = keyof typeof PROBLEMS;

/** The JSON body of an `application/problem+json` answer. */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  code: ProblemCode;
  detail: string;
  instance?: string;
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** An error that is an answer: thrown anywhere, turned into a response by the kit's error handler. */
export class Problem extends Error {
  readonly code: ProblemCode;
  readonly status: number;
  readonly extensions: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(code: ProblemCode, detail: string, options: { extensions?: Record<string, unknown>; headers?: Record<string, string>; cause?: unknown } = {}) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'Problem';
    this.code = code;
    this.status = PROBLEMS[code].status;
    this.extensions = options.extensions ?? {};
    this.headers = options.headers ?? {};
  }

  toBody(instance?: string): ProblemBody {
    return {
      ...this.extensions,
      type: `https://pitchey.dev/problems/${this.code.toLowerCase().replaceAll('_', '-')}`,
      title: PROBLEMS[this.code].title,
      status: this.status,
      code: this.code,
      detail: this.message,
      ...(instance === undefined ? {} : { instance }),
    };
  }
}

/** One field that does not validate: `field` as schema validation names it (`body/format`, `query/limit`). */
export interface FieldError {
  field: string;
  message: string;
}

/**
 * A request whose fields do not validate: 400 VALIDATION_FAILED listing each field, the same answer
 * (and `errors` shape) as a schema that refuses the request. Every hand-checked form field, query
 * parameter or header answers through this; 422 stays for well-formed input that cannot be processed.
 */
export function invalidFields(errors: readonly FieldError[]): Problem {
  return new Problem('VALIDATION_FAILED', errors.map((e) => `${e.field} ${e.message}`).join('; '), { extensions: { errors } });
}

export function invalidField(field: string, message: string): Problem {
  return invalidFields([{ field, message }]);
}

/** Whether `code` is a catalogued problem of the client's own making (a 4xx): bad input, not a failure to serve it. */
export function isClientProblem(code: string | undefined): boolean {
  const entry = code === undefined ? undefined : (PROBLEMS as Record<string, { status: number } | undefined>)[code];
  return entry !== undefined && entry.status >= 400 && entry.status < 500;
}

export function isProblem(value: unknown): value is Problem {
  return value instanceof Problem;
}
