// The SQLite job store: the shared contract on a temp file, plus what only a file shared by
// several processes can show (no double claims under real contention).
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import ts from 'typescript';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteJobBackend, type JobBackend } from '../../src/jobs/index.js';
import { runJobBackendContract } from './backend-contract.js';

const dirs: string[] = [];

async function tempDbPath(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'jobs-sqlite-'));
  dirs.push(dir);
  return join(dir, 'jobs.db');
}

afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

runJobBackendContract('sqlite', async () => {
  const path = await tempDbPath();
  return { backend: createSqliteJobBackend({ path }), reopen: async () => createSqliteJobBackend({ path }) };
});

/**
 * Worker threads have no TypeScript loader, so the backend module and the one it shares with the
 * Redis store are transpiled to plain ESM beside the database, the bare import pointed at the
 * installed better-sqlite3.
 */
async function transpiledBackend(dir: string): Promise<string> {
  const sqliteUrl = pathToFileURL(createRequire(import.meta.url).resolve('better-sqlite3')).href;
  for (const name of ['sqlite-backend', 'job-record']) {
    const source = await readFile(fileURLToPath(new URL(`../../src/jobs/${name}.ts`, import.meta.url)), 'utf8');
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    });
    await writeFile(join(dir, `${name}.mjs`), outputText.replace(`from 'better-sqlite3'`, `from '${sqliteUrl}'`).replace(`from './job-record.js'`, `from './job-record.mjs'`));
  }
  return pathToFileURL(join(dir, 'sqlite-backend.mjs')).href;
}

// Each worker waits at a barrier so all of them claim at the same moment, then claims until empty.
const CLAIMER = `
const { workerData, parentPort } = require('node:worker_threads');
(async () => {
  const { createSqliteJobBackend } = await import(workerData.moduleUrl);
  const backend = createSqliteJobBackend({ path: workerData.path });
  const gate = new Int32Array(workerData.gate);
  Atomics.add(gate, 0, 1);
  while (Atomics.load(gate, 0) < workerData.workers) Atomics.wait(gate, 0, Atomics.load(gate, 0), 5);
  const ids = [];
  for (;;) {
    const job = await backend.claim(['t'], 'worker-' + workerData.index, 60000, Date.now());
    if (job === null) break;
    ids.push(job.id);
    // Without a pause the lock holder re-takes it before a waiting thread's busy handler wakes.
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await backend.close();
  parentPort.postMessage(ids);
})().catch((error) => parentPort.postMessage({ error: String(error) }));
`;

function runClaimer(workerData: Record<string, unknown>): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(CLAIMER, { eval: true, workerData });
    worker.once('message', (message: string[] | { error: string }) => {
      if (Array.isArray(message)) resolve(message);
      else reject(new Error(message.error));
    });
    worker.once('error', reject);
  });
}

describe('sqlite job backend on a shared file', () => {
  it("opens a file made before jobs had a release: its jobs are anyone's, new ones carry theirs", async () => {
    const path = await tempDbPath();
    const before = createSqliteJobBackend({ path });
    const old = await before.enqueue('t', 'old', {}, 1);
    await before.close();
    const raw = new Database(path);
    raw.exec('ALTER TABLE jobs DROP COLUMN version');
    raw.close();
    const after = createSqliteJobBackend({ path });
    try {
      expect(await after.get(old.id)).toMatchObject({ id: old.id, version: null });
      expect((await after.enqueue('t', 'new', { version: 'v2' }, 2)).version).toBe('v2');
      expect((await after.claim(['t'], 'w', 1_000, 3, 'v1'))?.id).toBe(old.id);
    } finally {
      await after.close();
    }
  });

  it('opens a file made before jobs had an owner: its jobs have none, new ones record theirs', async () => {
    const path = await tempDbPath();
    const before = createSqliteJobBackend({ path });
    const old = await before.enqueue('t', 'old', {}, 1);
    await before.close();
    const raw = new Database(path);
    raw.exec('ALTER TABLE jobs DROP COLUMN owner');
    raw.close();
    const after = createSqliteJobBackend({ path });
    try {
      expect(await after.get(old.id)).toMatchObject({ id: old.id, owner: null });
      expect((await after.enqueue('t', 'new', { owner: 'key:abc' }, 2)).owner).toBe('key:abc');
    } finally {
      await after.close();
    }
  });

  it('uses WAL so other processes can read while one writes', async () => {
    const path = await tempDbPath();
    const backend = createSqliteJobBackend({ path });
    await backend.enqueue('t', null, {}, 1);
    expect(existsSync(`${path}-wal`)).toBe(true);
    await backend.close();
  });

  it('never double-claims between two backends on the same file', async () => {
    const path = await tempDbPath();
    const one = createSqliteJobBackend({ path });
    const two = createSqliteJobBackend({ path });
    for (let i = 0; i < 40; i += 1) await one.enqueue('t', i, {}, 1000 + i);
    const claimAll = async (backend: JobBackend, worker: string): Promise<string[]> => {
      const ids: string[] = [];
      for (let job = await backend.claim(['t'], worker, 5000, 2000); job !== null; job = await backend.claim(['t'], worker, 5000, 2000)) ids.push(job.id);
      return ids;
    };
    const [a, b] = await Promise.all([claimAll(one, 'a'), claimAll(two, 'b')]);
    expect(a.length + b.length).toBe(40);
    expect(new Set([...a, ...b]).size).toBe(40);
    await Promise.all([one.close(), two.close()]);
  });

  it('never double-claims between threads racing on the same file', async () => {
    const path = await tempDbPath();
    const moduleUrl = await transpiledBackend(join(path, '..'));
    const backend = createSqliteJobBackend({ path });
    const total = 200;
    for (let i = 0; i < total; i += 1) await backend.enqueue('t', i, {}, 1000 + i);
    const workers = 3;
    const gate = new SharedArrayBuffer(4);
    const results = await Promise.all(Array.from({ length: workers }, (_, index) => runClaimer({ moduleUrl, path, gate, workers, index })));
    const ids = results.flat();
    expect(ids).toHaveLength(total);
    expect(new Set(ids).size).toBe(total);
    expect(await backend.counts()).toMatchObject({ queued: 0, running: total });
    await backend.close();
  }, 60_000);
});
