// POST /validate: a syntax check per language plus security findings from each language's own
// parser: Python's `ast` and SQLite's prepare (both inside the sandbox, bounded like any run),
// acorn for JavaScript, and for TypeScript the compiler's type errors (in a worker with a
// deadline) plus the JavaScript findings over esbuild's output.
import { Nullable, StringEnum, Type, type Static } from '../../kit/index.js';
import type { Sandbox } from '../../sandbox/index.js';
import { analyzeJavaScript, type Finding, type Severity } from './js-findings.js';
import { LANGUAGES, PYTHON, transpileTypeScript, type Language } from './languages.js';
import type { RunPool } from './pool.js';
import { PYTHON_ANALYZER, SQL_ANALYZER } from './runners.js';
import type { TypeChecker } from './ts-check.js';

const Position = { line: Type.Optional(Nullable(Type.Integer())), column: Type.Optional(Nullable(Type.Integer())) };
const SyntaxError = Type.Object({ message: Type.String(), ...Position, statement: Type.Optional(Type.Integer({ description: 'SQL: the statement, from 1' })) });
export type SyntaxError = Static<typeof SyntaxError>;
const SEVERITIES = ['low', 'medium', 'high'] as const satisfies readonly Severity[];

/** `POST /validate`'s answer: documentation and the handler's type. */
export const ValidationAnswer = Type.Object({
  language: StringEnum(LANGUAGES),
  valid: Type.Boolean({ description: 'The code parses (and, for TypeScript, type-checks)' }),
  errors: Type.Array(SyntaxError),
  safe: Type.Boolean({ description: 'No finding of high severity' }),
  severity: StringEnum([...SEVERITIES, 'none']),
  issues: Type.Array(Type.Object({ pattern: Type.String(), message: Type.String(), severity: StringEnum(SEVERITIES), ...Position })),
  notes: Type.Array(Type.String(), { description: 'Things worth knowing that are neither errors nor risks (a missing table, an unfinished type check)' }),
});
export type Validation = Static<typeof ValidationAnswer>;

const ANALYZER_LIMITS = { cpuMs: 5_000, wallMs: 10_000, memoryMb: 128, outputKb: 1024, processes: 1 };
const RANK: Record<Severity, number> = { low: 1, medium: 2, high: 3 };

interface Analysis {
  errors: SyntaxError[];
  issues: Finding[];
  notes: string[];
}

export interface Validator {
  sandbox: Sandbox;
  pool: RunPool;
  types: TypeChecker;
}

async function inSandbox(v: Validator, files: Array<{ name: string; content: string }>, runner: string, signal: AbortSignal): Promise<unknown> {
  const r = await v.pool.use(signal, () =>
    v.sandbox.run({ files: [...files, { name: 'analyze.py', content: runner }], argv: [PYTHON, '-I', '-B', '/code/analyze.py'], limits: ANALYZER_LIMITS, signal }),
  );
  if (r.exitCode !== 0 || r.timeLimit || r.outputExceeded) {
    throw new Error(`the analyzer did not finish (${r.timeLimit ? `${r.timeLimit} time limit` : r.outputExceeded ? 'output limit' : `exit ${r.exitCode}`}): ${r.stderr.toString('utf8').slice(-300)}`);
  }
  return JSON.parse(r.stdout.toString('utf8'));
}

async function python(v: Validator, code: string, signal: AbortSignal): Promise<Analysis> {
  const out = (await inSandbox(v, [{ name: 'main.py', content: code }], PYTHON_ANALYZER, signal)) as { errors: SyntaxError[]; issues: Finding[] };
  return { ...out, notes: [] };
}

async function sql(v: Validator, code: string, setup: string, signal: AbortSignal): Promise<Analysis> {
  const out = (await inSandbox(
    v,
    [
      { name: 'main.sql', content: code },
      { name: 'setup.sql', content: setup },
    ],
    SQL_ANALYZER,
    signal,
  )) as {
    errors: SyntaxError[];
    notes: Array<{ statement: number; message: string }>;
    findings: Array<[string, string]>;
  };
  const issues = out.findings.map(([pattern, message]) => ({ pattern, message, severity: 'high' as const }));
  const unique = issues.filter((f, i) => issues.findIndex((g) => g.pattern === f.pattern) === i);
  return { errors: out.errors, issues: unique, notes: out.notes.map((n) => `statement ${n.statement}: ${n.message}`) };
}

async function typescript(v: Validator, code: string): Promise<Analysis> {
  const [js, types] = await Promise.all([transpileTypeScript(code), v.types.check(code)]);
  if ('error' in js) return { errors: [{ message: js.error }], issues: [], notes: [] };
  const { issues } = analyzeJavaScript(js.js);
  // Lines refer to the transpiled code, which esbuild reformats: leave them out rather than mislead.
  const findings = issues.map(({ pattern, message, severity }) => ({ pattern, message, severity }));
  if (!types.done) return { errors: [], issues: findings, notes: [types.reason] };
  return { errors: types.diagnostics.map(({ message, line, column }) => ({ message, line, column })), issues: findings, notes: [] };
}

/** `signal` is the request's: an analysis still waiting for a pool slot when it aborts never starts. */
export async function validate(v: Validator, language: Language, code: string, setup: string, signal: AbortSignal): Promise<Validation> {
  const analysis: Analysis =
    language === 'python'
      ? await python(v, code, signal)
      : language === 'sql'
        ? await sql(v, code, setup, signal)
        : language === 'typescript'
          ? await typescript(v, code)
          : { ...analyzeJavaScript(code), notes: [] };
  const top = analysis.issues.reduce((m, f) => Math.max(m, RANK[f.severity]), 0);
  const severity = (Object.keys(RANK) as Severity[]).find((s) => RANK[s] === top) ?? 'none';
  return { language, valid: analysis.errors.length === 0, errors: analysis.errors, safe: top < RANK.high, severity, issues: analysis.issues, notes: analysis.notes };
}
