// Two `pitchey serve gateway` processes (the built CLI) sharing one real redis-server through
// PITCHEY_GATEWAY_STATE, in front of one upstream: the checks of test/gateway/shared-state.test.ts
// over separate processes, as replicas behind one address run, on the nginx data plane and mixed.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtFile } from '../support/build.js';
import { killIfRunning } from '../support/processes.js';
import { startRedis, type RedisServer } from '../support/redis.js';
import { TEST_KEY, freePort, makeTempDir, until } from '../helpers.js';
import { expectOneRateLimit, instanceFollows, instanceGone, summedStats, weightsFollow } from '../gateway/replica-checks.js';
import { startUpstream, type Upstream } from '../gateway/upstream.js';

const CLI = builtFile('cli/main.js').pathname;
const tmp = makeTempDir();
let upstream: Upstream;

interface Replica {
  base: string;
  child: ChildProcess;
  /** What it has logged so far (warnings and up: the log level is warn). */
  log: () => string;
}

async function serveGateway(redisUrl: string, plane: 'node' | 'nginx'): Promise<Replica> {
  const port = await freePort();
  const env = {
    PATH: process.env.PATH ?? '',
    PITCHEY_ENV: 'test',
    PITCHEY_DATA_DIR: tmp.dir,
    PITCHEY_LOG_LEVEL: 'warn',
    PITCHEY_API_KEYS: TEST_KEY,
    PITCHEY_JWT_SECRET: 'jwt-secret-for-tests-0123456789abcdef',
    PITCHEY_PORT: String(port),
    PITCHEY_UPSTREAMS: `video=${upstream.url},media=${upstream.url}`,
    PITCHEY_GATEWAY_STATE: redisUrl,
    PITCHEY_RATE_LIMIT: 'true',
    PITCHEY_DATA_PLANE: plane,
  };
  const child = spawn(process.execPath, [CLI, 'serve', 'gateway'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const base = `http://127.0.0.1:${port}`;
  await until(
    'the gateway to listen',
    () =>
      fetch(`${base}/health`).then(
        (r) => (r.ok ? true : undefined),
        () => undefined,
      ),
    20_000,
    100,
  );
  return { base, child, log: () => out };
}

function stopGateway(child: ChildProcess): Promise<void> {
  return new Promise<void>((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    child.once('exit', () => done());
    child.kill('SIGTERM');
    setTimeout(() => killIfRunning(child.pid), 10_000).unref();
  });
}

beforeAll(async () => {
  upstream = await startUpstream(tmp.dir, 'only', 'v1');
});
afterAll(async () => {
  await upstream.close();
  tmp.remove();
});

// Two nginx planes on a Redis that wants a password, in database 2 (the Lua's AUTH and SELECT);
// and a Node plane beside an nginx one: the same buckets, keys and script on either plane.
describe.each([
  { name: 'both on the nginx plane, Redis with a password, database 2', planes: ['nginx', 'nginx'] as const, password: 'p@ss word', db: 2 },
  { name: 'one on each plane', planes: ['node', 'nginx'] as const, password: undefined, db: 0 },
])('two gateway processes on one Redis, $name', ({ planes, password, db }) => {
  let redis: RedisServer;
  const replicas: Replica[] = [];
  const bases: string[] = [];
  beforeAll(async () => {
    redis = await startRedis({ aof: false, ...(password === undefined ? {} : { password }) });
    const url = redis.url.replace(/\/0$/, `/${db}`);
    replicas.push(...(await Promise.all(planes.map((plane) => serveGateway(url, plane)))));
    bases.push(...replicas.map((r) => r.base));
  });
  afterAll(async () => {
    await Promise.all(replicas.map((r) => stopGateway(r.child)));
    await redis.stop();
  });

  it('sum their traffic in either admin view', async () => {
    for (let i = 0; i < 5; i++) await fetch(`${bases[i % 2] ?? ''}/api/video/${i === 4 ? 'boom' : 'who'}`);
    for (const view of await summedStats(bases, 5)) expect(view.tracks.stable).toMatchObject({ version: expect.any(String) as string, requests: 5, errors: 1 });
  });

  it('apply weights set through one on the other', async () => {
    console.log(`weights applied on the other process after ${await weightsFollow(bases[1] ?? '', bases[0] ?? '', { stable: 60, canary: 40 })} ms`);
  });

  it('count one rate limit', async () => {
    await expectOneRateLimit(bases);
  });

  it('answer through one with an instance added through the other’s admin API, until it is removed there', async () => {
    const extra = await startUpstream(tmp.dir, 'extra', 'v2');
    try {
      console.log(
        `instance added through one process answered through the other after ${await instanceFollows(bases[0] ?? '', bases[1] ?? '', { id: 'video-extra', url: extra.url, name: 'extra' })} ms`,
      );
      await instanceGone(bases[0] ?? '', bases[1] ?? '', 'video-extra');
    } finally {
      await extra.close();
    }
  });

  // Last: Redis goes. The nginx replica keeps answering and counts its limits alone (its own
  // bucket, untouched so far), and says so; as the Node plane does (test/gateway/shared-state.test.ts).
  it('keep answering with Redis gone, the nginx replica counting limits alone and saying so', async () => {
    const nginx = replicas[planes.indexOf('nginx')]!;
    await redis.stop();
    await expectOneRateLimit([nginx.base]);
    await until('the fallback in the log', () => (nginx.log().includes('rate limits are counted by this gateway replica alone until Redis answers') ? true : undefined), 5_000);
    expect(nginx.log()).not.toContain(password ?? 'no password');
  });
});
