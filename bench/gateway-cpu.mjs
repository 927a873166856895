// CPU time per proxied request: the gateway's and nginx's, each process's own CPU (from /proc)
// over the same fixed number of requests. Unlike requests/s, this does not move with what else
// the machine runs, so it compares the two proxies' costs on a busy machine too.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { cpuMs, freePort, median, report, setting, startRole, stop, tempDir, track, waitReady } from './lib.mjs';

const REQUESTS = setting('BENCH_REQUESTS', 20_000, 2_000);
const ROUNDS = setting('BENCH_ROUNDS', 3, 1);

const fire = (url) => new Promise((resolve, reject) => autocannon({ url, connections: 32, amount: REQUESTS }, (err, r) => (err ? reject(err) : resolve(r.errors + r.non2xx))));

/** nginx's CPU: its master and every worker (children of the master). */
function nginxCpuMs(master) {
  const workers = readFileSync(`/proc/${master}/task/${master}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
  return [master, ...workers].reduce((sum, pid) => sum + cpuMs(pid), 0);
}

const data = tempDir('pitchey-bench-gwcpu-');
const [aiPort, gwPort, ngPort, planePort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
const ai = startRole('ai', { PITCHEY_DATA_DIR: data.dir, PITCHEY_PORT: String(aiPort) });
// The Node gateway's own proxy (the default, auto, would put nginx in front where it is installed).
const gw = startRole('gateway', { PITCHEY_DATA_DIR: data.dir, PITCHEY_PORT: String(gwPort), PITCHEY_UPSTREAMS: `ai=http://127.0.0.1:${aiPort}`, PITCHEY_DATA_PLANE: 'node' });
// The gateway with its nginx data plane: its CPU is the Node gateway's (statistics, request log)
// and its nginx's, the master being the gateway's child.
const gwPlane = startRole('gateway', { PITCHEY_DATA_DIR: data.dir, PITCHEY_PORT: String(planePort), PITCHEY_UPSTREAMS: `ai=http://127.0.0.1:${aiPort}`, PITCHEY_DATA_PLANE: 'nginx' });
const childrenOf = (pid) => readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
const planeCpuMs = () => cpuMs(gwPlane.pid) + childrenOf(gwPlane.pid).reduce((sum, master) => sum + nginxCpuMs(master), 0);
let nginx = null;
try {
  await waitReady(`http://127.0.0.1:${aiPort}`);
  await waitReady(`http://127.0.0.1:${gwPort}/api/ai`, 60_000, '/health');
  await waitReady(`http://127.0.0.1:${planePort}/api/ai`, 60_000, '/health');
  if (!spawnSync('nginx', ['-v']).error) {
    const conf = join(data.dir, 'nginx.conf');
    writeFileSync(
      conf,
      `worker_processes 1; daemon off; pid ${data.dir}/nginx.pid; error_log ${data.dir}/error.log warn;
events { worker_connections 1024; }
http { access_log off; client_body_temp_path ${data.dir}; proxy_temp_path ${data.dir}; fastcgi_temp_path ${data.dir}; uwsgi_temp_path ${data.dir}; scgi_temp_path ${data.dir};
  upstream ai { server 127.0.0.1:${aiPort}; keepalive 64; }
  server { listen 127.0.0.1:${ngPort}; location /api/ai/ { proxy_pass http://ai/; proxy_http_version 1.1; proxy_set_header Connection ""; } } }`,
    );
    nginx = track(spawn('nginx', ['-c', conf], { stdio: 'ignore' }));
    await waitReady(`http://127.0.0.1:${ngPort}/api/ai`, 5_000, '/health');
  }
  const targets = [
    ['ours', `http://127.0.0.1:${gwPort}/api/ai/health`, () => cpuMs(gw.pid)],
    ['plane', `http://127.0.0.1:${planePort}/api/ai/health`, planeCpuMs],
    ...(nginx ? [['nginx', `http://127.0.0.1:${ngPort}/api/ai/health`, () => nginxCpuMs(nginx.pid)]] : []),
  ];
  for (const [, url] of targets) await fire(url); // warm-up
  const perRequest = new Map(targets.map(([name]) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, url, cpu] of round % 2 === 0 ? targets : [...targets].reverse()) {
      const before = cpu();
      const bad = await fire(url);
      if (bad > 0) throw new Error(`${name}: ${bad} failed requests`);
      perRequest.get(name).push(((cpu() - before) * 1000) / REQUESTS);
    }
  }
  console.log(`GET /health of one ai instance, ${REQUESTS} requests per round, 32 connections, median of ${ROUNDS} alternating rounds`);
  for (const [name, values] of perRequest) console.log(`  ${name.padEnd(6)} ${Math.round(median(values))} µs CPU per request (rounds: ${values.map(Math.round).join(', ')})`);
  for (const [name, label] of [
    ['ours', 'gateway'],
    ['plane', 'gateway (nginx data plane)'],
  ])
    report({
      name: `${label} CPU per proxied GET /health vs nginx proxy_pass`,
      ours: median(perRequest.get(name)),
      baseline: nginx ? median(perRequest.get('nginx')) : null,
      unit: 'µs',
      better: 'lower',
      ...(nginx ? {} : { baselineFrom: 'nginx not installed' }),
    });
} finally {
  await Promise.all([stop(gw), stop(gwPlane), stop(ai), ...(nginx ? [stop(nginx)] : [])]);
  data.remove();
}
