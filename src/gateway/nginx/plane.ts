// The nginx data plane (PITCHEY_DATA_PLANE=nginx), driven from the Node gateway: nginx carries
// the routes' bytes, and this side pushes it the pools (weights, stickiness, instances that take
// traffic) at once on a control's change, within 100 ms of any other, and at least once a
// second, with no reload; reads back each instance's requests in flight (for drains); and once a
// second reads nginx's per-track counts into the same stats and metrics the Node proxy records, so
// the controller judges nginx-carried traffic.
import { createHmac, randomBytes } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { dataPath, keyId, redisTcpTarget, statusClass, type ApiKey, type Config, type Metrics, type ServiceName } from '../../kit/index.js';
import { bucketValue } from '../latency-histogram.js';
import type { InstancePool, Track } from '../pool.js';
import { recordAnswer, type ProxyDeps } from '../proxy.js';
import { GATEWAY_STATE_PREFIX, sha1 } from '../redis-state.js';
import { GATEWAY_ROUTES } from '../routes.js';
import { RATE_SCRIPT, rateKey } from '../shared-rate-limit.js';
import { nginxConf } from './conf.js';
import { startNginx, type NginxProcess } from './process.js';

/** How often the pools are compared with what nginx has: a change not made through the controls (a health check's verdict) reaches nginx within this. */
const SYNC_MS = 100;
/**
 * How often they are pushed unchanged, which also refreshes nginx's in-flight counts for the
 * pool listings (a drain asks for its own). A push every 100 ms whatever changed cost the gateway
 * 15 ms of CPU a second, idle or not: as much again as all its other idle work.
 */
const REFRESH_MS = 1_000;
const STATS_MS = 1_000;
const LUA_DIR = fileURLToPath(new URL('./lua', import.meta.url));

export interface NginxPlane {
  /** The port nginx listens on: the gateway's public one. */
  port: number;
  /** Pushes the pools now and takes nginx's in-flight counts. */
  sync(): Promise<void>;
  /** Requests nginx has in flight to this instance, as of the last sync. */
  inflight(service: string, id: string): number;
  /** Reads nginx's counts of the seconds already over into the stats now (also done every second). */
  readStats(): Promise<void>;
  /** Reads the last counts, then stops nginx, letting what is in flight finish for up to `graceMs`. */
  close(graceMs: number): Promise<void>;
}

export interface NginxPlaneOptions {
  config: Config;
  pools: Map<ServiceName, InstancePool>;
  record: Pick<ProxyDeps, 'stats' | 'metrics'> & { metrics: Metrics };
  host: string;
  /** 0: any free port. */
  port: number;
  /** The Node gateway, on loopback. */
  nodePort: number;
  log: (line: string) => void;
  /**
   * Where each request nginx answers is logged, as the Node gateway logs one: the logger's fields
   * (pino's bindings) and the sink of its lines (whole, several at a time). Null: none is (a log
   * level above info).
   */
  requestLog: { bindings: Record<string, unknown>; write: (lines: string) => void } | null;
}

/** A free loopback port (for nginx, which cannot report the one the system chose). */
function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The address nginx connects to: its balancer takes IP addresses only. Names are looked up once. */
function createResolver(): (hostname: string) => string | null {
  const known = new Map<string, string | null>([['localhost', '127.0.0.1']]);
  return (hostname) => {
    const host = hostname.replace(/^\[(.*)\]$/, '$1');
    if (/^[\d.]+$/.test(host) || host.includes(':')) return host;
    if (!known.has(host)) {
      known.set(host, null);
      lookup(host, { family: 4 }).then(
        (a) => known.set(host, a.address),
        () => known.delete(host),
      );
    }
    return known.get(host) ?? null;
  };
}

const CLEAN = /^[^\t\n]*$/;

/**
 * What identifies an API key to pitchey_limits.lua: an HMAC of it under a pepper drawn at each
 * start, so the keys themselves never reach nginx; pushed over loopback with the pools.
 */
function keyLines(keys: readonly ApiKey[]): string[] {
  const pepper = randomBytes(32);
  const hmac = (key: string): string => createHmac('sha1', pepper).update(key).digest('base64');
  return [`pepper\t${pepper.toString('base64')}`, ...keys.map((k) => `key\t${hmac(k.key)}\t${keyId(k.key)}`)];
}

/**
 * Where pitchey_limits.lua counts shared rate limits (PITCHEY_GATEWAY_STATE with rate limits on):
 * the address, database and credentials, the buckets' key (a format of zone and client) and the script (by digest, and
 * whole for a Redis that has not loaded it). Pushed over loopback, never written to nginx's config.
 */
function redisLines(config: Pick<Config, 'gatewayState' | 'rateLimit'>): string[] {
  const target = config.rateLimit && config.gatewayState !== null ? redisTcpTarget(config.gatewayState) : null;
  if (target === null) return [];
  const b64 = (s: string): string => Buffer.from(s).toString('base64');
  return [['redis', target.host, target.port, target.db, b64(target.username), b64(target.password), rateKey(GATEWAY_STATE_PREFIX, '%s', '%s'), sha1(RATE_SCRIPT), b64(RATE_SCRIPT)].join('\t')];
}

