// Gateway requests/s and p99 with one pool vs two tracks at 90/10 (stable v1, canary v2), in one run.
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import { KEY, freePort, report, setting, startRole, stop, tempDir, waitReady } from './lib.mjs';

const DURATION = setting('BENCH_SECONDS', 10, 1);
const load = (url) => new Promise((resolve, reject) => autocannon({ url, connections: 32, duration: DURATION }, (e, r) => (e ? reject(e) : resolve(r))));
const adminCall = (gw, method, path, body) =>
  fetch(`${gw}/_pitchey/admin${path}`, { method, headers: { 'x-api-key': KEY, 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json());

const data = tempDir('pitchey-bench-tracks-');
const [p1, p2, pg] = await Promise.all([freePort(), freePort(), freePort()]);
const s1 = startRole('ai', { PITCHEY_DATA_DIR: data.dir, PITCHEY_PORT: String(p1), PITCHEY_RATE_LIMIT: 'false', PITCHEY_VERSION: 'v1' });
const s2 = startRole('ai', { PITCHEY_DATA_DIR: data.dir, PITCHEY_PORT: String(p2), PITCHEY_RATE_LIMIT: 'false', PITCHEY_VERSION: 'v2', PITCHEY_TRACK: 'canary' });
// The Node gateway's own proxy (the default, auto, would put nginx in front where it is installed).
const gw = startRole('gateway', { PITCHEY_DATA_DIR: data.dir, PITCHEY_PORT: String(pg), PITCHEY_RATE_LIMIT: 'false', PITCHEY_UPSTREAMS: `ai=http://127.0.0.1:${p1}`, PITCHEY_DATA_PLANE: 'node' });
const gateway = `http://127.0.0.1:${pg}`;
try {
  await Promise.all([waitReady(`http://127.0.0.1:${p1}`), waitReady(`http://127.0.0.1:${p2}`)]);
  await waitReady(`${gateway}/api/ai`, 60_000, '/health'); // routing: its health check has seen the instance
  const url = `${gateway}/api/ai/health`;
  await load(url);
  const single = await load(url);
  await adminCall(gateway, 'POST', '/pools/ai/instances', { id: 'ai-canary', url: `http://127.0.0.1:${p2}`, track: 'canary', version: 'v2' });
  await adminCall(gateway, 'PUT', '/pools/ai/weights', { weights: { stable: 90, canary: 10 } });
  await sleep(2500); // a health check (every 2 s) sees the canary
  await load(url);
  const split = await load(url);
  console.log(`gateway GET /health, 32 connections, ${DURATION} s each`);
  console.log(`single pool (1 instance):      ${Math.round(single.requests.average)} req/s  p99 ${single.latency.p99} ms  errors ${single.errors + single.non2xx}`);
  console.log(
    `two tracks 90/10 (2 instances): ${Math.round(split.requests.average)} req/s  p99 ${split.latency.p99} ms  errors ${split.errors + split.non2xx}  (${(split.requests.average / single.requests.average).toFixed(2)}× single)`,
  );
  report({ name: 'gateway GET /health, two tracks 90/10 vs one pool', ours: split.requests.average, baseline: single.requests.average, unit: 'req/s', better: 'higher' });
} finally {
  await Promise.all([stop(gw), stop(s1), stop(s2)]);
  data.remove();
}
