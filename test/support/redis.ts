// A real redis-server for one test file: a free loopback port, its own temp dir, the append-only
// file fsynced on every write (as the job store requires). It can be stopped, SIGKILLed and
// started again on the same port and dir; stop() leaves neither the process nor the dir behind.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, type Cleanups } from '../helpers.js';

export interface RedisServer {
  url: string;
  port: number;
  dir: string;
  /** Starts it again (same port, same data) after kill() or a stop({ keepData: true }). */
  start(): Promise<void>;
  /** SIGKILL: no shutdown, no final save; what survives is what the AOF already held. */
  kill(): Promise<void>;
  /** SIGSTOP / SIGCONT: a Redis that accepts connections but answers nothing. */
  freeze(frozen: boolean): void;
  /** SIGTERM and wait; removes the dir unless keepData. */
  stop(opts?: { keepData?: boolean }): Promise<void>;
}

interface RedisOptions {
  aof?: boolean;
  /** `requirepass`: clients must AUTH (the URL carries it). */
  password?: string;
}

function launch(port: number, dir: string, opts: RedisOptions): Promise<ChildProcess> {
  const durability = (opts.aof ?? true) ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'];
  const auth = opts.password === undefined ? [] : ['--requirepass', opts.password];
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, ...durability, ...auth, '--save', '', '--daemonize', 'no'];
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        resolve(child);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.resume();
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}) before it was ready:\n${output}`)));
  });
}

function exited(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    child.once('exit', () => done());
    child.kill(signal);
    child.kill('SIGCONT'); // a frozen server must run to act on SIGTERM
  });
}

/** `aof: false` runs it as Debian's default config does, without the append-only file. */
export async function startRedis(opts: RedisOptions = {}): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'pitchey-redis-'));
  const port = await freePort();
  let child: ChildProcess | null = await launch(port, dir, opts).catch((error: unknown) => {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  });
  return {
    url: `redis://${opts.password === undefined ? '' : `:${encodeURIComponent(opts.password)}@`}127.0.0.1:${port}/0`,
    port,
    dir,
    async start() {
      if (child === null) child = await launch(port, dir, opts);
    },
    async kill() {
      if (child !== null) await exited(child, 'SIGKILL');
      child = null;
    },
    freeze(frozen) {
      child?.kill(frozen ? 'SIGSTOP' : 'SIGCONT');
    },
    async stop(opts = {}) {
      if (child !== null) await exited(child, 'SIGTERM');
      child = null;
      if (opts.keepData !== true) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A redis-server for one test, stopped (its dir removed) by the test's cleanups. */
export async function startRedisFor(cleanups: Cleanups, opts: RedisOptions = {}): Promise<RedisServer> {
  const redis = await startRedis(opts);
  cleanups.push(() => redis.stop());
  return redis;
}
