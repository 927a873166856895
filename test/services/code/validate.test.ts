// /validate: syntax per language and security findings from parsing, never from substrings.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leftoverCgroups, startCodeService, strayProcesses, type CodeTestService } from './support.js';

let s: CodeTestService;
beforeAll(async () => {
  s = await startCodeService({ PITCHEY_CODE_TYPECHECK_MS: '3000' });
});
afterAll(async () => {
  expect(strayProcesses()).toEqual([]);
  expect(leftoverCgroups()).toEqual([]);
  await s.stop();
});

interface V {
  valid: boolean;
  safe: boolean;
  severity: string;
  errors: Array<{ message: string; line?: number }>;
  issues: Array<{ pattern: string; severity: string; line?: number }>;
  notes: string[];
}
const check = async (language: string, code: string, setup?: string): Promise<V> => {
  const r = await s.post('/validate', { language, code, ...(setup ? { setup } : {}) });
  expect(r.status).toBe(200);
  return r.body as unknown as V;
};

describe('POST /validate: Python (ast)', () => {
  it("finds `from os import system` and `__import__('subprocess')`", async () => {
    const a = await check('python', 'from os import system\nsystem("id")');
    expect(a).toMatchObject({ valid: true, safe: false, severity: 'high' });
    expect(a.issues[0]).toMatchObject({ pattern: 'from os import system', line: 1 });
    const b = await check('python', "x = 1\nm = __import__('subprocess')");
    expect(b.issues).toContainEqual(expect.objectContaining({ pattern: "__import__('subprocess')", severity: 'high', line: 2 }));
  });
  it('does not flag words inside strings, names or comments', async () => {
    const a = await check('python', '# import os\nsystem_name = "from os import system"\nprint(system_name, "subprocess")');
    expect(a).toMatchObject({ valid: true, safe: true, severity: 'none', issues: [] });
  });
  it('finds interpreter-internals escapes', async () => {
    const a = await check('python', '().__class__.__bases__[0].__subclasses__()');
    expect(a.safe).toBe(false);
  });
  it('reports syntax errors with the line', async () => {
    const a = await check('python', 'x = 1\ndef f(:\n  pass');
    expect(a.valid).toBe(false);
    expect(a.errors[0]?.line).toBe(2);
  });
});

describe('POST /validate: SQL (SQLite prepare + authorizer)', () => {
  it('`SELECT updated_at FROM t` is safe (and not a missing-table error with setup)', async () => {
    const a = await check('sql', 'SELECT updated_at FROM t', 'CREATE TABLE t (updated_at TEXT)');
    expect(a).toMatchObject({ valid: true, safe: true, issues: [], notes: [] });
    const noSetup = await check('sql', 'SELECT updated_at FROM t');
    expect(noSetup).toMatchObject({ valid: true, safe: true });
    expect(noSetup.notes[0]).toContain('no such table');
  });
  it('finds ATTACH, load_extension and PRAGMA writes; reads are fine', async () => {
    const a = await check('sql', "ATTACH 'x.db' AS x; SELECT load_extension('evil'); PRAGMA writable_schema = 1; PRAGMA user_version;");
    expect(a.safe).toBe(false);
    expect(a.issues.map((i) => i.pattern)).toEqual(['ATTACH', 'load_extension', 'PRAGMA writable_schema']);
  });
  it('reports syntax errors by statement, following DDL from earlier statements', async () => {
    const a = await check('sql', 'CREATE TABLE u (a); INSERT INTO u VALUES (1); SELEC * FROM u;');
    expect(a.valid).toBe(false);
    expect(a.errors).toEqual([expect.objectContaining({ statement: 3 })]);
    expect(a.notes).toEqual([]);
  });
});

describe('POST /validate: JavaScript (acorn) and TypeScript (compiler)', () => {
  it('finds child_process by require and by import; not in strings', async () => {
    const a = await check('javascript', "const cp = require('child_process');\ncp.execSync('id');");
    expect(a.issues[0]).toMatchObject({ pattern: "require('child_process')", severity: 'high', line: 1 });
    const b = await check('javascript', "import { exec } from 'node:child_process';\nexec('id');");
    expect(b.safe).toBe(false);
    const c = await check('javascript', 'const s = "require(\'child_process\')"; console.log(s)');
    expect(c).toMatchObject({ safe: true, issues: [] });
  });
  it('finds eval, the Function constructor and process.binding', async () => {
    const a = await check('javascript', "eval('1'); new Function('return 1')(); process.binding('fs'); ({}).constructor.constructor('return this')()");
    expect(a.issues.map((i) => i.pattern)).toEqual(['eval()', 'new Function()', 'process.binding', '.constructor.constructor']);
  });
  it('reports JavaScript syntax errors with the line', async () => {
    const a = await check('javascript', 'let a = 1;\nlet = = 2;');
    expect(a.valid).toBe(false);
    expect(a.errors[0]?.line).toBe(2);
  });
  it('reports TypeScript type errors and findings', async () => {
    const a = await check('typescript', "import { execSync } from 'child_process';\nconst n: number = 'x';\nexecSync('id');");
    expect(a.valid).toBe(false);
    expect(a.errors[0]).toMatchObject({ line: 2 });
    expect(a.errors[0]?.message).toContain("not assignable to type 'number'");
    expect(a.issues[0]).toMatchObject({ pattern: "import('child_process')", severity: 'high' });
  });
  it('bounds a TypeScript file that never finishes compiling, and checks the next one', async () => {
    const slow = "type Perm<T, U = T> = [T] extends [never] ? [] : T extends U ? [T, ...Perm<Exclude<U, T>>] : never;\ntype X = Perm<'a'|'b'|'c'|'d'|'e'|'f'|'g'|'h'>;\nconst x: X = ['a'] as const;";
    const started = Date.now();
    const a = await check('typescript', slow);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(a.notes[0]).toMatch(/did not finish within 3000 ms/);
    const next = await check('typescript', 'const ok: string = "fine";');
    expect(next).toMatchObject({ valid: true, safe: true });
  });
});
