// How fast the controller takes traffic off a bad canary (default rules, 50 req/s), and the
// emergency switch under load, beside their baselines: Flagger's default detection time
// (interval × threshold, from its documented defaults) and an nginx upstream switch by reload,
// measured here.
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildRelease } from '../dist/deploy/releases.js';
import { admin, freePort, report, setting, startPlatform, steadyLoad, tempDir, track } from './lib.mjs';

const ROOT = new URL('..', import.meta.url).pathname;
const RATE = 50;
// Steady traffic before the deployment and after its end, so both edges are inside the record.
const SETTLE_MS = setting('BENCH_SETTLE_MS', 2_000, 1_000);

async function until(fn, timeoutMs = 600_000) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const v = await fn();
    if (v) return v;
    await sleep(100);
  }
  throw new Error('timed out');
}

async function badCanary() {
  const p = await startPlatform({ PITCHEY_VERSION: 'v1' });
  try {
    buildRelease({ projectRoot: ROOT, releasesDir: join(p.dataDir, 'releases'), version: 'v2-bad' });
    const load = steadyLoad(`${p.gateway}/api/ai/models`, RATE);
    await sleep(SETTLE_MS * 1.5);
    const d = await admin(p.gateway, 'POST', '/deployments', { service: 'ai', version: 'v2-bad', strategy: 'canary', faults: 'errors=0.2,after=5' });
    const done = await until(async () => {
      const s = await admin(p.gateway, 'GET', `/deployments/${d.id}`);
      return !s.live && s.phase !== 'progressing' ? s : null;
    });
    await sleep(SETTLE_MS);
    const answers = await load.stop();
    const canary = answers.filter((a) => a.version === 'v2-bad');
    const seconds = (canary.at(-1).at - canary[0].at) / 1000;
    return { phase: done.phase, reason: done.reason, seconds, canaryAnswers: canary.length, failed: answers.filter((a) => a.status >= 500 || a.status === 0).length, total: answers.length };
  } finally {
    await p.stop();
  }
}

async function emergency() {
  const p = await startPlatform({ PITCHEY_VERSION: 'v1' });
  try {
    buildRelease({ projectRoot: ROOT, releasesDir: join(p.dataDir, 'releases'), version: 'v2' });
    const load = steadyLoad(`${p.gateway}/api/ai/models`, RATE);
    const d = await admin(p.gateway, 'POST', '/deployments', { service: 'ai', version: 'v2', strategy: 'canary', steps: [50, 100], stepMs: 600_000 });
    await until(async () => (await admin(p.gateway, 'GET', `/deployments/${d.id}`)).phase === 'progressing');
    await sleep(SETTLE_MS);
    const asked = performance.now();
    const r = await admin(p.gateway, 'POST', '/rollback', { service: 'ai', emergency: true, reason: 'bench' });
    const answered = performance.now();
    await sleep(SETTLE_MS);
    const answers = await load.stop();
    const lastCanary = answers.filter((a) => a.version === 'v2').at(-1);
    return {
      switchMs: r.switchMs,
      apiMs: answered - asked,
      lastCanaryAfterMs: lastCanary ? lastCanary.at - asked : null,
      failed: answers.filter((a) => a.status >= 500 || a.status === 0).length,
      total: answers.length,
    };
  } finally {
    await p.stop();
  }
}

/** nginx switching its upstream by config rewrite + reload: the peer's way to move traffic. */
async function nginxReloadSwitch() {
  if (spawnSync('nginx', ['-v']).error) return null;
  const dir = tempDir('pitchey-bench-nginx-');
  const [a, b, front] = await Promise.all([freePort(), freePort(), freePort()]);
  const { createServer } = await import('node:http');
  const servers = [a, b].map((port, i) => createServer((_q, s) => s.end(i === 0 ? 'A' : 'B')).listen(port, '127.0.0.1'));
  const conf = join(dir.dir, 'nginx.conf');
  const write = (port) =>
    writeFileSync(
      conf,
      `worker_processes 1; daemon off; pid ${dir.dir}/nginx.pid; error_log ${dir.dir}/error.log warn;
events { worker_connections 256; }
http { access_log off; client_body_temp_path ${dir.dir}; proxy_temp_path ${dir.dir}; fastcgi_temp_path ${dir.dir}; uwsgi_temp_path ${dir.dir}; scgi_temp_path ${dir.dir};
  server { listen 127.0.0.1:${front}; location / { proxy_pass http://127.0.0.1:${port}; } } }`,
    );
  write(a);
  const nginx = track(spawn('nginx', ['-c', conf], { stdio: 'ignore' }));
  try {
    await until(
      async () =>
        (await fetch(`http://127.0.0.1:${front}/`)
          .then((r) => r.text())
          .catch(() => '')) === 'A',
      10_000,
    );
    write(b);
    const started = performance.now();
    spawnSync('nginx', ['-c', conf, '-s', 'reload']);
    await until(
      async () =>
        (await fetch(`http://127.0.0.1:${front}/`)
          .then((r) => r.text())
          .catch(() => '')) === 'B',
      10_000,
    );
    return performance.now() - started;
  } finally {
    await new Promise((resolve) => {
      nginx.once('exit', resolve);
      nginx.kill('SIGQUIT');
    });
    servers.forEach((s) => s.close());
    dir.remove();
  }
}

const bad = await badCanary();
console.log(`bad canary (20 % errors), default rules, ${RATE} req/s: ${bad.phase} in ${bad.seconds.toFixed(1)} s from its first request to traffic fully on stable`);
console.log(`  ${bad.canaryAnswers} requests reached the canary; ${bad.failed} of ${bad.total} requests failed overall; reason: ${bad.reason}`);
console.log('  baseline: Flagger defaults (interval 1m × threshold 5) need ≥ 300 s; the checklist rule alone (error rate > 5 % for 5 min) ≥ 300 s');
const em = await emergency();
console.log(
  `emergency rollback under ${RATE} req/s: switch ${em.switchMs.toFixed(3)} ms in the gateway, admin call answered in ${em.apiMs.toFixed(0)} ms, last canary answer ${em.lastCanaryAfterMs === null ? '-' : `${em.lastCanaryAfterMs.toFixed(0)} ms`} after the call; ${em.failed} of ${em.total} requests failed`,
);
const ng = await nginxReloadSwitch();
console.log(ng === null ? 'baseline: nginx not installed' : `baseline: nginx upstream switch by config rewrite + reload: ${ng.toFixed(0)} ms until the new upstream answers`);
report({
  name: 'bad canary off traffic, first canary request to all on stable',
  ours: bad.seconds,
  baseline: 300,
  unit: 's',
  better: 'lower',
  baselineFrom: "Flagger's documented defaults, interval 1m x threshold 5, not measured",
});
report({
  name: 'emergency rollback answered vs nginx upstream switch by reload',
  ours: em.apiMs,
  baseline: ng,
  unit: 'ms',
  better: 'lower',
  ...(ng === null ? { baselineFrom: 'nginx not installed' } : {}),
});
