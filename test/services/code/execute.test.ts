// /execute for every language and every status a run can end in, /languages and
// /security-policies and the limits' maxima (422). The run queue is tested in pool.test.ts.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leftoverCgroups, leftovers, startCodeService, strayProcesses, type CodeTestService } from './support.js';

let s: CodeTestService;
beforeAll(async () => {
  s = await startCodeService();
});
afterAll(async () => {
  expect(strayProcesses(s.workDir)).toEqual([]);
  expect(leftoverCgroups()).toEqual([]);
  expect(leftovers(s.workDir).filter((f) => f.includes('/'))).toEqual([]);
  await s.svc.drain();
  expect(leftovers(s.workDir)).toEqual([]); // the sandbox root goes with the service
  await s.stop();
});

const run = (body: Record<string, unknown>) => s.post('/execute', body);

describe('POST /execute: languages', () => {
  it('runs Python with stdin, args and inputs, reporting CPU time and peak memory', async () => {
    const r = await run({ language: 'python', code: 'import sys\nprint(sys.stdin.read().upper(), sys.argv[1:], inputs["n"] * 2)', stdin: 'hi', args: ['a'], inputs: { n: 21 } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'completed', stdout: "HI ['a'] 42\n", return_code: 0, language: 'python' });
    expect(r.body.cpu_time_ms).toEqual(expect.any(Number));
    expect(r.body.memory_peak_kb).toBeGreaterThan(0);
    expect(r.body.execution_id).toMatch(/^[0-9a-f-]{36}$/);
  });
  it('keeps the Python standard library working', async () => {
    const r = await run({ language: 'python', code: 'import json, re, collections, math\nprint(json.dumps(collections.Counter(re.findall(r"\\w", "abca")).most_common(1)), math.isqrt(17))' });
    expect(r.body).toMatchObject({ status: 'completed', stdout: '[["a", 2]] 4\n' });
  });
  it('runs JavaScript as CommonJS and as an ES module with top-level await', async () => {
    const cjs = await run({ language: 'javascript', code: 'const os = require("os"); console.log(inputs.x + 1, typeof os.cpus)', inputs: { x: 1 } });
    expect(cjs.body).toMatchObject({ status: 'completed', stdout: '2 function\n' });
    const esm = await run({ language: 'javascript', code: 'import { setTimeout as wait } from "node:timers/promises";\nawait wait(10);\nconsole.log("esm")' });
    expect(esm.body).toMatchObject({ status: 'completed', stdout: 'esm\n' });
  });
  it('runs TypeScript transpiled by esbuild', async () => {
    const r = await run({ language: 'typescript', code: 'interface P { n: number }\nconst p: P = { n: 2 };\nconst sq = (x: number): number => x * x;\nconsole.log(sq(p.n));' });
    expect(r.body).toMatchObject({ status: 'completed', stdout: '4\n' });
  });
  it('runs SQL on in-memory SQLite with setup statements, returning columns and rows', async () => {
    const r = await run({
      language: 'sql',
      setup: "CREATE TABLE t (id INTEGER, updated_at TEXT); INSERT INTO t VALUES (1, '2024-01-01'), (2, 'x;y');",
      code: 'SELECT id, updated_at FROM t ORDER BY id; SELECT count(*) AS n FROM t WHERE id > :min;',
      inputs: { min: 1 },
    });
    expect(r.body).toMatchObject({ status: 'completed' });
    const results = r.body.results as Array<{ columns: string[]; rows: unknown[][] }>;
    expect(results[0]).toMatchObject({
      columns: ['id', 'updated_at'],
      rows: [
        [1, '2024-01-01'],
        [2, 'x;y'],
      ],
    });
    expect(results[1]).toMatchObject({ columns: ['n'], rows: [[1]] });
    expect(r.body.stdout).toContain('id|updated_at\n1|2024-01-01');
  });
  it('refuses ATTACH, load_extension and PRAGMA writes in SQL, and allows reading PRAGMAs', async () => {
    for (const code of ["ATTACH DATABASE '/etc/passwd' AS p;", "SELECT load_extension('/tmp/x.so');", 'PRAGMA journal_mode = OFF;']) {
      const r = await run({ language: 'sql', code });
      expect(r.body, code).toMatchObject({ status: 'runtime_error' });
      expect(String(r.body.message)).toMatch(/not authorized|prohibited/);
    }
    const ok = await run({ language: 'sql', setup: 'CREATE TABLE t (a);', code: 'PRAGMA table_info(t); PRAGMA user_version;' });
    expect(ok.body).toMatchObject({ status: 'completed' });
  });
});

