// Shared bench helpers: iteration counts (full or quick), one way to report a figure beside its
// baseline, and pitchey roles started as child processes that are stopped however the bench ends.
import { spawn } from 'node:child_process';
import { createServer as createHttpServer, request } from 'node:http';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import { Pool } from 'undici';

export const CLI = new URL('../dist/cli/main.js', import.meta.url).pathname;
export const KEY = 'bench-key-0123456789abcdef0123456789';

/** BENCH_QUICK=1: a few iterations, seconds per script. Proves the bench still runs; its figures are not results. */
export const QUICK = process.env.BENCH_QUICK === '1';

/** An iteration count or duration: the environment's `name` when set, else the quick or the full default. */
export function setting(name, full, quick) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return QUICK ? quick : full;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name}=${raw}: want a positive number`);
  return n;
}

const BETTER = new Set(['lower', 'higher']);
const fmt = (v) => (v === null ? '-' : Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3));

/**
 * Reports one figure beside its baseline: prints a `figure` line and, when BENCH_JSON names a file
 * (run-all's sink), appends the figure to it as one JSON line. `baseline` is null when it could not
 * be measured; `baselineFrom` says where a baseline comes from (default: measured in the same run).
 */
export function report({ name, ours, baseline, unit, better, baselineFrom = 'measured in the same run' }) {
  if (!BETTER.has(better)) throw new Error(`report ${name}: better must be 'lower' or 'higher', not ${better}`);
  const ratio = baseline ? ours / baseline : null;
  console.log(`figure  ${name}: ours ${fmt(ours)} ${unit}, baseline ${fmt(baseline)} ${unit} (${baselineFrom}), ratio ${fmt(ratio)}, ${better} is better${QUICK ? ' [quick]' : ''}`);
  const sink = process.env.BENCH_JSON;
  if (sink) appendFileSync(sink, `${JSON.stringify({ script: basename(process.argv[1] ?? ''), name, ours, baseline, unit, better, ratio, baselineFrom, quick: QUICK })}\n`);
}

// Whatever ends the bench (an exception, a signal), the processes it started are told to stop and
// its temporary folders are removed: a bench that fails must not leave a server behind.
const children = new Map(); // child → killed as a process group (detached) or alone
const dirs = new Set();
process.once('exit', () => {
  for (const [child, group] of children) {
    try {
      if (group) process.kill(-child.pid, 'SIGTERM');
      else child.kill('SIGTERM');
    } catch {
      /* already gone */
    }
  }
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
])
  process.on(signal, () => process.exit(code));

/** Registers a child process to be stopped if the bench exits while it runs; returns it. */
export function track(child, { group = false } = {}) {
  children.set(child, group);
  child.once('exit', () => children.delete(child));
  return child;
}

export function tempDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.add(dir);
  return {
    dir,
    remove: () => {
      rmSync(dir, { recursive: true, force: true });
      dirs.delete(dir);
    },
  };
}

export function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Resolves once GET `${url}${path}` answers 200; `path` /health for a process that is up but not ready by design. */
export async function waitReady(url, timeoutMs = 60_000, path = '/ready') {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${url}${path}`)).status === 200) return;
    } catch {
      /* not up yet */
    }
    await sleep(50);
  }
  throw new Error(`${url}${path} not answering 200 after ${timeoutMs} ms`);
}

export function startRole(role, env) {
  return track(
    spawn(process.execPath, [CLI, 'serve', role], {
      env: { ...process.env, PITCHEY_LOG_LEVEL: 'warn', PITCHEY_API_KEYS: KEY, PITCHEY_RATE_LIMIT: 'false', ...env },
      stdio: ['ignore', 'ignore', 'inherit'],
    }),
  );
}

export function stop(proc) {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
    proc.once('exit', resolve);
    proc.kill('SIGTERM');
  });
}

const TICK_MS = 10; // USER_HZ = 100 on Linux
/** CPU ms of a process (all its threads) plus its reaped children, from /proc/<pid>/stat (utime stime cutime cstime). */
export function cpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * TICK_MS;
}

/**
 * POSTs fields and one file as multipart/form-data the way curl -F does: a fixed envelope around
 * the file's bytes with a Content-Length, so the figure is the service's and the wire's, not a
 * client library's encoder (undici's FormData adds ~8 ms to a 4 MB upload). Resolves with
 * { status, body: Buffer }.
 */
export function postMultipart(url, fields, file, headers = {}) {
  const boundary = `----pitchey-bench-${Math.random().toString(16).slice(2)}`;
  const part = (disposition, extra = '') => `--${boundary}\r\nContent-Disposition: form-data; ${disposition}\r\n${extra}\r\n`;
  const head = Buffer.from(
    Object.entries(fields)
      .map(([k, v]) => `${part(`name="${k}"`)}${v}\r\n`)
      .join('') + part(`name="${file.field ?? 'file'}"; filename="${file.name}"`, 'Content-Type: application/octet-stream\r\n'),
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const bytes = readFileSync(file.path);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', headers: { ...headers, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': head.length + bytes.length + tail.length } },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.write(head);
    req.write(bytes);
    req.end(tail);
  });
}

/** Nearest-rank percentile (p in 0..100) of unsorted values. */
export function percentile(values, p) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.max(0, Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1))];
}

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/**
 * Starts `pitchey up` in its own data dir and resolves with its gateway URL once ready (rate limits
 * off: one bench client stands for many). `prepare(dataDir)` runs first (files the platform reads at start).
 */