/** The pools as pitchey.lua reads them (see its `parse`); https instances stay with the Node gateway. */
function stateText(pools: Iterable<InstancePool>, resolve: (host: string) => string | null, keys: readonly string[]): string {
  const lines: string[] = [...keys];
  for (const pool of pools) {
    const weights = Object.entries(pool.weights()).map(([t, w]) => `${t}=${String(w)}`);
    lines.push(['pool', pool.service, pool.sticky ? '1' : '0', weights.join(',')].join('\t'));
    for (const i of pool.list()) {
      const url = new URL(i.url);
      const ip = url.protocol === 'http:' ? resolve(url.hostname) : null;
      if (ip === null || !CLEAN.test(i.id) || !CLEAN.test(i.version)) continue;
      lines.push(['inst', pool.service, i.id, ip, url.port || '80', i.track, i.version, i.healthy && !i.draining ? '1' : '0'].join('\t'));
    }
  }
  return lines.join('\n');
}

/** One line of nginx's counts: second, route, instance, track, version, credentialed, status, method, latency bucket, count. */
function recordLine(line: string, record: NginxPlaneOptions['record']): void {
  const [second, routeIndex, id, track, version, credentialed, status, method, bucket, count] = line.split('\t');
  const route = GATEWAY_ROUTES[Number(routeIndex)];
  const n = Number(count);
  if (route === undefined || id === undefined || track === undefined || version === undefined || !(n > 0)) return;
  const answer = { status: Number(status), latencyMs: bucketValue(Number(bucket)), at: Number(second) * 1000 };
  const instance = { track: track as Track, version };
  const asked = { method: method ?? 'GET', credentialed: credentialed === '1' };
  for (let k = 0; k < n; k++) recordAnswer(record, route, instance, asked, answer);
  const labels = { service: route.service, track, version, upstream_instance: id, status_class: statusClass(answer.status) };
  record.metrics.upstreamRequests.inc(labels, n);
  for (let k = 0; k < n; k++) record.metrics.upstreamDuration.observe(labels, answer.latencyMs / 1000);
}

export async function startNginxPlane(o: NginxPlaneOptions): Promise<NginxPlane> {
  const controlPort = await freePort('127.0.0.1');
  const port = o.port === 0 ? await freePort(o.host) : o.port;
  const prefix = join(dataPath(o.config.dataDir, 'nginx'), String(port));
  const control = `http://127.0.0.1:${controlPort}`;
  const controlToken = randomBytes(16).toString('hex');
  const headers = { 'x-pitchey-control': controlToken };
  const resolve = createResolver();
  let inflight = new Map<string, number>();
  const keys = [...keyLines(o.config.apiKeys), ...redisLines(o.config)];

  let pushed = { state: '', at: -Infinity };
  const current = (): string => stateText(o.pools.values(), resolve, keys);
  const push = async (): Promise<void> => {
    const state = current();
    const res = await request(`${control}/state`, { method: 'POST', headers, body: state });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`nginx control answered ${res.statusCode}`);
    pushed = { state, at: performance.now() };
    inflight = new Map(
      text
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => {
          const [service, id, n] = l.split('\t');
          return [`${service ?? ''}\t${id ?? ''}`, Number(n)];
        }),
    );
  };
  // One push at a time; a change during one is pushed right after it.
  let running: Promise<void> | null = null;
  let again = false;
  const sync = (): Promise<void> => {
    if (running !== null) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await push();
      } while (again);
    })().finally(() => (running = null));
    return running;
  };
  const readStats = async (): Promise<void> => {
    const res = await request(`${control}/stats`, { headers });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`nginx control answered ${res.statusCode}`);
    for (const line of text.split('\n')) if (line !== '') recordLine(line, o.record);
  };

  const conf = nginxConf({
    prefix,
    luaDir: LUA_DIR,
    listenHost: o.host,
    listenPort: port,
    nodePort: o.nodePort,
    controlPort,
    controlToken,
    requestIdPrefix: randomBytes(4).toString('hex'),
    routes: GATEWAY_ROUTES,
    version: o.config.version,
    rateLimit: o.config.rateLimit,
    trustedProxies: o.config.trustedProxies ?? [],
    requestLog: o.requestLog?.bindings ?? null,
  });
  const nginx: NginxProcess = await startNginx({
    prefix,
    conf,
    log: (line) => o.log(`nginx: ${line}`),
    ...(o.requestLog ? { requestLog: o.requestLog.write } : {}),
    ready: () => push().then(() => true),
  });
  const warn = (what: string) => (err: unknown) => o.log(`nginx data plane: ${what} failed: ${err instanceof Error ? err.message : String(err)}`);
  const syncTimer = setInterval(() => {
    if (current() !== pushed.state || performance.now() - pushed.at >= REFRESH_MS) void sync().catch(warn('pushing the pools'));
  }, SYNC_MS);
  const statsTimer = setInterval(() => void readStats().catch(warn('reading the statistics')), STATS_MS);
  void nginx.exited.then((code) => {
    if (!closing) o.log(`nginx data plane: nginx exited (code ${String(code)}); the gateway port no longer answers`);
  });
  let closing = false;
  return {
    port,
    sync,
    inflight: (service, id) => inflight.get(`${service}\t${id}`) ?? 0,
    readStats,
    async close(graceMs) {
      closing = true;
      clearInterval(syncTimer);
      clearInterval(statsTimer);
      await readStats().catch(warn('reading the statistics'));
      await nginx.stop(graceMs);
    },
  };
}
