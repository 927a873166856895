// Processes standing for hosts in the across-hosts tests: each a bundled entry on its own data dir
// (a temp folder removed after the test), reporting its port (null: a worker) over IPC, its output
// kept for the log checks; and what the tests look for on a host's disk afterwards.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { serviceDataDir } from '../../src/kit/data-dir.js';
import type { ServiceName } from '../../src/kit/roles.js';
import { makeTempDir, TEST_KEY, type Cleanups } from '../helpers.js';
import { killIfRunning } from './processes.js';

export interface Host {
  name: string;
  /** The service's folder in the host's data dir. */
  dataDir: string;
  /** Null for a worker (no HTTP API). */
  base: string | null;
  log: () => string;
  stop: () => Promise<void>;
}

/** Runs `node <entry> <args[0]> <args[1]> <data dir> <args[2…]>`: the role and Redis URL first, then its own. */
export async function startHost(cleanups: Cleanups, entry: string, service: ServiceName, name: string, args: [string, string, ...string[]]): Promise<Host> {
  const tmp = makeTempDir(`pitchey-host-${name}-`);
  cleanups.push(tmp.remove);
  const [role, url, ...rest] = args;
  const child = spawn(process.execPath, [entry, role, url, tmp.dir, ...rest], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env: { ...process.env, PITCHEY_API_KEYS: TEST_KEY } });
  cleanups.push(() => killIfRunning(child.pid));
  let log = '';
  child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const port = await new Promise<number | null>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { port: number | null }).port));
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}) before it started:\n${log}`)));
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  return {
    name,
    dataDir: serviceDataDir(tmp.dir, service),
    base: port === null ? null : `http://127.0.0.1:${port}`,
    log: () => log,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Files under a dir, recursively, relative to it. */
export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1));
}
