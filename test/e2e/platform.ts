// Shared e2e helpers: start the built `pitchey up` in a temp data dir, read its instances, wait
// for conditions, and make sure nothing it started outlives the test.
import { spawn, type ChildProcess } from 'node:child_process';
import { readRunState, type InstanceEntry } from '../../src/kit/data-dir.js';
import { TEST_KEY, makeTempDir, until } from '../helpers.js';
import { builtFile } from '../support/build.js';

export const CLI = builtFile('cli/main.js').pathname;

export interface UpProcess {
  proc: ChildProcess;
  gateway: string;
  dataDir: string;
  env: NodeJS.ProcessEnv;
  output: () => string;
  remove: () => void;
}
export type InstanceRecord = InstanceEntry;

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** `until` at the pace of whole process trees: every 100 ms, for up to a minute by default. */
export async function waitFor<T>(what: string, fn: () => T | undefined | Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  return until(what, fn, timeoutMs, 100);
}

/** The admin headers the e2e tests send (the test key has every scope). */
export const ADMIN_HEADERS = { 'x-api-key': TEST_KEY, 'content-type': 'application/json', 'x-pitchey-actor': 'e2e' };

/** Waits until a deployment has ended (promoted, rolled back or failed) and the controller let go of it. */
export async function settled(gateway: string, id: string, timeoutMs = 90_000): Promise<{ phase: string; reason: string | null }> {
  return waitFor(
    `deployment ${id} to settle`,
    async () => {
      const d = (await (await fetch(`${gateway}/_pitchey/admin/deployments/${id}`, { headers: ADMIN_HEADERS })).json()) as { live: boolean; phase: string; reason: string | null };
      return !d.live && ['promoted', 'rolled-back', 'failed'].includes(d.phase) ? d : undefined;
    },
    timeoutMs,
  );
}

export function readInstances(dataDir: string): InstanceRecord[] {
  return readRunState(dataDir)?.instances ?? [];
}

export function exited(proc: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) resolve(proc.exitCode);
    else proc.once('exit', (code) => resolve(code));
  });
}

/**
 * Starts `pitchey up`; `cleanup` kills whatever is left and removes the data dir (unless reused).
 * Rate limits are off: the tests' loads come from one address but stand for many clients.
 */
export async function startUp(options: { env?: Record<string, string>; dataDir?: string; args?: string[] } = {}): Promise<UpProcess> {
  const tmp = options.dataDir === undefined ? makeTempDir('pitchey-e2e-') : { dir: options.dataDir, remove: () => undefined };
  const env = {
    ...process.env,
    PITCHEY_DATA_DIR: tmp.dir,
    PITCHEY_PORT: '0',
    PITCHEY_LOG_LEVEL: 'warn',
    PITCHEY_API_KEYS: TEST_KEY,
    PITCHEY_DRAIN_TIMEOUT_MS: '3000',
    PITCHEY_RATE_LIMIT: 'false',
    ...options.env,
  };
  const proc = spawn(process.execPath, [CLI, 'up', ...(options.args ?? [])], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  proc.stdout?.on('data', (c: Buffer) => {
    output += c.toString();
  });
  proc.stderr?.on('data', (c: Buffer) => {
    output += c.toString();
  });
  const remove = (): void => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    for (const i of readInstances(tmp.dir)) if (alive(i.pid)) process.kill(i.pid, 'SIGKILL');
    tmp.remove();
  };
  const gateway = await waitFor('the ready line', () => /ready in \d+ ms: gateway (\S+)/.exec(output)?.[1], 90_000).catch((err: Error) => {
    remove();
    throw new Error(`${err.message}\n${output}`);
  });
  return { proc, gateway, dataDir: tmp.dir, env, output: () => output, remove };
}
