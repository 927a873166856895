// One program through the sandbox: limits resolved against the configured maxima, compiled,
// run in a pool slot, and its outcome named the way Judge0 and Piston name theirs.
import { randomUUID } from 'node:crypto';
import { constants } from 'node:os';
import { Nullable, Problem, StringEnum, Type, type CodeLimits, type Static } from '../../kit/index.js';
import type { Sandbox, SandboxResult } from '../../sandbox/index.js';
import { LANGUAGES, prepare, type Program } from './languages.js';
import type { RunPool } from './pool.js';
import { PYTHON_LAUNCHER, SQL_RUNNER } from './runners.js';

export const STATUSES = ['completed', 'runtime_error', 'time_limit_exceeded', 'memory_limit_exceeded', 'output_limit_exceeded', 'compilation_error', 'internal_error'] as const;
export type RunStatus = (typeof STATUSES)[number];

const SqlResultSet = Type.Object({
  statement: Type.Integer({ minimum: 1 }),
  sql: Type.String(),
  columns: Nullable(Type.Array(Type.String())),
  rows: Nullable(Type.Array(Type.Array(Type.Unknown()))),
  rows_affected: Nullable(Type.Integer()),
});
export type SqlResultSet = Static<typeof SqlResultSet>;

const int = (description: string) => Type.Integer({ minimum: 0, description });

/** A run's limits, as the settings and a request name them. */
export const RunLimits = Type.Object({ cpu_ms: int('ms'), wall_ms: int('ms'), memory_mb: int('MB'), output_kb: int('KB'), processes: int('tasks') });

/** `POST /execute`'s answer (and a deployed function's run): documentation and the handler's type. */
export const ExecutionAnswer = Type.Object({
  execution_id: Type.String(),
  language: StringEnum(LANGUAGES),
  status: StringEnum(STATUSES),
  message: Nullable(Type.String({ description: 'Why, in words, when the status is not `completed`' })),
  stdout: Type.String(),
  stderr: Type.String(),
  compile_output: Nullable(Type.String()),
  return_code: Nullable(Type.Integer()),
  signal: Nullable(Type.String({ description: 'The signal that ended the program (SIGKILL, …)' })),
  executed_at: Type.String({ format: 'date-time' }),
  execution_time: Type.Number({ minimum: 0, description: "Wall time in seconds (the original's field)" }),
  wall_time_ms: Type.Number({ minimum: 0 }),
  cpu_time_ms: Nullable(int('CPU time')),
  memory_peak_kb: Nullable(int('Peak memory')),
  limits: Type.Composite([RunLimits], { description: 'The limits it ran under' }),
  results: Type.Optional(Type.Array(SqlResultSet, { description: 'SQL: one per statement' })),
});
export type Execution = Static<typeof ExecutionAnswer>;

export interface Executor {
  sandbox: Sandbox;
  pool: RunPool;
  defaults: CodeLimits;
  maxima: CodeLimits;
}

/** The request's limits over the defaults; any above its maximum is a 422 naming the maximum. */
export function resolveLimits(requested: Partial<CodeLimits> | undefined, defaults: CodeLimits, maxima: CodeLimits): CodeLimits {
  const limits = { ...defaults };
  for (const [key, value] of Object.entries(requested ?? {}) as Array<[keyof CodeLimits, number | undefined]>) {
    if (value === undefined) continue;
    if (value > maxima[key]) throw new Problem('UNPROCESSABLE', `limits.${key} ${value} exceeds the maximum of ${maxima[key]}.`, { extensions: { maximum: maxima } });
    limits[key] = value;
  }
  return limits;
}

function signalName(code: number | null): string | null {
  if (code === null || code <= 128 || code > 128 + 64) return null;
  return Object.entries(constants.signals).find(([, n]) => n === code - 128)?.[0] ?? null;
}

/** A SQL cell as the text table shows it: NULL, numbers and text as they are, blobs as JSON. */
function cellText(v: unknown): string {
  if (v === null) return 'NULL';
  if (typeof v === 'string') return v;
  return typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
}

function renderTable(sets: SqlResultSet[]): string {
  return sets
    .filter((s) => s.columns !== null)
    .map((s) => [s.columns!.join('|'), ...(s.rows ?? []).map((r) => r.map(cellText).join('|'))].join('\n'))
    .join('\n\n');
}

type Outcome = Pick<Execution, 'status' | 'message' | 'compile_output' | 'results' | 'stdout' | 'stderr'>;

