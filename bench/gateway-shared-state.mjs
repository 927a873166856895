// What sharing a gateway's state in Redis (PITCHEY_GATEWAY_STATE) costs a proxied request, beside
// the same gateway keeping it in memory, in one run: GET /health of an ai instance under load with
// rate limits on (each request runs the limiter: in memory, or one Lua script round trip to Redis)
// and per-track stats recorded (in memory either way; the shared one is flushed once a second).
// Client addresses are spread so no client reaches its limit. Targets alternate round by round and
// each figure is the median of the rounds. Both data planes: the Node gateway's own proxy, and
// nginx's (whose Lua runs the same script in Redis), each beside itself with its state in memory.
import { SPREAD_CLIENTS, freePort, loadSpread, median, report, setting, startRedis, startRole, tempDir, waitReady } from './lib.mjs';

const SECONDS = setting('BENCH_SECONDS', 5, 1);
const ROUNDS = setting('BENCH_ROUNDS', 3, 1);
const CONNECTIONS = 32;

const load = (url) => loadSpread(url, { connections: CONNECTIONS, seconds: SECONDS });

const data = tempDir('pitchey-bench-gwstate-');
const [aiPort, memPort, sharedPort, planeMemPort, planeSharedPort] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
const { url: redisUrl } = await startRedis(data.dir, { aof: false });
startRole('ai', { PITCHEY_DATA_DIR: data.dir, PITCHEY_PORT: String(aiPort) });
const gateway = (port, extra) =>
  startRole('gateway', {
    PITCHEY_DATA_DIR: data.dir,
    PITCHEY_PORT: String(port),
    PITCHEY_RATE_LIMIT: 'true',
    PITCHEY_TRUSTED_PROXIES: '127.0.0.1',
    PITCHEY_UPSTREAMS: `ai=http://127.0.0.1:${aiPort}`,
    ...extra,
  });
gateway(memPort, { PITCHEY_DATA_PLANE: 'node' });
gateway(sharedPort, { PITCHEY_DATA_PLANE: 'node', PITCHEY_GATEWAY_STATE: redisUrl });
gateway(planeMemPort, { PITCHEY_DATA_PLANE: 'nginx' });
gateway(planeSharedPort, { PITCHEY_DATA_PLANE: 'nginx', PITCHEY_GATEWAY_STATE: redisUrl });
const at = (port) => `http://127.0.0.1:${port}/api/ai/health`;
const targets = { memory: at(memPort), shared: at(sharedPort), 'plane memory': at(planeMemPort), 'plane shared': at(planeSharedPort) };
await waitReady(`http://127.0.0.1:${aiPort}`);
for (const url of Object.values(targets)) await waitReady(url.replace(/\/health$/, ''), 60_000, '/health');

const results = Object.fromEntries(Object.keys(targets).map((name) => [name, []]));
for (const url of Object.values(targets)) await load(url); // warm-up, discarded
for (let round = 0; round < ROUNDS; round++) {
  const names = round % 2 === 0 ? Object.keys(targets) : Object.keys(targets).reverse();
  for (const name of names) {
    const r = await load(targets[name]);
    results[name].push({ rps: r.requests.average, p99: r.latency.p99, bad: r.errors + r.non2xx + r.timeouts });
  }
}
const med = (name, field) => median(results[name].map((r) => r[field]));
console.log(`${CONNECTIONS} connections, ${SECONDS} s per load, median of ${ROUNDS} alternating rounds; rate limits on (${SPREAD_CLIENTS} client addresses)`);
for (const name of Object.keys(targets)) {
  const bad = results[name].reduce((n, r) => n + r.bad, 0);
  console.log(`  ${name.padEnd(12)} ${Math.round(med(name, 'rps')).toString().padStart(6)} req/s  p99 ${med(name, 'p99')} ms  non-2xx/errors ${bad}`);
}
report({
  name: 'gateway req/s, state shared in Redis',
  ours: med('shared', 'rps'),
  baseline: med('memory', 'rps'),
  unit: 'req/s',
  better: 'higher',
  baselineFrom: 'the same gateway with its state in memory, same run',
});
report({
  name: 'gateway p99, state shared in Redis',
  ours: med('shared', 'p99'),
  baseline: med('memory', 'p99'),
  unit: 'ms',
  better: 'lower',
  baselineFrom: 'the same gateway with its state in memory, same run',
});
report({
  name: 'gateway req/s, state shared in Redis (nginx data plane)',
  ours: med('plane shared', 'rps'),
  baseline: med('plane memory', 'rps'),
  unit: 'req/s',
  better: 'higher',
  baselineFrom: 'the same nginx plane with its state in memory, same run',
});
report({
  name: 'gateway p99, state shared in Redis (nginx data plane)',
  ours: med('plane shared', 'p99'),
  baseline: med('plane memory', 'p99'),
  unit: 'ms',
  better: 'lower',
  baselineFrom: 'the same nginx plane with its state in memory, same run',
});
report({
  name: 'replicated gateway req/s: nginx data plane vs Node proxy, both sharing state in Redis',
  ours: med('plane shared', 'rps'),
  baseline: med('shared', 'rps'),
  unit: 'req/s',
  better: 'higher',
  baselineFrom: 'the Node gateway sharing the same Redis, same run',
});
process.exit(0);
