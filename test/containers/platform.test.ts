// `pitchey up` with PITCHEY_DRIVER=docker, as an operator runs it: every service a container of
// its signed image, healthy through the gateway; a genuinely broken build rolled back by a canary
// under load; a blue-green switch under load without a failed request, and `rollback --to`; an
// rolling release and an emergency rollback under load without a failed request; an image whose
// signature does not verify refused (problem, audit, record); and after SIGTERM, no container
// left. One platform for the whole file: each start is five containers. Some settings come from a
// settings file, which the containers cannot read: they get its values as variables.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DeploymentRecord } from '../../src/deploy/record.js';
import { SERVICE_NAMES } from '../../src/kit/index.js';
import { TEST_KEY, makeTempDir } from '../helpers.js';
import { failed, startLoad } from '../e2e/load.js';
import { ADMIN_HEADERS as admin, CLI, exited, settled, waitFor } from '../e2e/platform.js';
import { brokenProject } from '../support/broken-build.js';
import { buildTestImage, startDockerUp, type DockerUp } from './docker-platform.js';

const PUBLIC_CATALOG: Record<string, string> = { video: '/formats', document: '/templates', ai: '/models', media: '/quality-presets', code: '/languages' };
const FILE_SETTINGS = { jobConcurrency: 3, jobMaxAttempts: 4 };
const settingsDir = makeTempDir('pitchey-docker-settings-');
let p: DockerUp;

beforeAll(async () => {
  const file = join(settingsDir.dir, 'pitchey.json');
  writeFileSync(file, JSON.stringify(FILE_SETTINGS));
  p = await startDockerUp(inject('dockerHost'), { PITCHEY_ANALYSIS_INTERVAL_MS: '250', PITCHEY_ANALYSIS_WINDOW_MS: '3000', PITCHEY_DRAIN_TIMEOUT_MS: '2000', PITCHEY_CONFIG_FILE: file });
}, 900_000);
afterAll(async () => {
  await p?.cleanup();
  settingsDir.remove();
}, 60_000);

