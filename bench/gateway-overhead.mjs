// The gateway beside nginx proxy_pass (the original platform's proxy) and beside no proxy at all,
// and the gateway with its nginx data plane (PITCHEY_DATA_PLANE=nginx, as "plane"),
// in one run, on the cases issue 21 names: GET /health of an ai instance, a 64 KiB answer, two
// tracks at 90/10, and a streamed 50 MB upload under the route's body limit. Both proxies run with
// rate limits on (the contract's zones; nginx's as limit_req) and see the same client addresses
// (X-Forwarded-For from a trusted loopback peer, spread so no client reaches its limit), so each
// request pays the limiter's lookup without being refused. Targets alternate round by round and
// each figure is the median of the rounds: other work on a 2-core machine moves them all alike.
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
// The data plane's proxy buffers, given to nginx too as a second baseline for the 64 KiB answer.
import { PROXY_BUFFERS } from '../dist/gateway/nginx/conf.js';
import { SPREAD_CLIENTS, admin, freePort, latencyAtRate, loadSpread, median, nextClient, report, setting, startRole, stop, tempDir, track, waitReady } from './lib.mjs';

const SECONDS = setting('BENCH_SECONDS', 5, 1);
const ROUNDS = setting('BENCH_ROUNDS', 3, 1);
const UPLOADS = setting('BENCH_UPLOADS', 8, 2);
const UPLOAD_ROUNDS = 2 * ROUNDS;
const CONNECTIONS = 32;
const UPLOAD_MB = 50;
const UPLOAD_CONCURRENCY = 4;
const BLOB_BYTES = 64 * 1024;
/** The offered rate of the same-load latency rounds, as a share of nginx's closed-loop rate. */
const RATE_SHARE = 0.3;

// A bare upstream for the 64 KiB answer and the upload (the ai service has neither): answers from
// memory and drains bodies, so the figures are the proxies'.
const BLOB_SERVER = `
const http = require('node:http');
const blob = Buffer.alloc(${BLOB_BYTES}, 'x');
http.createServer((req, res) => {
  if (req.method === 'POST') {
    let n = 0;
    req.on('data', (c) => { n += c.length; });
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ bytes: n })));
    return;
  }
  if (req.url === '/blob') return res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': blob.length }).end(blob);
  res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
}).listen(Number(process.env.PORT), '127.0.0.1');`;

const load = (url) => loadSpread(url, { connections: CONNECTIONS, seconds: SECONDS });

/** POSTs `mb` MiB in 64 KiB writes without a length (chunked, as a streaming client sends). */
function upload(url, mb) {
  const chunk = Buffer.alloc(64 * 1024, 'u');
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/octet-stream', 'x-forwarded-for': nextClient() } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    let left = (mb * 1024 * 1024) / chunk.length;
    const write = () => {
      while (left > 0) {
        left--;
        if (!req.write(chunk)) return void req.once('drain', write);
      }
      req.end();
    };
    write();
  });
}

/** MB/s over UPLOADS uploads of UPLOAD_MB, UPLOAD_CONCURRENCY at a time; every one must answer 200. */
async function uploadRate(url) {
  let next = 0;
  let failed = 0;
  const started = performance.now();
  const worker = async () => {
    while (next++ < UPLOADS) if ((await upload(url, UPLOAD_MB)) !== 200) failed++;
  };
  await Promise.all(Array.from({ length: UPLOAD_CONCURRENCY }, worker));
  return { mbps: (UPLOADS * UPLOAD_MB) / ((performance.now() - started) / 1000), failed };
}

/** A declared length over the route's limit is refused before any byte is read. */
function overLimitStatus(url) {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-length': String(600 * 1024 * 1024), 'x-forwarded-for': nextClient() } }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('error', reject);
    req.end();
  });
}

