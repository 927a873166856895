// The success answers of the code executor's catalogue and function routes (/languages,
// /security-policies, /deploy, /functions…): each handler is typed by its schema and the OpenAPI
// document carries the same one. /execute's and /validate's are beside them (execute.ts, validate.ts).
import { Nullable, StringEnum, Type, type RouteDoc, type Static } from '../../kit/index.js';
import { ExecutionAnswer, RunLimits, STATUSES } from './execute.js';
import { LANGUAGES } from './languages.js';
import { ValidationAnswer } from './validate.js';

const Language = StringEnum(LANGUAGES);
const Timestamp = Type.String({ format: 'date-time' });
const Limits = Type.Object({
  defaults: RunLimits,
  maxima: RunLimits,
  code_chars: Type.Integer({ minimum: 1, description: 'The longest program accepted' }),
});

export const LanguagesAnswer = Type.Object({
  languages: Type.Array(
    Type.Object({
      name: Language,
      runtime: Type.String(),
      version: Nullable(Type.String({ description: 'null: not installed here' })),
      available: Type.Boolean(),
      reason: Type.Optional(Nullable(Type.String({ description: 'Why the sandbox cannot run here' }))),
    }),
  ),
  limits: Limits,
  statuses: Type.Array(StringEnum(STATUSES), { description: 'What a run can end as' }),
});

export const SecurityPoliciesAnswer = Type.Object({
  sandbox: Type.Object({
    tool: Type.Literal('bubblewrap'),
    available: Type.Boolean(),
    reason: Nullable(Type.String()),
    cgroups: Nullable(Type.String({ description: 'How CPU, memory and processes are limited here' })),
    run_as_uid: Type.Integer(),
  }),
  namespaces: Type.Array(Type.String()),
  filesystem: Type.String(),
  environment: Type.String(),
  limits: Type.Composite([Limits, Type.Object({ enforcement: Type.Record(Type.String(), Type.String(), { description: 'How each limit is enforced' }) })]),
  concurrency: Type.Object({ running: Type.Integer({ minimum: 0 }), queued: Type.Integer({ minimum: 0 }), size: Type.Integer({ minimum: 0 }), queue: Type.Integer({ minimum: 0 }) }),
  validation: Type.String(),
  sql: Type.String(),
});

/** A stored version of a deployed function (the store's record). */
export const FunctionVersion = Type.Object({
  name: Type.String(),
  version: Type.Integer({ minimum: 1 }),
  language: Language,
  code: Type.String(),
  setup: Type.String(),
  environment: Type.String(),
  limits: Type.Partial(RunLimits, { description: 'Its own limits over the defaults' }),
  deployed_at: Timestamp,
});
export type FunctionVersion = Static<typeof FunctionVersion>;

const Versions = Type.Array(Type.Integer({ minimum: 1 }), { description: 'Every version, oldest first' });
export const FunctionSummary = Type.Object({
  name: Type.String(),
  language: Language,
  current_version: Type.Integer({ minimum: 1 }),
  versions: Versions,
  environment: Type.String(),
  deployed_at: Timestamp,
});
export type FunctionSummary = Static<typeof FunctionSummary>;

const NOT_FOUND: RouteDoc['problems'] = ['FUNCTION_NOT_FOUND'];
export const DeployAnswer = Type.Object({
  deployment_name: Type.String(),
  version: Type.Integer({ minimum: 1 }),
  language: Language,
  environment: Type.String(),
  deployed_at: Timestamp,
  status: Type.Literal('deployed'),
  invoke_url: Type.String(),
  validation: ValidationAnswer,
});
// Invalid or unsafe code, or a limit over its maximum, is UNPROCESSABLE; Python and SQL are checked in the sandbox.
export const DEPLOY_DOC: RouteDoc = { ok: { json: DeployAnswer, status: 201 }, problems: ['UNPROCESSABLE', 'SANDBOX_UNAVAILABLE', 'QUEUE_FULL'] };
export const FunctionsAnswer = Type.Object({ functions: Type.Array(FunctionSummary) });
export const FunctionAnswer = Type.Composite([FunctionVersion, Type.Object({ current_version: Type.Integer({ minimum: 1 }), versions: Versions })]);
export const FUNCTION_DOC: RouteDoc = { ok: { json: FunctionAnswer }, problems: NOT_FOUND };
export const DELETE_FUNCTION_DOC: RouteDoc = { ok: { noContent: true }, problems: NOT_FOUND };
export const RollbackAnswer = Type.Object({ deployment_name: Type.String(), current_version: Type.Integer({ minimum: 1 }), versions: Versions });
export const ROLLBACK_DOC: RouteDoc = { ok: { json: RollbackAnswer }, problems: ['FUNCTION_NOT_FOUND', 'UNPROCESSABLE'] };
export const InvokeAnswer = Type.Composite([
  Type.Object({ deployment_name: Type.String(), version: Type.Integer({ minimum: 1 }), output: Type.Unknown({ description: 'Its JSON output (SQL: its result sets) when it completed, else null' }) }),
  ExecutionAnswer,
]);
export const INVOKE_DOC: RouteDoc = { ok: { json: InvokeAnswer }, problems: ['FUNCTION_NOT_FOUND', 'UNPROCESSABLE', 'SANDBOX_UNAVAILABLE', 'QUEUE_FULL'] };
