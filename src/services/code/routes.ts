// The code executor's processing routes: /execute, /validate, /deploy and deployed functions.
import { clientGoneSignal, Problem, StringEnum, Type, type HttpApp, type RouteDoc, type Static } from '../../kit/index.js';
import { DELETE_FUNCTION_DOC, DEPLOY_DOC, FUNCTION_DOC, FunctionsAnswer, INVOKE_DOC, ROLLBACK_DOC, type DeployAnswer, type FunctionAnswer, type InvokeAnswer, type RollbackAnswer } from './answers.js';
import { ExecutionAnswer, execute, resolveLimits, type Execution, type Executor } from './execute.js';
import type { FunctionStore } from './functions.js';
import { LANGUAGES } from './languages.js';
import { MAX_CODE_CHARS, SourceFiles, programSource } from './source-files.js';
import { ValidationAnswer, validate, type Validation, type Validator } from './validate.js';

const LanguageSchema = StringEnum(LANGUAGES);
const Code = Type.String({ minLength: 1, maxLength: MAX_CODE_CHARS });
const Setup = Type.Optional(Type.String({ maxLength: MAX_CODE_CHARS, description: 'SQL only: statements run before the code' }));
const Limits = Type.Optional(
  Type.Object(
    {
      cpu_ms: Type.Optional(Type.Integer({ minimum: 100 })),
      wall_ms: Type.Optional(Type.Integer({ minimum: 100 })),
      memory_mb: Type.Optional(Type.Integer({ minimum: 16 })),
      output_kb: Type.Optional(Type.Integer({ minimum: 1 })),
      processes: Type.Optional(Type.Integer({ minimum: 1 })),
    },
    { additionalProperties: false },
  ),
);
const FunctionName = Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_-]{0,62}$' });

// Every body is closed: a field a route does not know is refused by name, never ignored.
const closed = { additionalProperties: false } as const;
const ExecuteBody = Type.Object(
  {
    language: LanguageSchema,
    code: Type.Optional(Code),
    files: Type.Optional(SourceFiles),
    main: Type.Optional(Type.String({ maxLength: 100, description: "with `files`: the entry point's name (default the first file)" })),
    setup: Setup,
    limits: Limits,
    stdin: Type.Optional(Type.String({ maxLength: 1_000_000 })),
    inputs: Type.Optional(Type.Unknown({ description: 'JSON bound as `inputs` (Python, JavaScript, TypeScript) or as named parameters (SQL)' })),
    args: Type.Optional(Type.Array(Type.String({ maxLength: 1000 }), { maxItems: 64 })),
  },
  closed,
);
const ValidateBody = Type.Object({ language: LanguageSchema, code: Code, setup: Setup }, closed);
const DeployBody = Type.Object(
  {
    language: LanguageSchema,
    code: Code,
    setup: Setup,
    limits: Limits,
    deployment_name: FunctionName,
    environment: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9-]{0,31}$', default: 'production' })),
  },
  closed,
);
const InvokeBody = Type.Object({ input: Type.Optional(Type.Unknown()), limits: Limits }, closed);
const NameParams = Type.Object({ name: FunctionName });
const RollbackBody = Type.Object({ version: Type.Optional(Type.Integer({ minimum: 1 })) }, closed);

export interface CodeRoutesDeps {
  executor: Executor;
  validator: Validator;
  functions: FunctionStore;
}

function notFound(name: string): Problem {
  return new Problem('FUNCTION_NOT_FOUND', `No deployed function named "${name}".`);
}

/** A function's stdout as JSON when it is JSON (its return value by convention), else null. */
function parseOutput(stdout: string): unknown {
  try {
    return JSON.parse(stdout);
  } catch {
    return null;
  }
}

