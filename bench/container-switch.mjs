// The docker driver's costs beside the local driver's, in the same run: a blue-green switch of the
// AI service under load (request to promoted, old instance retired) and `pitchey up` until every
// service is ready. Docker: PITCHEY_TEST_DOCKER_HOST or PITCHEY_DOCKER_HOST, else a private dockerd
// (data root PITCHEY_BENCH_DOCKER_DIR, default /tmp/pitchey-bench-dockerd; the first run builds
// the Debian bases, minutes). The images are built (or reused) from this checkout and signed with
// a development key in a temporary data dir.
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { platformId, LABEL } from '../dist/deploy/adapters/docker-driver.js';
import { buildRelease, checksumOf } from '../dist/deploy/releases.js';
import { buildImages, trustedKeyFiles } from '../dist/image/index.js';
import { dockerClient } from '../dist/kit/index.js';
import { admin, median, report, setting, startPlatform, steadyLoad, tempDir, track } from './lib.mjs';

const ROOT = new URL('..', import.meta.url).pathname;
const RUNS = setting('BENCH_RUNS', 3, 1);
const RATE = 40;

/** A daemon given by the environment, else a private one on its own socket and data root. */
async function daemon() {
  const given = process.env.PITCHEY_TEST_DOCKER_HOST || process.env.PITCHEY_DOCKER_HOST;
  if (given) return { host: given, stop: async () => undefined };
  const dir = process.env.PITCHEY_BENCH_DOCKER_DIR || '/tmp/pitchey-bench-dockerd';
  mkdirSync(dir, { recursive: true });
  const host = `unix://${join(dir, 'docker.sock')}`;
  const proc = track(
    spawn(
      'dockerd',
      [
        '--host',
        host,
        '--data-root',
        join(dir, 'root'),
        '--exec-root',
        join(dir, 'x'),
        '--pidfile',
        join(dir, 'docker.pid'),
        '--iptables=false',
        '--ip-masq=false',
        '--bridge=none',
        '--log-level=warn',
      ],
      { stdio: 'ignore' },
    ),
  );
  const docker = await dockerClient(host);
  for (let i = 0; ; i++) {
    if (
      await docker.ping().then(
        () => true,
        () => false,
      )
    )
      break;
    if (i > 300 || proc.exitCode !== null) throw new Error('dockerd did not start');
    await sleep(100);
  }
  return {
    host,
    stop: () =>
      new Promise((resolve) => {
        proc.once('exit', resolve);
        proc.kill('SIGTERM');
      }),
  };
}

/** Request to the end of the deployment (promoted and the old instance stopped), under a steady load. */
async function timeSwitch(gateway, version) {
  const load = steadyLoad(`${gateway}/api/ai/models`, RATE);
  await sleep(1_000);
  const started = performance.now();
  const d = await admin(gateway, 'POST', '/deployments', { service: 'ai', version, strategy: 'blue-green', bakeMs: 1_000 });
  if (d.id === undefined) throw new Error(`deploy refused: ${JSON.stringify(d)}`);
  for (;;) {
    const s = await admin(gateway, 'GET', `/deployments/${d.id}`);
    if (!s.live && s.phase !== 'progressing') {
      if (s.phase !== 'promoted') throw new Error(`switch to ${version} ended ${s.phase}: ${s.reason}`);
      break;
    }
    await sleep(50);
  }
  const ms = performance.now() - started;
  const answers = await load.stop();
  return { ms, failed: answers.filter((a) => a.status === 0 || a.status >= 500).length, total: answers.length };
}

async function run(env, prepare, release, green) {
  const started = performance.now();
  const p = await startPlatform(env, 300_000, { prepare });
  const upMs = performance.now() - started;
  try {
    release(p.dataDir);
    return { upMs, ...(await timeSwitch(p.gateway, green)) };
  } finally {
    await p.stop();
  }
}

const dockerd = await daemon();
const docker = await dockerClient(dockerd.host);
const images = tempDir('pitchey-bench-images-');
try {
  const blue = `bench-${checksumOf(ROOT).checksum.slice(7, 19)}`;
  const built = performance.now();
  const common = { docker, projectRoot: ROOT, dataDir: images.dir, signingKey: null, mode: 'test', replace: true };
  await buildImages({ ...common, version: blue });
  const green = `${blue}-green`;
  await buildImages({ ...common, version: green, roles: ['ai'] });
  console.log(`images ${blue} (every role) and ${green} (ai) built or reused in ${Math.round(performance.now() - built)} ms`);
  const trusted = trustedKeyFiles({ imageTrustedKeys: [], dataDir: images.dir, mode: 'test' }).join(',');

  const local = [],
    containers = [];
  for (let i = 0; i < RUNS; i++) {
    local.push(await run({ PITCHEY_VERSION: blue }, undefined, (dir) => buildRelease({ projectRoot: ROOT, releasesDir: join(dir, 'releases'), version: green }), green));
    let dataDir = null;
    try {
      containers.push(
        await run(
          { PITCHEY_VERSION: blue, PITCHEY_DRIVER: 'docker', PITCHEY_DOCKER_HOST: dockerd.host, PITCHEY_IMAGE_TRUSTED_KEYS: trusted },
          (dir) => {
            dataDir = dir;
            cpSync(join(images.dir, 'images'), join(dir, 'images'), { recursive: true });
          },
          () => undefined,
          green,
        ),
      );
    } finally {
      // A run that failed midway leaves its containers: this platform's are removed, nothing else.
      const left = dataDir === null ? [] : await docker.listContainers({ all: true, filters: JSON.stringify({ label: [`${LABEL.platform}=${platformId(dataDir)}`] }) });
      for (const c of left) await docker.getContainer(c.Id).remove({ force: true });
    }
  }
  const fmt = (runs, key) => runs.map((r) => `${Math.round(r[key])} ms`).join(', ');
  console.log(`blue-green switch, containers: ${fmt(containers, 'ms')}; failed requests ${containers.map((r) => `${r.failed}/${r.total}`).join(', ')}`);
  console.log(`blue-green switch, local:      ${fmt(local, 'ms')}; failed requests ${local.map((r) => `${r.failed}/${r.total}`).join(', ')}`);
  console.log(`pitchey up until ready, containers: ${fmt(containers, 'upMs')}; local: ${fmt(local, 'upMs')}`);
  report({
    name: 'blue-green switch of ai under load, containers vs local processes',
    ours: median(containers.map((r) => r.ms)),
    baseline: median(local.map((r) => r.ms)),
    unit: 'ms',
    better: 'lower',
  });
  report({
    name: 'pitchey up until every service is ready, docker driver vs local driver',
    ours: median(containers.map((r) => r.upMs)),
    baseline: median(local.map((r) => r.upMs)),
    unit: 'ms',
    better: 'lower',
  });
} finally {
  images.remove();
  await dockerd.stop();
}