/** An admin command, to this platform's gateway; a local one (`release list`) reads the data dir and takes no --gateway. */
function pitchey(...args: string[]): { status: number | null; out: string; err: string } {
  const local = args[0] === 'release';
  const r = spawnSync(process.execPath, [CLI, ...args, ...(local ? [] : ['--gateway', p.up.gateway])], { env: { ...p.up.env, PITCHEY_ADMIN_KEY: TEST_KEY }, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

/** This checkout's ai image again under a second version (built once per file), the "green" release. */
let green: Promise<string> | undefined;
function greenVersion(): Promise<string> {
  green ??= (async () => {
    const version = `${p.images.version}-green`;
    await buildTestImage(inject('dockerHost'), { role: 'ai', version });
    p.syncSignatures();
    return version;
  })();
  return green;
}

async function deploy(body: Record<string, unknown>): Promise<{ status: number; body: Record<string, unknown> & { id?: string } }> {
  const res = await fetch(`${p.up.gateway}/_pitchey/admin/deployments`, { method: 'POST', headers: admin, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('the platform on containers', () => {
  it('runs every service as a container of its image, healthy through the gateway', async () => {
    const running = await p.containers();
    expect(running.map((c) => c.Labels['io.pitchey.service']).sort()).toEqual([...SERVICE_NAMES].sort());
    for (const c of running) {
      expect(c.State).toBe('running');
      expect(c.ImageID).toBe(p.images.images[c.Labels['io.pitchey.service'] as keyof typeof p.images.images].id);
      expect(c.HostConfig.NetworkMode).toBe('host');
      const env = (await p.docker.getContainer(c.Id).inspect()).Config.Env;
      expect(env).toEqual(expect.arrayContaining(['PITCHEY_JOB_CONCURRENCY=3', 'PITCHEY_JOB_MAX_ATTEMPTS=4']));
      expect(env.some((e) => e.startsWith('PITCHEY_CONFIG_FILE='))).toBe(false);
    }
    for (const service of SERVICE_NAMES) {
      const res = await fetch(`${p.up.gateway}/api/${service}${PUBLIC_CATALOG[service]}`);
      expect(res.status, service).toBe(200);
      expect(res.headers.get('x-pitchey-version')).toBe(p.images.version);
    }
    const health = pitchey('health', '--json');
    expect(health.status, health.err).toBe(0);
    const releases = pitchey('release', 'list');
    expect(releases.status, releases.err).toBe(0);
    expect(releases.out).toContain(p.images.version);
    expect(releases.out).toMatch(/ai [0-9a-f]{12} \d+ MB/);
    const logs = pitchey('logs', 'ai', '--tail', '20');
    expect(logs.status, logs.err).toBe(0);
    expect(logs.err).toMatch(new RegExp(`== ai-${p.images.version}-\\d+ \\(${p.images.version}, stable\\) ==`));
  });

  it('rolls a canary of a genuinely broken build back under load; stable fails nothing', async () => {
    const broken = brokenProject({ git: true });
    const version = `${p.images.version}-broken`;
    try {
      await buildTestImage(inject('dockerHost'), { role: 'ai', version, projectRoot: broken.root });
    } finally {
      broken.remove();
    }
    p.syncSignatures();
    const load = startLoad(`${p.up.gateway}/api/ai/models`, 40);
    await sleep(1_000);
    const started = await deploy({ service: 'ai', version, strategy: 'canary', steps: [20, 50, 100], stepMs: 10_000 });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    const end = await settled(p.up.gateway, String(started.body.id), 120_000);
    const answers = await load.stop();
    expect(end.phase, end.reason ?? '').toBe('rolled-back');
    expect(answers.filter((a) => a.version === version).length).toBeGreaterThan(0);
    expect(answers.filter((a) => a.version === p.images.version && a.status >= 500)).toEqual([]);
    expect(await p.containers(version)).toEqual([]);
  }, 300_000);

  it('switches blue-green under load without a failed request, and rolls back with --to', async () => {
    const version = await greenVersion();
    const load = startLoad(`${p.up.gateway}/api/ai/models`, 40);
    await sleep(1_000);
    const started = await deploy({ service: 'ai', version, strategy: 'blue-green', bakeMs: 3_000 });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    const end = await settled(p.up.gateway, String(started.body.id), 120_000);
    await waitFor('the old container to be gone', async () => ((await p.containers(p.images.version)).some((c) => c.Labels['io.pitchey.service'] === 'ai') ? undefined : true), 30_000);
    const answers = await load.stop();
    expect(end.phase, end.reason ?? '').toBe('promoted');
    expect(failed(answers)).toEqual([]);
    expect(answers.at(-1)?.version).toBe(version);
    const back = pitchey('rollback', 'ai', '--to', p.images.version, '--reason', 'drill');
    expect(back.status, back.err).toBe(0);
    await waitFor(
      'ai back on the base version',
      async () => {
        const r = await fetch(`${p.up.gateway}/api/ai/models`);
        await r.arrayBuffer();
        return r.headers.get('x-pitchey-version') === p.images.version && (await p.containers(version)).length === 0 ? true : undefined;
      },
      120_000,
    );
  }, 300_000);

  it('rolls two containers one at a time, then rolls a canary back in an emergency, under load without a failed request', async () => {
    const version = await greenVersion();
    const load = startLoad(`${p.up.gateway}/api/ai/models`, 40);
    // New containers answer slowly for their first seconds (cold JIT); a busy host stretches that.
    const rolling = await deploy({ service: 'ai', version, strategy: 'rolling', instances: 2, stepMs: 2_000, warmupMs: 15_000 });
    expect(rolling.status, JSON.stringify(rolling.body)).toBe(201);
    const rolled = await settled(p.up.gateway, String(rolling.body.id), 120_000);
    expect(rolled.phase, rolled.reason ?? '').toBe('promoted');
    expect((await p.containers(version)).filter((c) => c.State === 'running')).toHaveLength(2);

    const canary = await deploy({ service: 'ai', version: p.images.version, strategy: 'canary', steps: [50, 100], stepMs: 60_000 });
    expect(canary.status, JSON.stringify(canary.body)).toBe(201);
    const id = String(canary.body.id);
    await waitFor(
      'the canary to take traffic',
      async () => ((await (await fetch(`${p.up.gateway}/_pitchey/admin/deployments/${id}`, { headers: admin })).json()) as { phase: string }).phase === 'progressing' || undefined,
      60_000,
    );
    const emergency = pitchey('rollback', 'ai', '--emergency', '--reason', 'container drill');
    expect(emergency.status, emergency.err).toBe(0);
    const end = await settled(p.up.gateway, id, 60_000);
    await new Promise((r) => setTimeout(r, 500));
    const answers = await load.stop();
    expect(end.phase, end.reason ?? '').toBe('rolled-back');
    if (failed(answers).length > 0)
      console.error(
        `failed at ${failed(answers)
          .map((a) => new Date(a.at).toISOString())
          .join(', ')}\n${p.up.output().split('\n').slice(-150).join('\n')}`,
      );
    expect(failed(answers)).toEqual([]);
    expect(answers.at(-1)?.version).toBe(version);
    await waitFor('the canary containers to be gone', async () => (await p.containers(p.images.version)).every((c) => c.Labels['io.pitchey.service'] !== 'ai') || undefined, 30_000);
  }, 300_000);

  it('refuses an image whose signature does not verify: a problem, the audit log, the record, no container', async () => {
    const version = `${p.images.version}-unsigned`;
    await p.docker.getImage(p.images.images.ai.id).tag({ repo: 'pitchey/ai', tag: version });
    try {
      const refused = await deploy({ service: 'ai', version, strategy: 'canary' });
      expect(refused.status).toBe(422);
      expect(refused.body.code).toBe('RELEASE_UNTRUSTED');
      expect(String(refused.body.detail)).toContain(`pitchey/ai:${version}`);
      const id = String(refused.body.deployment);
      const record = (await (await fetch(`${p.up.gateway}/_pitchey/admin/deployments/${id}/record`, { headers: admin })).json()) as DeploymentRecord;
      expect(record.outcome).toBe('failed');
      expect(record.reason).toContain('signature');
      const audit = pitchey('audit', '--deployment', id);
      expect(audit.status, audit.err).toBe(0);
      expect(audit.out).toContain('deployment.refused');
      expect(await p.containers(version)).toEqual([]);
    } finally {
      await p.docker.getImage(`pitchey/ai:${version}`).remove();
    }
  });

  it('stops on SIGTERM with no container left behind', async () => {
    p.up.proc.kill('SIGTERM');
    expect(await exited(p.up.proc)).toBe(0);
    expect(await p.containers()).toEqual([]);
  }, 60_000);
});