export function registerCodeRoutes(app: HttpApp, deps: CodeRoutesDeps): void {
  const { executor, validator, functions } = deps;

  // A full pool answers QUEUE_FULL; a request for more than a limit's maximum, UNPROCESSABLE.
  const executeDoc: RouteDoc = { ok: { json: ExecutionAnswer }, problems: ['UNPROCESSABLE', 'SANDBOX_UNAVAILABLE', 'QUEUE_FULL'] };
  app.post('/execute', { schema: { summary: 'Run a program in the sandbox', body: ExecuteBody, doc: executeDoc } }, async (req, reply): Promise<Execution> => {
    const b = req.body;
    if (b.setup !== undefined && b.language !== 'sql') throw new Problem('UNPROCESSABLE', '`setup` is for SQL only.');
    return execute(executor, { language: b.language, ...programSource(b), setup: b.setup, stdin: b.stdin, inputs: b.inputs, args: b.args }, b.limits, clientGoneSignal(reply));
  });

  const validateDoc: RouteDoc = { ok: { json: ValidationAnswer }, problems: ['SANDBOX_UNAVAILABLE', 'QUEUE_FULL'] };
  app.post('/validate', { schema: { summary: 'Syntax and security findings from parsing', body: ValidateBody, doc: validateDoc } }, async (req, reply): Promise<Validation> => {
    const b = req.body;
    if (!validator.sandbox.info.available && (b.language === 'python' || b.language === 'sql')) {
      throw new Problem('SANDBOX_UNAVAILABLE', `Python and SQL are analyzed inside the sandbox, which cannot run here: ${validator.sandbox.info.reason}.`);
    }
    return validate(validator, b.language, b.code, b.setup ?? '', clientGoneSignal(reply));
  });

  app.post('/deploy', { schema: { summary: 'Store a validated snippet as a new version of a named function', body: DeployBody, doc: DEPLOY_DOC } }, async (req, reply) => {
    const b = req.body;
    const check = await validate(validator, b.language, b.code, b.setup ?? '', clientGoneSignal(reply));
    if (!check.valid || !check.safe) {
      throw new Problem(
        'UNPROCESSABLE',
        `The code is ${!check.valid ? 'not valid' : 'not safe'}: ${(!check.valid ? check.errors.map((e) => e.message) : check.issues.filter((i) => i.severity === 'high').map((i) => `${i.pattern} (${i.message})`)).join('; ')}`,
        { extensions: { validation: check } },
      );
    }
    const limits = b.limits ?? {};
    resolveLimits(limits, executor.defaults, executor.maxima); // refused now, not at the first invocation
    const v = functions.deploy({ name: b.deployment_name, language: b.language, code: b.code, setup: b.setup ?? '', environment: b.environment ?? 'production', limits });
    const answer: Static<typeof DeployAnswer> = {
      deployment_name: v.name,
      version: v.version,
      language: v.language,
      environment: v.environment,
      deployed_at: v.deployed_at,
      status: 'deployed',
      invoke_url: `/functions/${v.name}/invoke`,
      validation: check,
    };
    return reply.code(201).send(answer);
  });

  app.get('/functions', { schema: { summary: 'Deployed functions', doc: { ok: { json: FunctionsAnswer } } } }, (): Static<typeof FunctionsAnswer> => ({ functions: functions.list() }));

  app.get('/functions/:name', { schema: { summary: 'A deployed function: its current version and all versions', params: NameParams, doc: FUNCTION_DOC } }, (req): Static<typeof FunctionAnswer> => {
    const { name } = req.params;
    const cur = functions.current(name);
    if (cur === null) throw notFound(name);
    return { ...cur, current_version: cur.version, versions: functions.versions(name) };
  });

  app.delete('/functions/:name', { schema: { summary: 'Delete a function and all its versions', params: NameParams, doc: DELETE_FUNCTION_DOC } }, async (req, reply) => {
    const { name } = req.params;
    if (!functions.delete(name)) throw notFound(name);
    return reply.code(204).send();
  });

  app.post(
    '/functions/:name/rollback',
    { schema: { summary: 'Make the previous (or a given) version current', params: NameParams, body: Type.Optional(RollbackBody), doc: ROLLBACK_DOC } },
    (req): Static<typeof RollbackAnswer> => {
      const { name } = req.params;
      const to = (req.body as Static<typeof RollbackBody> | undefined)?.version;
      if (functions.current(name) === null) throw notFound(name);
      const v = functions.rollback(name, to);
      if (v === null) throw new Problem('UNPROCESSABLE', to === undefined ? `"${name}" has no version before its current one.` : `"${name}" has no version ${to}.`);
      return { deployment_name: name, current_version: v.version, versions: functions.versions(name) };
    },
  );

  app.post(
    '/functions/:name/invoke',
    { schema: { summary: 'Run the current version with JSON input', params: NameParams, body: Type.Optional(InvokeBody), doc: INVOKE_DOC } },
    async (req, reply): Promise<Static<typeof InvokeAnswer>> => {
      const { name } = req.params;
      const body = (req.body as Static<typeof InvokeBody> | undefined) ?? {};
      const fn = functions.current(name);
      if (fn === null) throw notFound(name);
      const run = await execute(executor, { language: fn.language, code: fn.code, setup: fn.setup, inputs: body.input ?? null }, { ...fn.limits, ...body.limits }, clientGoneSignal(reply));
      return { deployment_name: name, version: fn.version, output: run.status === 'completed' ? (run.results ?? parseOutput(run.stdout)) : null, ...run };
    },
  );
}