describe('POST /execute: statuses', () => {
  it('compilation_error for Python, JavaScript, TypeScript and SQL syntax errors, without running', async () => {
    for (const [language, code] of [
      ['python', 'print(1'],
      ['javascript', 'let x = ;'],
      ['typescript', 'const x: = 1;'],
      ['sql', 'SELEC 1;'],
    ]) {
      const r = await run({ language, code });
      expect(r.body, language).toMatchObject({ status: 'compilation_error' });
      expect(String(r.body.compile_output).length, language).toBeGreaterThan(0);
    }
  });
  it('runtime_error with the exit code, the traceback on stderr', async () => {
    const r = await run({ language: 'python', code: 'import sys\nprint("before")\nraise ValueError("boom")' });
    expect(r.body).toMatchObject({ status: 'runtime_error', return_code: 1, stdout: 'before\n' });
    expect(r.body.stderr).toContain('ValueError: boom');
    expect(r.body.stderr).not.toContain('launcher.py');
    const exit = await run({ language: 'javascript', code: 'process.exit(3)' });
    expect(exit.body).toMatchObject({ status: 'runtime_error', return_code: 3 });
    // 125 is also the starter's own failure code: still the program's exit, not a sandbox failure.
    const own = await run({ language: 'python', code: 'raise SystemExit(125)' });
    expect(own).toMatchObject({ status: 200, body: { status: 'runtime_error', return_code: 125 } });
  });
  it('runtime_error naming the signal when the program is killed by one', async () => {
    const r = await run({ language: 'python', code: 'import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)' });
    expect(r.body).toMatchObject({ status: 'runtime_error', signal: 'SIGSEGV' });
  });
  it('time_limit_exceeded for an infinite loop (CPU) and for sleeping past the wall limit', async () => {
    const cpu = await run({ language: 'python', code: 'while True: pass', limits: { cpu_ms: 500, wall_ms: 20_000 } });
    expect(cpu.body).toMatchObject({ status: 'time_limit_exceeded' });
    expect(cpu.body.message).toMatch(/CPU/);
    expect(cpu.body.wall_time_ms as number).toBeLessThan(20_000);
    const wall = await run({ language: 'javascript', code: 'setTimeout(() => console.log("late"), 60000)', limits: { wall_ms: 500 } });
    expect(wall.body).toMatchObject({ status: 'time_limit_exceeded', stdout: '' });
    expect(wall.body.message).toMatch(/wall/);
  });
  it('memory_limit_exceeded for a memory bomb in Python and in JavaScript', async () => {
    const py = await run({ language: 'python', code: 'x = []\nwhile True: x.append(bytearray(10**6))', limits: { memory_mb: 64 } });
    expect(py.body).toMatchObject({ status: 'memory_limit_exceeded' });
    expect(py.body.memory_peak_kb as number).toBeGreaterThanOrEqual(60 * 1024);
    const js = await run({ language: 'javascript', code: 'const a = []; for (;;) a.push(new Array(1e5).fill(Math.random()));', limits: { memory_mb: 96 } });
    expect(js.body).toMatchObject({ status: 'memory_limit_exceeded' });
  });
  it('output_limit_exceeded for an output flood, stdout capped at the limit', async () => {
    const r = await run({ language: 'python', code: 'while True: print("x" * 1000)', limits: { output_kb: 16 } });
    expect(r.body).toMatchObject({ status: 'output_limit_exceeded' });
    expect((r.body.stdout as string).length).toBeLessThanOrEqual(16 * 1024);
  });
});

