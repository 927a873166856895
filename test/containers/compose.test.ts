// ops/compose.yaml run for real: the gateway and the five services from their images come up
// healthy on the compose bridge, a program runs in the code executor's sandbox through the gateway
// (the privileges compose grants are enough, and no more is asked), and `down -v` leaves nothing.
// Runs the six images of this checkout (test/support/images.ts builds them when missing), or those of
// PITCHEY_TEST_IMAGE_VERSION.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { dockerClient } from '../../src/kit/docker.js';
import { SERVICE_NAMES } from '../../src/kit/index.js';
import { makeTempDir } from '../helpers.js';
import { ensureImages } from '../support/images.js';

const COMPOSE_FILE = fileURLToPath(new URL('../../ops/compose.yaml', import.meta.url));
const ROLES = ['gateway', ...SERVICE_NAMES];
const KEY = `compose-it-${'0123456789abcdef'.repeat(2)}`;
const PROJECT = `pitcheyit${process.pid}`;
const host = inject('dockerHost');

/** PITCHEY_TEST_IMAGE_VERSION's images, else this checkout's, built if missing. */
async function imageVersion(): Promise<string> {
  const wanted = process.env.PITCHEY_TEST_IMAGE_VERSION;
  if (wanted !== undefined && wanted !== '') return wanted;
  return (await ensureImages(host)).version;
}

const version = await imageVersion();
const tmp = makeTempDir('pitchey-compose-it-');

function compose(args: string[], timeoutMs = 120_000): Promise<string> {
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: tmp.dir,
    DOCKER_HOST: host,
    PITCHEY_VERSION: version,
    PITCHEY_API_KEYS: `${KEY}:*`,
    GRAFANA_ADMIN_PASSWORD: 'unused-here',
    // Random loopback ports and a subnet of our own: nothing collides with the host or another run.
    PITCHEY_GATEWAY_PUBLISH: '127.0.0.1:',
    PITCHEY_LIVE_PUBLISH: '127.0.0.1:',
    PITCHEY_SUBNET: `172.31.${200 + (process.pid % 50)}.0/24`,
    PITCHEY_METRICS_KEY_FILE: join(tmp.dir, 'metrics-key'),
  };
  return new Promise((resolve, reject) => {
    execFile('docker-compose', ['-p', PROJECT, '-f', COMPOSE_FILE, ...args], { env, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`docker-compose ${args.join(' ')}: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

async function projectContainers(): Promise<Array<{ Id: string; State: string; Labels: Record<string, string> }>> {
  const docker = await dockerClient(host);
  return docker.listContainers({ all: true, filters: { label: [`com.docker.compose.project=${PROJECT}`] } });
}

async function waitHealthy(deadlineMs: number): Promise<Record<string, string>> {
  const docker = await dockerClient(host);
  let health: Record<string, string> = {};
  while (Date.now() < deadlineMs) {
    const containers = await projectContainers();
    health = Object.fromEntries(
      await Promise.all(
        containers.map(async (c) => {
          const info = await docker.getContainer(c.Id).inspect();
          return [c.Labels['com.docker.compose.service'] ?? c.Id, info.State.Health?.Status ?? info.State.Status] as const;
        }),
      ),
    );
    if (Object.keys(health).length === ROLES.length && Object.values(health).every((s) => s === 'healthy')) return health;
    if (Object.values(health).some((s) => s === 'exited' || s === 'dead')) break;
    await sleep(1_000);
  }
  return health;
}

/** The last health-probe outputs and log lines of each role, for a failure message. */
async function explain(roles: string[]): Promise<string> {
  const docker = await dockerClient(host);
  const parts: string[] = [];
  for (const c of await projectContainers()) {
    const role = c.Labels['com.docker.compose.service'] ?? c.Id;
    if (!roles.includes(role)) continue;
    const info = await docker.getContainer(c.Id).inspect();
    const probes = (info.State.Health?.Log ?? []).slice(-2).map((l) => `exit ${l.ExitCode}: ${l.Output.trim()}`);
    parts.push(`${role}: ${info.State.Status}, restarts ${info.RestartCount}; probes: ${probes.join(' | ')}`);
  }
  const logs = await compose(['logs', '--no-color', '--tail', '15', ...roles]).catch((err: Error) => err.message);
  return `${parts.join('\n')}\n${logs}`;
}

describe(`ops/compose.yaml on the engine (images ${version})`, () => {
  let gateway: string;

  beforeAll(async () => {
    writeFileSync(join(tmp.dir, 'metrics-key'), `${KEY}\n`, { mode: 0o600 });
    // --no-deps: the platform's core only (Redis is a cache the ai service does without).
    await compose(['up', '-d', '--no-deps', ...ROLES]);
    gateway = `http://${(await compose(['port', 'gateway', '8080'])).trim()}`;
  }, 180_000);

  afterAll(async () => {
    await compose(['down', '-v', '--remove-orphans', '--timeout', '30']).catch((err: Error) => console.error(err.message));
    tmp.remove();
  }, 120_000);

  it('brings the gateway and the five services up healthy, and runs a program in the sandbox through the gateway', async () => {
    const started = Date.now();
    // Each health probe starts a Node process: on a loaded 2-core host a probe can time out and a
    // role read unhealthy for a while before it turns healthy, so the wait is generous.
    const health = await waitHealthy(started + 200_000);
    const unhealthy = ROLES.filter((r) => health[r] !== 'healthy');
    // A role that never turns healthy says why: its health probes' output and its last log lines.
    if (unhealthy.length > 0) console.error(await explain(unhealthy));
    expect(health).toEqual(Object.fromEntries(ROLES.map((r) => [r, 'healthy'])));
    console.log(`compose: ${ROLES.length} roles healthy in ${((Date.now() - started) / 1000).toFixed(1)} s after up`);

    const res = await fetch(`${gateway}/api/code/execute`, {
      method: 'POST',
      headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ language: 'python', code: 'import os\nprint(sum(range(10)), os.getuid())' }),
    });
    const body = (await res.json()) as { status: string; stdout: string; memory_peak_kb: number | null };
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body).toMatchObject({ status: 'completed', stdout: '45 65534\n' });
    expect(body.memory_peak_kb).toBeGreaterThan(0);
    // The gateway's own readiness follows its checks of every upstream (ai's first ones can time out
    // while it starts): it turns ready within seconds of the containers' health.
    let ready: unknown = null;
    for (const until = Date.now() + 30_000; Date.now() < until; await sleep(1_000)) {
      ready = await (await fetch(`${gateway}/ready`)).json();
      if ((ready as { status?: unknown }).status === 'ready') break;
    }
    expect(ready).toMatchObject({ status: 'ready', checks: [{ name: 'upstreams', ok: true }] });
  }, 300_000);

  it('leaves no container, volume or network behind after down -v', async () => {
    await compose(['down', '-v', '--remove-orphans', '--timeout', '30']);
    expect(await projectContainers()).toEqual([]);
    const docker = await dockerClient(host);
    const volumes = (await docker.listVolumes()).Volumes.filter((v) => v.Name.startsWith(`${PROJECT}_`));
    expect(volumes).toEqual([]);
    expect((await docker.listNetworks()).filter((n) => n.Name.startsWith(`${PROJECT}_`))).toEqual([]);
  });
});
