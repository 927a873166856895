// What each language runs as inside the sandbox: the files written into the run folder, the
// command, and how many tasks the runtime itself needs (node has 7 threads before user code;
// the process limit counts threads). Compilation happens here, outside the sandbox but bounded:
// TypeScript through esbuild with a deadline, JavaScript parsed with acorn to pick the module kind.
import { createRequire } from 'node:module';
import { transform } from 'esbuild';
import { Problem, runProcess } from '../../kit/index.js';
import { parseJavaScript } from './js-findings.js';

export const LANGUAGES = ['python', 'javascript', 'typescript', 'sql'] as const;
export type Language = (typeof LANGUAGES)[number];

export const PYTHON = '/usr/bin/python3';

export interface SourceFile {
  name: string;
  content: string;
}

export interface Program {
  language: Language;
  code: string;
  stdin?: string | undefined;
  /** JSON bound as `inputs` (Python, JS/TS globals) or as named parameters (SQL). */
  inputs?: unknown;
  args?: string[] | undefined;
  /** SQL only: statements run before the code (schema, fixtures). */
  setup?: string | undefined;
  /** The entry's file name when the program came as files (default main.<ext>). */
  entry?: string;
  /** The program's other files, written beside the entry in /code. */
  files?: SourceFile[];
}

export type Prepared = { ok: true; files: Array<{ name: string; content: string }>; argv: string[]; runtimeTasks: number; sql: boolean; control: boolean } | { ok: false; compileError: string };

const TRANSPILE_DEADLINE_MS = 10_000;

/** CommonJS when the code is a valid script (require works), ES module when only that parses. */
export function jsModuleKind(code: string): { kind: 'cjs' | 'mjs' } | { error: string } {
  const parsed = parseJavaScript(code);
  return 'error' in parsed ? { error: `SyntaxError: ${parsed.error.message}` } : { kind: parsed.kind };
}

/** `format`: kept as written (default), or CommonJS so that extensionless imports between files resolve. */
export async function transpileTypeScript(code: string, opts: { file?: string; format?: 'cjs' } = {}): Promise<{ js: string } | { error: string }> {
  const file = opts.file ?? 'main.ts';
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`transpiling did not finish within ${TRANSPILE_DEADLINE_MS} ms`)), TRANSPILE_DEADLINE_MS);
  });
  try {
    const out = await Promise.race([
      transform(code, { loader: file.endsWith('.tsx') ? 'tsx' : 'ts', sourcefile: file, target: 'node20', logLevel: 'silent', ...(opts.format === undefined ? {} : { format: opts.format }) }),
      deadline,
    ]);
    return { js: out.code };
  } catch (err) {
    const errors = (err as { errors?: Array<{ text: string; location: { line: number; column: number } | null }> }).errors;
    if (errors === undefined) return { error: (err as Error).message };
    return { error: errors.map((e) => `${file}${e.location ? `:${e.location.line}:${e.location.column + 1}` : ''}: ${e.text}`).join('\n') };
  } finally {
    clearTimeout(timer);
  }
}

const heapMbFor = (memoryMb: number): number => Math.max(16, Math.floor(memoryMb * 0.75));
const PRELUDE = { name: 'prelude.cjs', content: "globalThis.inputs = JSON.parse(require('fs').readFileSync('/code/inputs.json', 'utf8'));\n" };

function nodeProgram(js: string, program: Program, memoryMb: number): Prepared {
  const kind = jsModuleKind(js);
  if ('error' in kind) return { ok: false, compileError: kind.error };
  return {
    ok: true,
    runtimeTasks: 8,
    sql: false,
    control: false,
    files: [{ name: `main.${kind.kind}`, content: js }, PRELUDE, { name: 'inputs.json', content: JSON.stringify(program.inputs ?? null) }],
    argv: [process.execPath, `--max-old-space-size=${heapMbFor(memoryMb)}`, '--require', '/code/prelude.cjs', `/code/main.${kind.kind}`, ...(program.args ?? [])],
  };
}

/**
 * A JavaScript or TypeScript program of several files, each under its own name so that imports
 * between them resolve: TypeScript compiled file by file to CommonJS (`./lib` finds lib.js), each
 * JavaScript file parsed for syntax errors; Node picks a `.js` file's module kind by its syntax.
 */