async function startNginx(dir, listen, ai, canary, blob) {
  if (spawnSync('nginx', ['-v']).error) return null;
  const conf = join(dir, 'nginx.conf');
  const proxy = 'proxy_http_version 1.1; proxy_set_header Connection "";';
  writeFileSync(
    conf,
    `worker_processes 1; daemon off; pid ${dir}/nginx.pid; error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http { access_log off; client_body_temp_path ${dir}; proxy_temp_path ${dir}; fastcgi_temp_path ${dir}; uwsgi_temp_path ${dir}; scgi_temp_path ${dir};
  set_real_ip_from 127.0.0.1; real_ip_header X-Forwarded-For;
  limit_req_zone $binary_remote_addr zone=api:10m rate=10r/s;
  limit_req_zone $binary_remote_addr zone=uploads:10m rate=2r/s;
  limit_req_status 429;
  upstream ai { server 127.0.0.1:${ai}; keepalive 64; }
  upstream split { server 127.0.0.1:${ai} weight=9; server 127.0.0.1:${canary} weight=1; keepalive 64; }
  upstream blob { server 127.0.0.1:${blob}; keepalive 64; }
  server { listen 127.0.0.1:${listen};
    location /api/ai/ { limit_req zone=api burst=10 nodelay; proxy_pass http://ai/; ${proxy} }
    location /split/api/ai/ { limit_req zone=api burst=10 nodelay; proxy_pass http://split/; ${proxy} }
    location /api/video/ { limit_req zone=uploads burst=5 nodelay; client_max_body_size 500m; proxy_request_buffering off; proxy_pass http://blob/; ${proxy} }
    location /buffered/api/video/ { limit_req zone=uploads burst=5 nodelay; ${PROXY_BUFFERS} proxy_pass http://blob/; ${proxy} } } }`,
  );
  const proc = track(spawn('nginx', ['-c', conf], { stdio: 'ignore' }));
  try {
    await waitReady(`http://127.0.0.1:${listen}/api/ai`, 5_000, '/health');
    return proc;
  } catch {
    await stop(proc);
    return null;
  }
}

