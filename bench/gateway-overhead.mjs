// GET /health through the gateway vs directly, and through nginx (the peer's approach, the
// original platform's proxy) in the same run: requests/s, p99 and the ratio to direct.
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { freePort, report, setting, startRole, stop, tempDir, track, waitReady } from './lib.mjs';

const DURATION = setting('BENCH_SECONDS', 10, 1);
const CONNECTIONS = 32;

function load(url) {
  return new Promise((resolve, reject) => {
    autocannon({ url, connections: CONNECTIONS, duration: DURATION, pipelining: 1 }, (err, r) => (err ? reject(err) : resolve(r)));
  });
}

async function startNginx(dir, listen, upstreamPort) {
  const conf = join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    `worker_processes 1; daemon off; pid ${dir}/nginx.pid; error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http { access_log off; client_body_temp_path ${dir}; proxy_temp_path ${dir}; fastcgi_temp_path ${dir}; uwsgi_temp_path ${dir}; scgi_temp_path ${dir};
  upstream ai { server 127.0.0.1:${upstreamPort}; keepalive 64; }
  server { listen 127.0.0.1:${listen};
    location /api/ai/ { proxy_pass http://ai/; proxy_http_version 1.1; proxy_set_header Connection ""; } } }`,
  );
  if (spawnSync('nginx', ['-v']).error) return null;
  const proc = track(spawn('nginx', ['-c', conf], { stdio: 'ignore' }));
  for (let i = 0; i < 50; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${listen}/api/ai/health`)).ok) return proc;
    } catch {
      /* starting */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop(proc);
  return null;
}

const data = tempDir('pitchey-bench-gw-');
const [svcPort, gwPort, ngPort] = await Promise.all([freePort(), freePort(), freePort()]);
const svc = startRole('ai', { PITCHEY_DATA_DIR: data.dir, PITCHEY_PORT: String(svcPort), PITCHEY_RATE_LIMIT: 'false' });
const gw = startRole('gateway', { PITCHEY_DATA_DIR: data.dir, PITCHEY_PORT: String(gwPort), PITCHEY_RATE_LIMIT: 'false', PITCHEY_UPSTREAMS: `ai=http://127.0.0.1:${svcPort}` });
try {
  await waitReady(`http://127.0.0.1:${svcPort}`);
  // The gateway is ready only with every service up; here it is up once it routes to this one.
  await waitReady(`http://127.0.0.1:${gwPort}/api/ai`, 60_000, '/health');
  const nginx = await startNginx(data.dir, ngPort, svcPort);
  const targets = [
    ['direct', `http://127.0.0.1:${svcPort}/health`],
    ['pitchey gateway', `http://127.0.0.1:${gwPort}/api/ai/health`],
    ...(nginx ? [['nginx proxy_pass', `http://127.0.0.1:${ngPort}/api/ai/health`]] : []),
  ];
  const results = [];
  for (const [name, url] of targets) {
    await load(url); // warm-up run, discarded
    const r = await load(url);
    results.push({ name, rps: r.requests.average, p99: r.latency.p99, errors: r.errors + r.non2xx });
  }
  if (nginx) await stop(nginx);
  const direct = results[0];
  console.log(`GET /health, ${CONNECTIONS} connections, ${DURATION} s each, one instance of the ai service (2-core machine, load generator on the same cores)`);
  for (const r of results) {
    console.log(
      `${r.name.padEnd(18)} ${Math.round(r.rps).toString().padStart(6)} req/s  p99 ${String(r.p99).padStart(4)} ms  errors ${r.errors}  throughput ${(r.rps / direct.rps).toFixed(2)}× direct`,
    );
  }
  const [, gateway, nginxResult] = results;
  report({
    name: 'GET /health through the gateway vs nginx proxy_pass',
    ours: gateway.rps,
    baseline: nginxResult?.rps ?? null,
    unit: 'req/s',
    better: 'higher',
    ...(nginx ? {} : { baselineFrom: 'nginx not installed' }),
  });
  report({ name: 'GET /health through the gateway vs direct to the service', ours: gateway.rps, baseline: direct.rps, unit: 'req/s', better: 'higher' });
} finally {
  await Promise.all([stop(gw), stop(svc)]);
  data.remove();
}