export async function startPlatform(env = {}, timeoutMs = 120_000, { prepare } = {}) {
  const data = tempDir('pitchey-bench-platform-');
  prepare?.(data.dir);
  const proc = track(
    spawn(process.execPath, [CLI, 'up'], {
      env: { ...process.env, PITCHEY_DATA_DIR: data.dir, PITCHEY_PORT: '0', PITCHEY_LOG_LEVEL: 'warn', PITCHEY_API_KEYS: KEY, PITCHEY_RATE_LIMIT: 'false', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    }),
  );
  const done = async () => {
    await stop(proc);
    data.remove();
  };
  let out = '';
  let timer;
  try {
    const gateway = await new Promise((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`pitchey up not ready in ${timeoutMs} ms:\n${out}`)), timeoutMs);
      proc.stderr.on('data', (c) => {
        out += c;
        const m = /ready in \d+ ms: gateway (\S+)/.exec(out);
        if (m) resolve(m[1]);
      });
      proc.once('exit', () => reject(new Error(`pitchey up exited:\n${out}`)));
    });
    return { gateway, dataDir: data.dir, stop: done };
  } catch (err) {
    await done();
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/** Calls the controller's admin API. */
export async function admin(gateway, method, path, body) {
  const res = await fetch(`${gateway}/_pitchey/admin${path}`, { method, headers: { 'x-api-key': KEY, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
  return res.json();
}

/** A steady load; every answer keeps its time, status and the version that served it. */
export function steadyLoad(url, ratePerSecond) {
  const answers = [];
  const pending = new Set();
  const timer = setInterval(() => {
    const p = fetch(url)
      .then(async (r) => {
        await r.arrayBuffer();
        answers.push({ at: performance.now(), status: r.status, version: r.headers.get('x-pitchey-version') });
      })
      .catch(() => answers.push({ at: performance.now(), status: 0, version: null }))
      .finally(() => pending.delete(p));
    pending.add(p);
  }, 1000 / ratePerSecond);
  return {
    answers,
    async stop() {
      clearInterval(timer);
      await Promise.all([...pending]);
      return answers;
    },
  };
}

const INSTANT_ANSWER = JSON.stringify({
  id: 'chatcmpl-bench',
  object: 'chat.completion',
  created: 1_700_000_000,
  model: 'bench-model',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Hello there.' }, finish_reason: 'stop', logprobs: null }],
  usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 },
});

/**
 * A local server speaking OpenAI's chat-completions protocol that answers every request at once:
 * the upstream the AI benches time directly and through the service. `url` ends in `/v1`.
 */
export async function startInstantOpenAi() {
  const server = createHttpServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(INSTANT_ANSWER));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}/v1`, close: () => server.close() };
}

/** Client addresses a load cycles through: at 20k req/s each sends ~2/s, under every rate-limit zone's rate. */
export const SPREAD_CLIENTS = 10_000;
let spreadClient = 0;

/** The next of SPREAD_CLIENTS addresses, for X-Forwarded-For from a trusted loopback peer. */
export function nextClient() {
  spreadClient = (spreadClient + 1) % SPREAD_CLIENTS;
  return `10.${(spreadClient >> 16) & 255}.${(spreadClient >> 8) & 255}.${spreadClient & 255}`;
}

/**
 * Latency at a fixed offered rate (open loop): `rate` GETs a second for `seconds`, each sent when
 * due whatever the earlier ones are doing, over at most `connections` keep-alive connections, with
 * client addresses spread as loadSpread's. Each latency runs from when its request was due (a late
 * send counts against the target, not hidden: no coordinated omission), in microseconds, unlike
 * autocannon's whole milliseconds. Closed-loop load (loadSpread) sets its own rate, so its p99
 * follows throughput; this compares targets at the same load.
 */
export async function latencyAtRate(url, { rate, seconds, connections = 32 }) {
  const u = new URL(url);
  const pool = new Pool(u.origin, { connections, pipelining: 1 });
  const total = Math.round(rate * seconds);
  const latencies = [];
  let failed = 0;
  const sent = [];
  const started = performance.now();
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const early = due - performance.now();
    if (early >= 1) await sleep(Math.floor(early));
    const headers = { 'x-forwarded-for': nextClient() };
    sent.push(
      pool.request({ path: u.pathname + u.search, method: 'GET', headers }).then(
        async (res) => {
          await res.body.dump();
          if (res.statusCode !== 200) failed++;
          else latencies.push((performance.now() - due) * 1000);
        },
        () => failed++,
      ),
    );
  }
  await Promise.all(sent);
  await pool.close();
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? null;
  return { p50Us: at(0.5), p99Us: at(0.99), failed, count: total };
}

/** autocannon on `url` for `seconds`, each request from the next spread client address. */
export function loadSpread(url, { connections, seconds }) {
  const setupRequest = (req) => ({ ...req, headers: { ...req.headers, 'x-forwarded-for': nextClient() } });
  return new Promise((resolve, reject) => {
    autocannon({ url, connections, duration: seconds, pipelining: 1, requests: [{ setupRequest }] }, (err, r) => (err ? reject(err) : resolve(r)));
  });
}

/**
 * A redis-server on a free loopback port, stopped with the bench; appendonly + fsync always (as the
 * README asks for a job store) unless `aof` is false. Resolves { child, url }.
 */
export async function startRedis(dir, { aof = true } = {}) {
  const port = await freePort();
  const durability = aof ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'];
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, ...durability, '--save', ''];
  const child = track(spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'inherit'] }));
  await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (out.includes('Ready to accept connections')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited ${code}: ${out}`)));
  });
  child.stdout.resume();
  return { child, url: `redis://127.0.0.1:${port}/0` };
}
