// The operator's commands against a running platform: release build/list, deploy --wait, status,
// history, audit, lock, rollback --to, logs. Each is the built CLI in its own process.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_KEY, makeTempDir } from '../helpers.js';
import type { DeploymentRecord } from '../../src/deploy/record.js';
import { renderMarkdown } from '../../src/deploy/record-render.js';
import { failed, startLoad } from './load.js';
import { CLI, exited, startUp, waitFor, type UpProcess } from './platform.js';

let up: UpProcess;

function pitchey(...args: string[]): { status: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [CLI, ...args, '--gateway', up.gateway, '--as', 'alice'], {
    env: { ...up.env, PITCHEY_ADMIN_KEY: TEST_KEY },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

function release(...args: string[]): { status: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [CLI, 'release', ...args], { env: up.env, encoding: 'utf8' });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

beforeAll(async () => {
  // Info, not the suite's warn: `pitchey logs -f` is tested on the request lines the services write.
  up = await startUp({
    env: { PITCHEY_LOG_LEVEL: 'info', PITCHEY_VERSION: 'v1', PITCHEY_ANALYSIS_INTERVAL_MS: '250', PITCHEY_ANALYSIS_WINDOW_MS: '3000', PITCHEY_VALIDATION_PHASES_MS: '3000,2000,2000' },
  });
}, 120_000);
afterAll(() => up?.remove());

describe('operator commands', () => {
  it('builds and lists releases, refusing to rebuild one', () => {
    expect(release('build', '--version', 'v2').out).toMatch(/release v2: \d+ files, sha256:/);
    const again = release('build', '--version', 'v2');
    expect(again.status).toBe(1);
    expect(again.err).toContain('immutable');
    expect(release('list').out).toContain('v2');
  });

  it('deploys with --wait, shows history and a verified audit trail, then rolls back to the previous version', async () => {
    // Analysis needs traffic (no data is never a pass), so clients keep calling while it deploys.
    const load = startLoad(`${up.gateway}/api/media/quality-presets`, 40);
    const child = spawn(process.execPath, [CLI, 'deploy', 'media', '--version', 'v2', '--strategy', 'blue-green', '--bake-ms', '500', '--wait', '--gateway', up.gateway, '--as', 'alice'], {
      env: { ...up.env, PITCHEY_ADMIN_KEY: TEST_KEY },
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      out += c.toString();
    });
    expect(await exited(child), out).toBe(0);
    expect(out).toContain('promoted');
    expect(failed(await load.stop())).toEqual([]);
    const status = pitchey('status').out;
    expect(status).toContain('no deployment in progress');
    // The load above went through the gateway: media's budget is sampled each minute, others show untouched.
    expect(status).toMatch(/availability error budget \(99\.9 % over 30 days, \w+\):/);
    expect(status).toMatch(/^ai\s+(-|\d+\.\d %)\s+/m);
    const history = pitchey('history');
    expect(history.out).toMatch(/media\s+v1\s+v2\s+blue-green\s+promoted\s+alice/);
    const audit = pitchey('audit');
    expect(audit.status).toBe(0);
    expect(audit.err).toContain('audit chain verified');
    expect(audit.out).toContain('deployment.started');
    expect(pitchey('lock', 'status').out).toContain('unlocked');
    const back = pitchey('rollback', 'media', '--reason', 'drill');
    expect(back.status, back.err).toBe(0);
    expect(pitchey('history').out).toMatch(/media\s+v2\s+v1\s+blue-green\s+promoted/);
  }, 90_000);

  it('validates a promoted release in phases, and rolls back a breach in the immediate phase', async () => {
    expect(release('build', '--version', 'v3-bad').status).toBe(0);
    const admin = { 'x-api-key': TEST_KEY, 'content-type': 'application/json' };
    const load = startLoad(`${up.gateway}/api/ai/models`, 40);
    // Passes its smoke requests and a short bake (about 20 requests at 40 req/s), then fails a fifth of
    // requests once promoted. Errors during the bake would hold it there: the 5-minute error rule breaching.
    const res = await fetch(`${up.gateway}/_pitchey/admin/deployments`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ service: 'ai', version: 'v3-bad', strategy: 'blue-green', bakeMs: 500, faults: 'errors=0.2,after=60' }),
    });
    const { id } = (await res.json()) as { id: string };
    const record = await waitFor(
      'the validation rollback',
      async () => {
        const r = (await (await fetch(`${up.gateway}/_pitchey/admin/deployments/${id}/record`, { headers: admin })).json()) as DeploymentRecord;
        return r.validation?.rolledBackTo ? r : undefined;
      },
      60_000,
    );
    await waitFor(
      'v1 to serve ai again',
      async () => {
        const r = await fetch(`${up.gateway}/api/ai/models`);
        await r.arrayBuffer();
        return r.headers.get('x-pitchey-version') === 'v1' ? true : undefined;
      },
      30_000,
    );
    await load.stop();
    expect(record.outcome).toBe('promoted');
    expect(record.validation?.phases[0]).toMatchObject({ phase: 'immediate', status: 'fail' });
    expect(record.validation?.phases[0]?.observed).toMatch(/over the limit: error rate/);
    expect(record.validation?.rolledBackTo).toBe('v1');
    expect(renderMarkdown(record)).toContain('A breach in the immediate phase rolled the service back to v1.');
  }, 90_000);

  it('plans a deployment with its hash, power and budget, and applies exactly that plan', () => {
    const review = pitchey('deploy', 'plan', 'video', '--version', 'v2', '--steps', '10,50,100', '--step-ms', '60000');
    expect(review.status, review.err).toBe(0);
    expect(review.out).toMatch(/1\. video: v1 → v2 by canary {3}plan [0-9a-f]{16}/);
    expect(review.out).toContain('rollback target: v1 (present)');
    expect(review.out).toMatch(/step 1 at 10 %: ~\d+ requests, 561 needed to see 1 % → 5 %: TOO FEW/);
    expect(review.out).toContain('warning: step 1 (10 %)');
    const [reviewed] = JSON.parse(pitchey('deploy', 'plan', 'video', '--version', 'v2', '--steps', '10,50,100', '--step-ms', '60000', '--json').out) as Array<{
      planHash: string;
      budget: { fastestPromotionS: number };
    }>;
    expect(reviewed?.budget.fastestPromotionS).toBe(180);
    const changed = pitchey('deploy', 'video', '--version', 'v2', '--steps', '20,50,100', '--step-ms', '60000', '--plan-hash', reviewed?.planHash ?? '');
    expect(changed.status).toBe(1);
    expect(changed.err).toContain('the plan changed since it was reviewed');
    const applied = pitchey('deploy', 'video', '--version', 'v2', '--steps', '10,50,100', '--step-ms', '60000', '--plan-hash', reviewed?.planHash ?? '');
    expect(applied.status, applied.err).toBe(0);
    expect(applied.out).toMatch(/video {2}v1 → v2 {2}canary/);
  }, 60_000);

  it("shows the server's validation problems in the command line's words, exit 64", () => {
    const strategy = pitchey('deploy', 'plan', 'video', '--version', 'v2', '--strategy', 'bogus');
    expect(strategy.status).toBe(64);
    expect(strategy.err).toContain('--strategy must be one of canary, blue-green, rolling');
    const stepMs = pitchey('deploy', 'video', '--version', 'v2', '--step-ms', 'soon', '--json');
    expect(stepMs.status).toBe(64);
    expect(stepMs.err).toMatch(/--step-ms must be (integer|number)/);
    expect(JSON.parse(stepMs.out)).toMatchObject({ error: { exitCode: 64, problem: { code: 'VALIDATION_FAILED' } } });
  });

  it('finds the gateway through PITCHEY_PORT when no platform runs from the data dir, and prints only JSON under --json', () => {
    const elsewhere = makeTempDir('pitchey-cli-elsewhere-');
    const r = spawnSync(process.execPath, [CLI, 'history', '--json'], {
      env: { ...up.env, PITCHEY_DATA_DIR: elsewhere.dir, PITCHEY_PORT: new URL(up.gateway).port, PITCHEY_ADMIN_KEY: TEST_KEY },
      encoding: 'utf8',
      timeout: 60_000,
    });
    elsewhere.remove();
    expect(r.status, r.stderr).toBe(0);
    const history = JSON.parse(r.stdout) as Array<{ service: string; phase: string }>;
    expect(history.some((d) => d.service === 'media' && d.phase === 'promoted')).toBe(true);
    const live = JSON.parse(pitchey('status', '--json').out) as Array<{ id: string; phase: string }>;
    // The plan test above left the video canary running at 60 s a step.
    expect(live.map((d) => d.phase)).not.toContain('promoted');
  });

  it('refuses a release that does not exist with a clear message and exit 1', () => {
    const r = pitchey('deploy', 'video', '--version', 'nope', '--strategy', 'canary');
    expect(r.status).toBe(1);
    expect(r.err).toContain('RELEASE_NOT_FOUND');
    const elsewhere = pitchey('deploy', 'video', '--version', 'v2', '--env', 'production');
    expect(elsewhere.status).toBe(1);
    expect(elsewhere.err).toContain('deploys to "local"');
  });

  it("shows each instance's last lines with `pitchey logs`, and refuses a bad service or tail", () => {
    const r = pitchey('logs', 'video', '--tail', '3');
    expect(r.status, r.err).toBe(0);
    expect(r.err).toMatch(/== video-v\d-\d+ \(v\d, (stable|canary)\) ==/);
    expect(r.out.split('\n').filter(Boolean).length).toBeLessThanOrEqual(3 * 2);
    expect(pitchey('logs', 'nope').status).toBe(64);
    expect(pitchey('logs', 'ai', '--tail', '0').status).toBe(64);
  });

  it('follows the logs with `pitchey logs -f`: new lines of every instance, each once, until Ctrl-C', async () => {
    expect(pitchey('logs', 'ai', '-f', '--json').status).toBe(64);
    const child = spawn(process.execPath, [CLI, 'logs', 'ai', '-f', '--tail', '5', '--gateway', up.gateway, '--as', 'alice'], { env: { ...up.env, PITCHEY_ADMIN_KEY: TEST_KEY } });
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    // The first answer (the last lines) is in when the instance's header is on stderr.
    let err = '';
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
    });
    const said = (e: Error): never => {
      throw new Error(`${e.message}\nstdout:\n${out}\nstderr:\n${err}`);
    };
    await waitFor('the first answer', () => (/== ai-/.test(err) ? true : undefined), 20_000).catch(said);
    for (let i = 0; i < 3; i++) await fetch(`${up.gateway}/api/ai/no-such-route-followed-${i}`);
    await waitFor('the three requests followed', () => (/followed-2/.test(out) ? true : undefined), 20_000).catch(said);
    child.kill('SIGINT');
    expect(await exited(child), err).toBe(0);
    const followed = out.split('\n').filter((l) => l.includes('no-such-route-followed-'));
    // Off a terminal each line stays whole behind its instance: `ai-v1-1 | {"level":30,…}`.
    expect(followed.every((l) => /^ai-v\d-\d+ \| \{/.test(l))).toBe(true);
    for (let i = 0; i < 3; i++) expect(followed.filter((l) => l.includes(`"url":"/no-such-route-followed-${i}"`)).length, followed.join('\n')).toBe(1);
  });

  it('refuses a release modified after it was built: a problem, and a failed deployment in the audit log and its record', async () => {
    expect(release('build', '--version', 'v4-tampered').status).toBe(0);
    const entry = join(up.dataDir, 'releases', 'v4-tampered', 'dist', 'cli', 'main.js');
    chmodSync(entry, 0o644);
    writeFileSync(entry, '// changed after the release was built\n');
    const admin = { 'x-api-key': TEST_KEY, 'content-type': 'application/json', 'x-pitchey-actor': 'mallory' };
    const res = await fetch(`${up.gateway}/_pitchey/admin/deployments`, { method: 'POST', headers: admin, body: JSON.stringify({ service: 'document', version: 'v4-tampered', strategy: 'canary' }) });
    const problem = (await res.json()) as { code: string; detail: string; deployment: string };
    expect(res.status).toBe(422);
    expect(problem.code).toBe('RELEASE_UNTRUSTED');
    expect(problem.detail).toContain('modified after it was built');
    const record = (await (await fetch(`${up.gateway}/_pitchey/admin/deployments/${problem.deployment}/record`, { headers: admin })).json()) as DeploymentRecord;
    expect(record).toMatchObject({ outcome: 'failed', author: 'mallory', to: 'v4-tampered' });
    expect(record.reason).toContain('modified after it was built');
    expect(record.timeline.map((e) => e.kind)).toEqual(['deployment.refused']);
    const audit = pitchey('audit', '--deployment', problem.deployment);
    expect(audit.status, audit.err).toBe(0);
    expect(audit.out).toContain('deployment.refused');
    expect(pitchey('status').out).not.toContain(problem.deployment);
  });
});