const data = tempDir('pitchey-bench-gw-');
const [aiPort, canaryPort, blobPort, gwPort, ngPort, planePort] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort(), freePort()]);
const env = { PITCHEY_DATA_DIR: data.dir };
const ai = startRole('ai', { ...env, PITCHEY_PORT: String(aiPort), PITCHEY_VERSION: 'v1' });
const canary = startRole('ai', { ...env, PITCHEY_PORT: String(canaryPort), PITCHEY_VERSION: 'v2', PITCHEY_TRACK: 'canary' });
const blob = track(spawn(process.execPath, ['-e', BLOB_SERVER], { env: { ...process.env, PORT: String(blobPort) }, stdio: 'ignore' }));
const gatewayEnv = {
  ...env,
  PITCHEY_RATE_LIMIT: 'true',
  PITCHEY_TRUSTED_PROXIES: '127.0.0.1',
  PITCHEY_UPSTREAMS: `ai=http://127.0.0.1:${aiPort},video=http://127.0.0.1:${blobPort}`,
};
// "ours" is the Node gateway's own proxy, whatever the default (auto) would pick here.
const gw = startRole('gateway', { ...gatewayEnv, PITCHEY_PORT: String(gwPort), PITCHEY_DATA_PLANE: 'node' });
const gwPlane = startRole('gateway', { ...gatewayEnv, PITCHEY_PORT: String(planePort), PITCHEY_DATA_PLANE: 'nginx' });
const gateway = `http://127.0.0.1:${gwPort}`;
const plane = `http://127.0.0.1:${planePort}`;
let nginx = null;
try {
  await Promise.all([waitReady(`http://127.0.0.1:${aiPort}`), waitReady(`http://127.0.0.1:${canaryPort}`), waitReady(`http://127.0.0.1:${blobPort}`, 10_000, '/health')]);
  // The gateway is ready only with every service up; here it is up once it routes to these two.
  await waitReady(`${gateway}/api/ai`, 60_000, '/health');
  await waitReady(`${gateway}/api/video`, 10_000, '/health');
  await waitReady(`${plane}/api/ai`, 60_000, '/health');
  await waitReady(`${plane}/api/video`, 10_000, '/health');
  nginx = await startNginx(data.dir, ngPort, aiPort, canaryPort, blobPort);
  const ng = `http://127.0.0.1:${ngPort}`;
  const direct = { ai: `http://127.0.0.1:${aiPort}`, blob: `http://127.0.0.1:${blobPort}` };

  const cases = [
    { id: 'health', title: 'GET /health (ai instance)', targets: { direct: `${direct.ai}/health`, ours: `${gateway}/api/ai/health`, plane: `${plane}/api/ai/health`, nginx: `${ng}/api/ai/health` } },
    {
      id: 'blob',
      title: 'GET 64 KiB answer',
      targets: { direct: `${direct.blob}/blob`, ours: `${gateway}/api/video/blob`, plane: `${plane}/api/video/blob`, nginx: `${ng}/api/video/blob`, 'nginx-8k': `${ng}/buffered/api/video/blob` },
    },
  ];
  const results = new Map(); // `${case}/${target}` → [{ rps, p99, bad }]
  const keep = (key, r) => results.set(key, [...(results.get(key) ?? []), r]);
  const runLoads = async (c, targets, round) => {
    const names = Object.keys(targets).filter((t) => !t.startsWith('nginx') || nginx !== null);
    // Alternate which target goes first, so none always runs on the coolest machine.
    for (const t of round % 2 === 0 ? names : [...names].reverse()) {
      const r = await load(targets[t]);
      keep(`${c}/${t}`, { rps: r.requests.average, p99: r.latency.p99, bad: r.errors + r.non2xx + r.timeouts });
    }
  };
  for (const c of cases) for (const url of Object.values(c.targets)) if (nginx !== null || !url.startsWith(ng)) await load(url); // warm-up, discarded
  for (let round = 0; round < ROUNDS; round++) for (const c of cases) await runLoads(c.id, c.targets, round);

  // The same offered load: closed-loop p99 follows each target's own throughput (32 connections
  // wait on slower answers longer), so each case is also offered RATE_SHARE of nginx's rate, open
  // loop, to the plane and to nginx alike, and their latencies compared in microseconds. The p50
  // is the per-request cost; the p99 at this load is mostly the machine's stalls (the bench's own
  // event loop, the upstream's GC), as nginx's own spread between rounds shows.
  const atRate = new Map(); // `${case}/${target}` → [{ p99Us, p50Us, failed }]
  if (nginx !== null)
    for (const c of cases) {
      const rate = Math.round(median(results.get(`${c.id}/nginx`).map((r) => r.rps)) * RATE_SHARE);
      for (let round = 0; round < ROUNDS; round++)
        for (const t of round % 2 === 0 ? ['plane', 'nginx'] : ['nginx', 'plane']) {
          const r = await latencyAtRate(c.targets[t], { rate, seconds: SECONDS, connections: CONNECTIONS });
          atRate.set(`${c.id}/${t}`, [...(atRate.get(`${c.id}/${t}`) ?? []), { ...r, rate }]);
        }
    }

  // Two tracks at 90/10 against one pool, in the same rounds: the canary joins each gateway's pool
  // and each round measures every target at 100/0 and at 90/10 back to back (alternating which
  // goes first), so the cost of the split is not confused with the machine drifting between phases.
  // nginx's weighted upstream beside its single one is the peer's own cost of a split.
  for (const g of [gateway, plane]) await admin(g, 'POST', '/pools/ai/instances', { id: 'ai-canary', url: `http://127.0.0.1:${canaryPort}`, track: 'canary', version: 'v2' });
  const weigh = (g, canaryWeight) => admin(g, 'PUT', '/pools/ai/weights', { weights: { stable: 100 - canaryWeight, canary: canaryWeight } });
  const splitTargets = { ours: gateway, plane, ...(nginx ? { nginx: ng } : {}) };
  const measureSplit = async (t, base, split) => {
    const url = t === 'nginx' ? `${base}${split ? '/split' : ''}/api/ai/health` : `${base}/api/ai/health`;
    if (t !== 'nginx') await weigh(base, split ? 10 : 0);
    const r = await load(url);
    keep(`${split ? 'split' : 'solo'}/${t}`, { rps: r.requests.average, p99: r.latency.p99, bad: r.errors + r.non2xx + r.timeouts });
  };
  for (const [t, base] of Object.entries(splitTargets)) await measureSplit(t, base, true); // warm-up of the canary's connections, kept apart
  results.delete('split/ours');
  results.delete('split/plane');
  results.delete('split/nginx');
  for (let round = 0; round < ROUNDS; round++) {
    const names = Object.keys(splitTargets);
    for (const t of round % 2 === 0 ? names : [...names].reverse()) {
      const order = round % 2 === 0 ? [false, true] : [true, false];
      for (const split of order) await measureSplit(t, splitTargets[t], split);
    }
  }
  for (const g of [gateway, plane]) await weigh(g, 10);

  const uploads = { direct: `${direct.blob}/upload`, ours: `${gateway}/api/video/upload`, plane: `${plane}/api/video/upload`, nginx: `${ng}/api/video/upload` };
  const refused = { ours: await overLimitStatus(uploads.ours), plane: await overLimitStatus(uploads.plane), ...(nginx ? { nginx: await overLimitStatus(uploads.nginx) } : {}) };
  const upRates = new Map();
  // A round of 8 uploads takes under a second: one warm-up each (discarded), then twice the rounds,
  // else the first round's cold connections and the machine's moments decide the median.
  for (const t of Object.keys(uploads)) if (t !== 'nginx' || nginx !== null) await uploadRate(uploads[t]);
  for (let round = 0; round < UPLOAD_ROUNDS; round++) {
    const names = Object.keys(uploads).filter((t) => t !== 'nginx' || nginx !== null);
    for (const t of round % 2 === 0 ? names : [...names].reverse()) upRates.set(t, [...(upRates.get(t) ?? []), await uploadRate(uploads[t])]);
  }

  const med = (key, field) => median(results.get(key).map((r) => r[field]));
  const sumBad = (key) => results.get(key).reduce((n, r) => n + r.bad, 0);
  console.log(`${CONNECTIONS} connections, ${SECONDS} s per load, median of ${ROUNDS} alternating rounds; rate limits on (${SPREAD_CLIENTS} client addresses)`);
  for (const c of [...cases, { id: 'solo', title: 'GET /health, one pool (canary at weight 0), alternating with:' }, { id: 'split', title: 'GET /health, two tracks 90/10' }]) {
    console.log(c.title);
    for (const t of ['direct', 'ours', 'plane', 'nginx', 'nginx-8k']) {
      if (!results.has(`${c.id}/${t}`)) continue;
      const ratio = results.has(`${c.id}/nginx`) ? `  ${(med(`${c.id}/${t}`, 'rps') / med(`${c.id}/nginx`, 'rps')).toFixed(2)}× nginx` : '';
      console.log(
        `  ${t.padEnd(8)} ${Math.round(med(`${c.id}/${t}`, 'rps'))
          .toString()
          .padStart(6)} req/s  p99 ${String(med(`${c.id}/${t}`, 'p99')).padStart(3)} ms  non-2xx/errors ${sumBad(`${c.id}/${t}`)}${ratio}`,
      );
    }
  }
  for (const [key, rs] of atRate) {
    const us = (field) => Math.round(median(rs.map((r) => r[field])));
    console.log(`  at ${rs[0].rate} req/s offered, ${key.padEnd(12)} p50 ${us('p50Us')} µs  p99 ${us('p99Us')} µs  failed ${rs.reduce((n, r) => n + r.failed, 0)}`);
  }
  console.log(
    `streamed ${UPLOAD_MB} MB uploads (chunked, ${UPLOAD_CONCURRENCY} at a time, ${UPLOADS} per round, median of ${UPLOAD_ROUNDS} rounds after a warm-up); a declared 600 MB is refused: ours ${refused.ours}, plane ${refused.plane}, nginx ${refused.nginx ?? '-'}`,
  );
  for (const [t, rs] of upRates) console.log(`  ${t.padEnd(7)} ${Math.round(median(rs.map((r) => r.mbps)))} MB/s  failed ${rs.reduce((n, r) => n + r.failed, 0)}`);

  const baselineFrom = nginx ? {} : { baselineFrom: 'nginx not installed' };
  const nginxOf = (c, f) => (nginx ? med(`${c}/nginx`, f) : null);
  report({ name: 'GET /health: gateway vs nginx proxy_pass', ours: med('health/ours', 'rps'), baseline: nginxOf('health', 'rps'), unit: 'req/s', better: 'higher', ...baselineFrom });
  report({ name: 'GET /health p99: gateway vs nginx proxy_pass', ours: med('health/ours', 'p99'), baseline: nginxOf('health', 'p99'), unit: 'ms', better: 'lower', ...baselineFrom });
  report({ name: 'GET 64 KiB: gateway vs nginx proxy_pass', ours: med('blob/ours', 'rps'), baseline: nginxOf('blob', 'rps'), unit: 'req/s', better: 'higher', ...baselineFrom });
  report({ name: 'GET 64 KiB p99: gateway vs nginx proxy_pass', ours: med('blob/ours', 'p99'), baseline: nginxOf('blob', 'p99'), unit: 'ms', better: 'lower', ...baselineFrom });
  report({
    name: 'GET /health: gateway (nginx data plane) vs nginx proxy_pass',
    ours: med('health/plane', 'rps'),
    baseline: nginxOf('health', 'rps'),
    unit: 'req/s',
    better: 'higher',
    ...baselineFrom,
  });
  report({
    name: 'GET /health p99: gateway (nginx data plane) vs nginx proxy_pass',
    ours: med('health/plane', 'p99'),
    baseline: nginxOf('health', 'p99'),
    unit: 'ms',
    better: 'lower',
    ...baselineFrom,
  });
  report({ name: 'GET 64 KiB: gateway (nginx data plane) vs nginx proxy_pass', ours: med('blob/plane', 'rps'), baseline: nginxOf('blob', 'rps'), unit: 'req/s', better: 'higher', ...baselineFrom });
  report({ name: 'GET 64 KiB p99: gateway (nginx data plane) vs nginx proxy_pass', ours: med('blob/plane', 'p99'), baseline: nginxOf('blob', 'p99'), unit: 'ms', better: 'lower', ...baselineFrom });
  // nginx given the plane's buffers too: what of the plane's lead on 64 KiB is its configuration.
  const tuned = (f) => (nginx ? med('blob/nginx-8k', f) : null);
  const tunedName = "GET 64 KiB: gateway (nginx data plane) vs nginx proxy_pass with the plane's proxy buffers";
  report({ name: tunedName, ours: med('blob/plane', 'rps'), baseline: tuned('rps'), unit: 'req/s', better: 'higher', ...baselineFrom });
  report({ name: tunedName.replace('KiB', 'KiB p99'), ours: med('blob/plane', 'p99'), baseline: tuned('p99'), unit: 'ms', better: 'lower', ...baselineFrom });
  for (const c of cases) {
    if (!atRate.has(`${c.id}/plane`)) continue;
    const us = (t, field) => median(atRate.get(`${c.id}/${t}`).map((r) => r[field]));
    const label = c.id === 'health' ? 'GET /health' : 'GET 64 KiB';
    for (const [q, field] of [
      ['p50', 'p50Us'],
      ['p99', 'p99Us'],
    ])
      report({ name: `${label} ${q} at the same offered rate: gateway (nginx data plane) vs nginx proxy_pass`, ours: us('plane', field), baseline: us('nginx', field), unit: 'µs', better: 'lower' });
  }
  if (nginx) console.log(`nginx's own split: 90/10 upstream at ${(med('split/nginx', 'rps') / med('solo/nginx', 'rps')).toFixed(2)}× its single one`);
  report({ name: 'GET /health, two tracks 90/10 vs one pool (gateway, nginx data plane)', ours: med('split/plane', 'rps'), baseline: med('solo/plane', 'rps'), unit: 'req/s', better: 'higher' });
  report({ name: 'GET /health, two tracks 90/10 vs one pool (gateway)', ours: med('split/ours', 'rps'), baseline: med('solo/ours', 'rps'), unit: 'req/s', better: 'higher' });
  const upMedian = (t) => (upRates.has(t) ? median(upRates.get(t).map((r) => r.mbps)) : null);
  report({ name: `streamed ${UPLOAD_MB} MB upload: gateway vs nginx proxy_pass`, ours: upMedian('ours'), baseline: upMedian('nginx'), unit: 'MB/s', better: 'higher', ...baselineFrom });
  report({
    name: `streamed ${UPLOAD_MB} MB upload: gateway (nginx data plane) vs nginx proxy_pass`,
    ours: upMedian('plane'),
    baseline: upMedian('nginx'),
    unit: 'MB/s',
    better: 'higher',
    ...baselineFrom,
  });
  report({ name: 'GET /health: gateway vs direct to the service', ours: med('health/ours', 'rps'), baseline: med('health/direct', 'rps'), unit: 'req/s', better: 'higher' });
} finally {
  await Promise.all([stop(gw), stop(gwPlane), stop(ai), stop(canary), stop(blob), ...(nginx ? [stop(nginx)] : [])]);
  data.remove();
}
