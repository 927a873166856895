// `pitchey up` as a user runs it: real processes, real ports, then SIGTERM (and SIGKILL), and no
// process may be left behind. Runs the built CLI (`npm test` builds before testing).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SERVICE_NAMES } from '../../src/kit/index.js';
import { TEST_KEY, makeTempDir } from '../helpers.js';
import { CLI, alive, exited, readInstances, startUp, waitFor } from './platform.js';

const PUBLIC_CATALOG: Record<string, string> = { video: '/formats', document: '/templates', ai: '/models', media: '/quality-presets', code: '/languages' };
const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()?.();
});

async function upPlatform(): Promise<Awaited<ReturnType<typeof startUp>>> {
  const u = await startUp();
  cleanups.push(u.remove);
  return u;
}

describe('pitchey up', () => {
  it('brings up the gateway and every service, answers directly and through the gateway, and stops clean on SIGTERM', async () => {
    const up = await upPlatform();
    const instances = readInstances(up.dataDir);
    expect(instances.map((i) => i.role).sort()).toEqual([...SERVICE_NAMES].sort());
    for (const i of instances) {
      expect((await fetch(`${i.url}/ready`)).status, `${i.role} ready`).toBe(200);
      const direct = await fetch(`${i.url}${PUBLIC_CATALOG[i.role]}`);
      const via = await fetch(`${up.gateway}/api/${i.role}${PUBLIC_CATALOG[i.role]}`);
      expect([direct.status, via.status], i.role).toEqual([200, 200]);
      expect(await via.json()).toEqual(await direct.json());
      const noKey = await fetch(`${up.gateway}/api/${i.role}/queue/status`);
      expect(noKey.status, `${i.role} without a key`).toBe(401);
      const withKey = await fetch(`${up.gateway}/api/${i.role}/queue/status`, { headers: { 'x-api-key': TEST_KEY } });
      expect(withKey.status, `${i.role} with a key`).toBe(200);
    }
    const health = spawnSync(process.execPath, [CLI, 'health', '--json', '--gateway', up.gateway], { env: up.env, encoding: 'utf8' });
    expect(health.status, health.stderr).toBe(0);
    expect((JSON.parse(health.stdout) as { checks: unknown[] }).checks).toHaveLength(6);

    const victim = instances.find((i) => i.role === 'code');
    if (victim === undefined) throw new Error('no code instance');
    process.kill(victim.pid, 'SIGKILL');
    const restarted = await waitFor('the code instance to be restarted', () => readInstances(up.dataDir).find((i) => i.role === 'code' && i.pid !== victim.pid));
    await waitFor('the restarted instance to serve through the gateway', async () => ((await fetch(`${up.gateway}/api/code/languages`)).status === 200 ? true : undefined));

    const pids = [...instances.map((i) => i.pid), restarted.pid];
    up.proc.kill('SIGTERM');
    expect(await exited(up.proc)).toBe(0);
    expect(pids.filter(alive)).toEqual([]);
  }, 120_000);

  it("on a terminal prints short lines prefixed by their source, the key's real path, and no probe at info", async () => {
    const up = await startUp({ env: { PITCHEY_LOG_FORMAT: 'pretty', PITCHEY_LOG_LEVEL: 'info', PITCHEY_API_KEYS: '', NO_COLOR: '1' } });
    cleanups.push(up.remove);
    // Ready means the gateway's checker has asked every instance /ready already (every second).
    const lines = up.output().split('\n').filter(Boolean);
    expect(lines.filter((l) => l.startsWith('{'))).toEqual([]);
    expect(lines.filter((l) => /\/(ready|health)\b/.test(l))).toEqual([]);
    expect(lines).toContainEqual(expect.stringMatching(/^gateway\s+\| \d\d:\d\d:\d\d INFO {2}Server listening at http/));
    for (const role of SERVICE_NAMES) expect(lines, role).toContainEqual(expect.stringMatching(new RegExp(`^${role}-\\S+\\s+\\| \\d\\d:\\d\\d:\\d\\d INFO  Server listening`)));
    expect(lines).toContainEqual(expect.stringMatching(/^pitchey\s+\| \d\d:\d\d:\d\d ready in \d+ ms: gateway http/));
    expect(up.output()).toContain(`development API key (X-API-Key) is in ${join(up.dataDir, 'dev-api-key')}`);
    expect(up.output()).not.toContain('\x1b[');
    const key = readFileSync(join(up.dataDir, 'dev-api-key'), 'utf8').trim();
    expect((await fetch(`${up.gateway}/api/ai/models`, { headers: { 'x-api-key': key } })).status).toBe(200);
    await waitFor('the request as one short line', () => (/^gateway\s+\| \S+ INFO {2}GET \/api\/ai\/models → 200 \(/m.test(up.output()) ? true : undefined));
  }, 120_000);

  it('leaves no orphan when the supervisor itself is killed with SIGKILL', async () => {
    const up = await upPlatform();
    const pids = readInstances(up.dataDir).map((i) => i.pid);
    expect(pids).toHaveLength(5);
    up.proc.kill('SIGKILL');
    await exited(up.proc);
    await waitFor('every instance to exit', () => (pids.some(alive) ? undefined : true), 20_000);
  }, 120_000);
});

describe('pitchey health', () => {
  it('exits non-zero and names what is down when nothing runs', () => {
    const tmp = makeTempDir();
    const run = spawnSync(process.execPath, [CLI, 'health', '--gateway', 'http://127.0.0.1:9'], { env: { ...process.env, PITCHEY_DATA_DIR: tmp.dir }, encoding: 'utf8' });
    tmp.remove();
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('gateway');
    expect(run.stderr).toContain('unhealthy: gateway');
  });
});
