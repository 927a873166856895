// `pitchey up` with PITCHEY_DRIVER=docker, as an operator runs it: every service a container of
// its signed image, healthy through the gateway; a genuinely broken build rolled back by a canary
// under load; a blue-green switch under load without a failed request, and `rollback --to`; an
// image whose signature does not verify refused (problem, audit, record); and after SIGTERM, no
// container left. One platform for the whole file: each start is five containers.
import { spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DeploymentRecord } from '../../src/deploy/record.js';
import { SERVICE_NAMES } from '../../src/kit/index.js';
import { TEST_KEY } from '../helpers.js';
import { failed, startLoad } from '../e2e/load.js';
import { ADMIN_HEADERS as admin, CLI, exited, settled, waitFor } from '../e2e/platform.js';
import { brokenProject } from '../support/broken-build.js';
import { buildTestImage, startDockerUp, type DockerUp } from './docker-platform.js';

const PUBLIC_CATALOG: Record<string, string> = { video: '/formats', document: '/templates', ai: '/models', media: '/quality-presets', code: '/languages' };
let p: DockerUp;

beforeAll(async () => {
  p = await startDockerUp(inject('dockerHost'), { PITCHEY_ANALYSIS_INTERVAL_MS: '250', PITCHEY_ANALYSIS_WINDOW_MS: '3000', PITCHEY_DRAIN_TIMEOUT_MS: '2000' });
}, 900_000);
afterAll(async () => {
  await p?.cleanup();
}, 60_000);

/** An admin command, to this platform's gateway; a local one (`release list`) reads the data dir and takes no --gateway. */
function pitchey(...args: string[]): { status: number | null; out: string; err: string } {
  const local = args[0] === 'release';
  const r = spawnSync(process.execPath, [CLI, ...args, ...(local ? [] : ['--gateway', p.up.gateway])], { env: { ...p.up.env, PITCHEY_ADMIN_KEY: TEST_KEY }, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, out: r.stdout, err: r.stderr };
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
    const version = `${p.images.version}-green`;
    await buildTestImage(inject('dockerHost'), { role: 'ai', version });
    p.syncSignatures();
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
