// Starts the code service in-process on a real port, with a secret in the service's environment
// that no sandboxed program may see, and checks afterwards that nothing was left behind.
import { chmodSync, existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { createService, type RunningService } from '../../../src/kit/index.js';
import { codeService } from '../../../src/services/code/index.js';
import { TEST_KEY, makeTempDir, testConfig } from '../../helpers.js';

export const SECRET = 'pitchey-secret-value-7f3a9c';

export interface CodeTestService {
  base: string;
  dataDir: string;
  /** PITCHEY_CODE_WORK_DIR: the sandbox root (and its run folders) live inside. */
  workDir: string;
  svc: RunningService;
  post(path: string, body: unknown): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }>;
  stop(): Promise<void>;
}

export async function startCodeService(env: Record<string, string> = {}, beforeStart?: (workDir: string) => void): Promise<CodeTestService> {
  const tmp = makeTempDir('pitchey-code-test-');
  const work = makeTempDir('pitchey-code-work-');
  chmodSync(work.dir, 0o755);
  beforeStart?.(work.dir);
  process.env.PITCHEY_TEST_SECRET = SECRET;
  const svc = await createService(codeService, { config: testConfig(tmp.dir, { PITCHEY_RATE_LIMIT: 'false', PITCHEY_CODE_WORK_DIR: work.dir, ...env }) });
  const base = `http://127.0.0.1:${await svc.listen(0, '127.0.0.1')}`;
  return {
    base,
    dataDir: svc.ctx.dataDir,
    svc,
    workDir: work.dir,
    async post(path, body) {
      const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'x-api-key': TEST_KEY, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const text = await res.text();
      return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
    },
    async stop() {
      await svc.drain();
      tmp.remove();
      work.remove();
      delete process.env.PITCHEY_TEST_SECRET;
    },
  };
}

/** Our run groups (v1: under each controller's pitchey-code folder; v2: the unified one). */
export function leftoverCgroups(): string[] {
  const found: string[] = [];
  const visit = (dir: string, depth: number): void => {
    if (depth > 6 || !existsSync(dir)) return;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (!e.isDirectory()) continue;
      if (e.name.startsWith(`run-${process.pid}-`)) found.push(join(dir, e.name));
      else visit(join(dir, e.name), depth + 1);
    }
  };
  for (const c of ['memory', 'pids', 'cpuacct', '']) visit(join('/sys/fs/cgroup', c), 0);
  return found;
}

/** Processes in one of this test process's run groups, in a pitchey-code group as the sandbox uid, or with a cwd in a work dir. */
export function strayProcesses(workDir?: string): string[] {
  const stray: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const uid = /Uid:\s+(\d+)/.exec(status)?.[1];
      const cgroup = readFileSync(`/proc/${pid}/cgroup`, 'utf8');
      const cwd = workDir === undefined ? '' : readlinkSync(`/proc/${pid}/cwd`);
      if (cgroup.includes(`run-${process.pid}-`) || (uid === '65534' && cgroup.includes('pitchey-code')) || (workDir !== undefined && cwd.startsWith(workDir))) {
        stray.push(`${pid} ${status.split('\n')[0]}`);
      }
    } catch {
      /* gone, or not ours to read */
    }
  }
  return stray;
}

/** Run folders left in the sandbox's root, and the root itself once the service has stopped. */
export function leftovers(workDir: string): string[] {
  return readdirSync(workDir).flatMap((root) => [root, ...readdirSync(join(workDir, root)).map((f) => `${root}/${f}`)]);
}