function sqlOutcome(r: SandboxResult, stdout: string, stderr: string): Outcome | null {
  const text = r.exitCode === 0 ? stdout : stderr;
  let parsed: { ok: boolean; results?: SqlResultSet[]; kind?: string; error?: string; statement?: number; phase?: string };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    return null;
  }
  if (parsed.ok) return { status: 'completed', message: null, compile_output: null, results: parsed.results ?? [], stdout: renderTable(parsed.results ?? []), stderr: '' };
  const where = `${parsed.phase === 'setup' ? 'setup ' : ''}statement ${parsed.statement}`;
  const message = `${where}: ${parsed.error}`;
  if (parsed.kind === 'syntax') return { status: 'compilation_error', message, compile_output: message, stdout: '', stderr: '' };
  return { status: 'runtime_error', message, compile_output: null, stdout: '', stderr: message };
}

/** Names the outcome: our own kills first (they explain any signal), then the program's exit. */
export function classify(r: SandboxResult, limits: CodeLimits, kind: { sql: boolean; control: boolean }): Outcome {
  const stdout = r.stdout.toString('utf8');
  const stderr = r.stderr.toString('utf8');
  const base = { compile_output: null, stdout, stderr };
  const cpuOver = r.cpuMs !== null && r.cpuMs >= limits.cpu_ms;
  const heapAbort = /Reached heap limit|JavaScript heap out of memory/.test(stderr);
  if (r.outputExceeded) return { ...base, status: 'output_limit_exceeded', message: `${r.outputExceeded} exceeded ${limits.output_kb} KB` };
  if (r.timeLimit === 'wall') return { ...base, status: 'time_limit_exceeded', message: `wall time exceeded ${limits.wall_ms} ms` };
  if (r.timeLimit === 'cpu' || signalName(r.exitCode) === 'SIGXCPU' || (cpuOver && r.exitCode !== 0))
    return { ...base, status: 'time_limit_exceeded', message: `CPU time exceeded ${limits.cpu_ms} ms` };
  if (r.oomKilled || heapAbort) return { ...base, status: 'memory_limit_exceeded', message: `memory exceeded ${limits.memory_mb} MB` };
  if (kind.control && r.control !== '') return { status: 'compilation_error', message: 'the program does not compile', compile_output: r.control, stdout: '', stderr: r.control };
  if (kind.sql) {
    const sql = sqlOutcome(r, stdout, stderr);
    if (sql) return sql;
    return { ...base, status: 'internal_error', message: `the SQL runner failed (exit ${r.exitCode})` };
  }
  if (r.exitCode === 0) return { ...base, status: 'completed', message: null };
  const sig = signalName(r.exitCode);
  return { ...base, status: 'runtime_error', message: sig ? `killed by ${sig}` : `exited with code ${r.exitCode}` };
}

/**
 * Runs a program in the sandbox and describes the outcome (never throws for the program's faults).
 * `signal` is the request's: once it aborts, a run still waiting for a pool slot never starts and
 * a running one is killed.
 */
export async function execute(ex: Executor, program: Program, requested: Partial<CodeLimits> | undefined, signal: AbortSignal): Promise<Execution> {
  const limits = resolveLimits(requested, ex.defaults, ex.maxima);
  if (!ex.sandbox.info.available) throw new Problem('SANDBOX_UNAVAILABLE', `Code cannot run here: ${ex.sandbox.info.reason}. Nothing runs without the sandbox.`);
  const head = { execution_id: randomUUID(), language: program.language, executed_at: new Date().toISOString(), limits };
  const prepared = await prepare(program, limits.memory_mb, { python: PYTHON_LAUNCHER, sql: SQL_RUNNER });
  if (!prepared.ok) {
    return {
      ...head,
      status: 'compilation_error',
      message: 'the program does not compile',
      compile_output: prepared.compileError,
      stdout: '',
      stderr: prepared.compileError,
      return_code: null,
      signal: null,
      execution_time: 0,
      wall_time_ms: 0,
      cpu_time_ms: null,
      memory_peak_kb: null,
    };
  }
  const result = await ex.pool.use(signal, () =>
    ex.sandbox.run({
      files: prepared.files,
      argv: prepared.argv,
      stdin: program.stdin,
      control: prepared.control,
      signal,
      limits: { cpuMs: limits.cpu_ms, wallMs: limits.wall_ms, memoryMb: limits.memory_mb, outputKb: limits.output_kb, processes: limits.processes + prepared.runtimeTasks },
    }),
  );
  if (result.setupError !== null)
    throw new Problem('INTERNAL_ERROR', `The sandbox failed to start the program: ${result.setupError}`, { extensions: { execution_id: head.execution_id, execution_status: 'internal_error' } });
  const outcome = classify(result, limits, prepared);
  return {
    ...head,
    ...outcome,
    return_code: result.exitCode,
    signal: result.signal ?? signalName(result.exitCode),
    execution_time: result.wallMs / 1000,
    wall_time_ms: result.wallMs,
    cpu_time_ms: result.cpuMs === null ? null : Math.round(result.cpuMs),
    memory_peak_kb: result.peakMemoryBytes === null ? null : Math.round(result.peakMemoryBytes / 1024),
  };
}