describe('POST /execute: programs of several files', () => {
  const pyFiles = [
    { name: 'app.py', content: 'import sys\nfrom helper import shout\nprint(shout("hi"), __file__, sys.argv[0])' },
    { name: 'helper.py', content: 'def shout(s):\n    return s.upper() + "!"' },
  ];
  it("runs the first file as the entry point, importing the others written beside it (Piston's files)", async () => {
    const r = await run({ language: 'python', files: pyFiles });
    expect(r.body).toMatchObject({ status: 'completed', stdout: 'HI! /code/app.py app.py\n' });
  });
  it('runs the file named by `main` as the entry point', async () => {
    const r = await run({ language: 'python', main: 'app.py', files: [...pyFiles].reverse(), args: ['x'] });
    expect(r.body).toMatchObject({ status: 'completed', stdout: 'HI! /code/app.py app.py\n' });
  });
  it('runs JavaScript modules (CommonJS and ES) and TypeScript importing one another', async () => {
    const cjs = await run({
      language: 'javascript',
      files: [
        { name: 'index.js', content: 'const { twice } = require("./lib");\nconsole.log(twice(inputs.n))' },
        { name: 'lib.js', content: 'exports.twice = (n) => n * 2;' },
      ],
      inputs: { n: 21 },
    });
    expect(cjs.body).toMatchObject({ status: 'completed', stdout: '42\n' });
    const esm = await run({
      language: 'javascript',
      files: [
        { name: 'index.mjs', content: 'import { twice } from "./lib.js";\nawait null;\nconsole.log(twice(2))' },
        { name: 'lib.js', content: 'export const twice = (n) => n * 2;' },
      ],
    });
    expect(esm.body).toMatchObject({ status: 'completed', stdout: '4\n' });
    const ts = await run({
      language: 'typescript',
      files: [
        { name: 'main.ts', content: 'import { twice } from "./lib";\nconst n: number = 5;\nconsole.log(twice(n));' },
        { name: 'lib.ts', content: 'export const twice = (n: number): number => n * 2;' },
      ],
    });
    expect(ts.body).toMatchObject({ status: 'completed', stdout: '10\n' });
  });
  it('reports a syntax error in any JavaScript file as a compilation error naming it', async () => {
    const r = await run({
      language: 'javascript',
      files: [
        { name: 'index.js', content: 'require("./lib")' },
        { name: 'lib.js', content: 'const = 1' },
      ],
    });
    expect(r.body).toMatchObject({ status: 'compilation_error' });
    expect(r.body.compile_output).toMatch(/^lib\.js: SyntaxError/);
  });
  it('refuses names that leave the folder, hidden or runtime names, duplicates, and code beside files', async () => {
    for (const [name, why] of [
      ['../x.py', /folder|\.\./],
      ['/etc/passwd', /absolute/],
      ['a/b.py', /folder/],
      ['..', /\.\./],
      ['a\u0000.py', /NUL/],
      ['.env', /hidden/],
      ['launcher.py', /runtime/],
    ] as const) {
      const r = await run({
        language: 'python',
        files: [
          { name: 'main.py', content: 'print(1)' },
          { name, content: 'x = 1' },
        ],
      });
      expect(r.status, name).toBe(400);
      expect(r.body, name).toMatchObject({ code: 'VALIDATION_FAILED', detail: expect.stringMatching(why) });
    }
    const dup = await run({
      language: 'python',
      files: [
        { name: 'a.py', content: '' },
        { name: 'a.py', content: '' },
      ],
    });
    expect(dup.body.detail).toMatch(/more than once/);
    const both = await run({ language: 'python', code: 'print(1)', files: [{ name: 'a.py', content: '' }] });
    expect(both.status).toBe(400);
    const badMain = await run({ language: 'python', main: 'nope.py', files: [{ name: 'a.py', content: '' }] });
    expect(badMain.body.detail).toMatch(/nope\.py.*a\.py/);
    const many = await run({ language: 'python', files: Array.from({ length: 21 }, (_, i) => ({ name: `f${i}.py`, content: '' })) });
    expect(many.status).toBe(400);
    const big = await run({
      language: 'python',
      files: [
        { name: 'a.py', content: 'x'.repeat(30_000) },
        { name: 'b.py', content: 'x'.repeat(30_000) },
      ],
    });
    expect(big.body.detail).toMatch(/50000/);
  });
});