async function nodeFiles(program: Program & { entry: string }, memoryMb: number, typescript: boolean): Promise<Prepared> {
  const out: SourceFile[] = [];
  for (const f of [{ name: program.entry, content: program.code }, ...(program.files ?? [])]) {
    if (typescript && /\.tsx?$/.test(f.name)) {
      const compiled = await transpileTypeScript(f.content, { file: f.name, format: 'cjs' });
      if ('error' in compiled) return { ok: false, compileError: compiled.error };
      out.push({ name: f.name.replace(/\.tsx?$/, '.js'), content: compiled.js });
      continue;
    }
    const kind = /\.[cm]?js$/.test(f.name) ? jsModuleKind(f.content) : null;
    if (kind !== null && 'error' in kind) return { ok: false, compileError: `${f.name}: ${kind.error}` };
    out.push(f);
  }
  return {
    ok: true,
    runtimeTasks: 8,
    sql: false,
    control: false,
    files: [...out, PRELUDE, { name: 'inputs.json', content: JSON.stringify(program.inputs ?? null) }],
    argv: [process.execPath, `--max-old-space-size=${heapMbFor(memoryMb)}`, '--experimental-detect-module', '--require', '/code/prelude.cjs', `/code/${out[0]!.name}`, ...(program.args ?? [])],
  };
}

/** Each name once in /code: a program's file may not take a name its runtime writes there. */
function distinctNames(prepared: Prepared, program: Program): Prepared {
  if (!prepared.ok || program.files === undefined) return prepared;
  const names = prepared.files.map((f) => f.name);
  const twice = names.filter((n, i) => names.indexOf(n) !== i);
  if (twice.length === 0) return prepared;
  throw new Problem('VALIDATION_FAILED', `body/files "${twice.join('", "')}" is a name the ${program.language} runtime uses in /code (or two files compile to it); rename the file.`, {
    extensions: { errors: twice.map((n) => ({ field: 'body/files', message: `"${n}" is taken` })) },
  });
}

/** The run folder and command for a program, or its compilation error. */
export async function prepare(program: Program, memoryMb: number, runners: { python: string; sql: string }): Promise<Prepared> {
  return distinctNames(await prepareFiles(program, memoryMb, runners), program);
}

async function prepareFiles(program: Program, memoryMb: number, runners: { python: string; sql: string }): Promise<Prepared> {
  const inputs = { name: 'inputs.json', content: JSON.stringify(program.inputs ?? null) };
  const { entry } = program;
  switch (program.language) {
    case 'python':
      return {
        ok: true,
        runtimeTasks: 1,
        sql: false,
        control: true,
        files: [{ name: entry ?? 'main.py', content: program.code }, ...(program.files ?? []), { name: 'launcher.py', content: runners.python }, inputs],
        argv: [PYTHON, '-I', '-B', '/code/launcher.py', `/code/${entry ?? 'main.py'}`, ...(program.args ?? [])],
      };
    case 'sql':
      return {
        ok: true,
        runtimeTasks: 1,
        sql: true,
        control: false,
        files: [{ name: 'main.sql', content: program.code }, { name: 'setup.sql', content: program.setup ?? '' }, { name: 'runner.py', content: runners.sql }, inputs],
        argv: [PYTHON, '-I', '-B', '/code/runner.py'],
      };
    case 'javascript':
      return entry === undefined ? nodeProgram(program.code, program, memoryMb) : nodeFiles({ ...program, entry }, memoryMb, false);
    case 'typescript': {
      if (entry !== undefined) return nodeFiles({ ...program, entry }, memoryMb, true);
      const out = await transpileTypeScript(program.code);
      return 'error' in out ? { ok: false, compileError: out.error } : nodeProgram(out.js, program, memoryMb);
    }
  }
}

export interface RuntimeVersions {
  python: string | null;
  sqlite: string | null;
  node: string;
  esbuild: string;
  typescript: string | null;
}

let versions: Promise<RuntimeVersions> | null = null;

/** The versions actually used in the sandbox (Debian's python3 and its sqlite3, this node). */
export function runtimeVersions(): Promise<RuntimeVersions> {
  versions ??= (async () => {
    const run = await runProcess(PYTHON, ['-I', '-c', 'import sys, sqlite3; print(sys.version.split()[0], sqlite3.sqlite_version)'], { timeoutMs: 10_000 });
    const [python = null, sqlite = null] = run.exitCode === 0 ? run.stdout.toString('utf8').trim().split(' ') : [];
    const { version: esbuild } = await import('esbuild');
    const ts = (createRequire(import.meta.url)('typescript/package.json') as { version: string }).version;
    return { python, sqlite, node: process.versions.node, esbuild, typescript: ts };
  })();
  return versions;
}
