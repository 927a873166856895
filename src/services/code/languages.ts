// What each language runs as inside the sandbox: the files written into the run folder, the
// command, and how many tasks the runtime itself needs (node has 7 threads before user code;
// the process limit counts threads). Compilation happens here, outside the sandbox but bounded:
// TypeScript through esbuild with a deadline, JavaScript parsed with acorn to pick the module kind.
import { createRequire } from 'node:module';
import { transform } from 'esbuild';
import { runProcess } from '../../kit/index.js';
import { parseJavaScript } from './js-findings.js';

export const LANGUAGES = ['python', 'javascript', 'typescript', 'sql'] as const;
export type Language = (typeof LANGUAGES)[number];

export const PYTHON = '/usr/bin/python3';

export interface Program {
  language: Language;
  code: string;
  stdin?: string;
  /** JSON bound as `inputs` (Python, JS/TS globals) or as named parameters (SQL). */
  inputs?: unknown;
  args?: string[];
  /** SQL only: statements run before the code (schema, fixtures). */
  setup?: string;
}

export type Prepared =
  | { ok: true; files: Array<{ name: string; content: string }>; argv: string[]; runtimeTasks: number; sql: boolean; control: boolean }
  | { ok: false; compileError: string };

const TRANSPILE_DEADLINE_MS = 10_000;

/** CommonJS when the code is a valid script (require works), ES module when only that parses. */
export function jsModuleKind(code: string): { kind: 'cjs' | 'mjs' } | { error: string } {
  const parsed = parseJavaScript(code);
  return 'error' in parsed ? { error: `SyntaxError: ${parsed.error.message}` } : { kind: parsed.kind };
}

export async function transpileTypeScript(code: string): Promise<{ js: string } | { error: string }> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`transpiling did not finish within ${TRANSPILE_DEADLINE_MS} ms`)), TRANSPILE_DEADLINE_MS); });
  try {
    const out = await Promise.race([transform(code, { loader: 'ts', sourcefile: 'main.ts', target: 'node20', logLevel: 'silent' }), deadline]);
    return { js: out.code };
  } catch (err) {
    const errors = (err as { errors?: Array<{ text: string; location: { line: number; column: number } | null }> }).errors;
    if (errors === undefined) return { error: (err as Error).message };
    return { error: errors.map((e) => `main.ts${e.location ? `:${e.location.line}:${e.location.column + 1}` : ''}: ${e.text}`).join('\n') };
  } finally { clearTimeout(timer); }
}

function nodeProgram(js: string, program: Program, memoryMb: number): Prepared {
  const kind = jsModuleKind(js);
  if ('error' in kind) return { ok: false, compileError: kind.error };
  const heapMb = Math.max(16, Math.floor(memoryMb * 0.75));
  return {
    ok: true, runtimeTasks: 8, sql: false, control: false,
    files: [
      { name: `main.${kind.kind}`, content: js },
      { name: 'prelude.cjs', content: "globalThis.inputs = JSON.parse(require('fs').readFileSync('/code/inputs.json', 'utf8'));\n" },
      { name: 'inputs.json', content: JSON.stringify(program.inputs ?? null) },
    ],
    argv: [process.execPath, `--max-old-space-size=${heapMb}`, '--require', '/code/prelude.cjs', `/code/main.${kind.kind}`, ...(program.args ?? [])],
  };
}

/** The run folder and command for a program, or its compilation error. */
export async function prepare(program: Program, memoryMb: number, runners: { python: string; sql: string }): Promise<Prepared> {
  const inputs = { name: 'inputs.json', content: JSON.stringify(program.inputs ?? null) };
  switch (program.language) {
    case 'python':
      return {
        ok: true, runtimeTasks: 1, sql: false, control: true,
        files: [{ name: 'main.py', content: program.code }, { name: 'launcher.py', content: runners.python }, inputs],
        argv: [PYTHON, '-I', '-B', '/code/launcher.py', ...(program.args ?? [])],
      };
    case 'sql':
      return {
        ok: true, runtimeTasks: 1, sql: true, control: false,
        files: [{ name: 'main.sql', content: program.code }, { name: 'setup.sql', content: program.setup ?? '' }, { name: 'runner.py', content: runners.sql }, inputs],
        argv: [PYTHON, '-I', '-B', '/code/runner.py'],
      };
    case 'javascript':
      return nodeProgram(program.code, program, memoryMb);
    case 'typescript': {
      const out = await transpileTypeScript(program.code);
      return 'error' in out ? { ok: false, compileError: out.error } : nodeProgram(out.js, program, memoryMb);
    }
  }
}

export interface RuntimeVersions { python: string | null; sqlite: string | null; node: string; esbuild: string; typescript: string | null }

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