describe('POST /execute: what it refuses', () => {
  it('names unknown fields instead of ignoring them', async () => {
    const r = await run({ language: 'python', code: 'print(1)', timeout: 5, limits: { memory: 64 } });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'body/timeout' }, { field: 'body/limits/memory' }] });
  });
  it('answers an unknown language with one problem listing the valid ones', async () => {
    const r = await run({ language: 'cobol', code: 'x' });
    expect(r.status).toBe(400);
    expect(r.body.errors).toHaveLength(1);
    expect(r.body.detail).toBe('body/language must be one of python, javascript, typescript, sql');
  });
});

describe('limits, catalogs and the queue', () => {
  it('refuses limits above the maxima with 422 naming the maximum', async () => {
    const r = await run({ language: 'python', code: 'print(1)', limits: { memory_mb: 100_000 } });
    expect(r.status).toBe(422);
    expect(r.body.detail).toContain('limits.memory_mb 100000 exceeds the maximum of 1024');
  });
  it('refuses unknown languages and oversized code with 400', async () => {
    expect((await run({ language: 'cobol', code: 'x' })).status).toBe(400);
    expect((await run({ language: 'python', code: 'x'.repeat(50_001) })).status).toBe(400);
  });
  it('GET /languages reports the real runtimes and limits', async () => {
    const body = (await (await fetch(`${s.base}/languages`)).json()) as { languages: Array<{ name: string; version: string; available: boolean }>; limits: { defaults: { memory_mb: number } } };
    const byName = Object.fromEntries(body.languages.map((l) => [l.name, l]));
    expect(byName.python).toMatchObject({ available: true, version: expect.stringMatching(/^3\.\d+\.\d+$/) });
    expect(byName.javascript).toMatchObject({ available: true, version: process.versions.node });
    expect(byName.sql?.version).toMatch(/^3\.\d+\.\d+$/);
    expect(byName.typescript?.version).toMatch(/^5\./);
    expect(body.limits.defaults.memory_mb).toBe(256);
  });
  it('documents every route in /openapi.json', async () => {
    const doc = (await (await fetch(`${s.base}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    for (const path of ['/execute', '/validate', '/deploy', '/functions', '/functions/{name}', '/functions/{name}/invoke', '/functions/{name}/rollback', '/languages', '/security-policies']) {
      expect(doc.paths, path).toHaveProperty([path]);
    }
  });
  it('GET /security-policies reports the sandbox this host enforces', async () => {
    const body = (await (await fetch(`${s.base}/security-policies`)).json()) as { sandbox: { available: boolean; cgroups: string } };
    expect(body.sandbox).toMatchObject({ available: true, cgroups: expect.stringMatching(/^v[12]$/) });
    const ready = (await (await fetch(`${s.base}/ready`)).json()) as { checks: Array<{ name: string; ok: boolean; detail: string }> };
    expect(ready.checks.find((c) => c.name === 'sandbox')).toMatchObject({ ok: true, detail: expect.stringMatching(/^bubblewrap, cgroups v[12]$/) });
  });
});

describe('leftovers of a crashed instance', () => {
  it('removes sandbox roots of service processes that no longer exist, keeps live ones', async () => {
    const dead = 'pitchey-sandbox-4194303-AbCdEf'; // above any pid this host hands out
    const live = `pitchey-sandbox-${process.ppid}-keep`; // a live process that is not this one
    const other = await startCodeService({}, (dir) => {
      mkdirSync(join(dir, dead, 'run-x'), { recursive: true });
      mkdirSync(join(dir, live));
    });
    try {
      expect(existsSync(join(other.workDir, dead))).toBe(false);
      expect(existsSync(join(other.workDir, live))).toBe(true);
    } finally {
      await other.stop();
    }
  });
});
