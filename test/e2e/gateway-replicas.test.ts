// Two `pitchey serve gateway` processes (the built CLI) sharing one real redis-server through
// PITCHEY_GATEWAY_STATE, in front of one upstream: the checks of test/gateway/shared-state.test.ts
// over separate processes, as replicas behind one address run.
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
let redis: RedisServer;
let upstream: Upstream;
const children: ChildProcess[] = [];
const bases: string[] = [];

async function serveGateway(): Promise<string> {
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
    PITCHEY_GATEWAY_STATE: redis.url,
    PITCHEY_RATE_LIMIT: 'true',
  };
  const child = spawn(process.execPath, [CLI, 'serve', 'gateway'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  children.push(child);
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
  return base;
}

beforeAll(async () => {
  [redis, upstream] = await Promise.all([startRedis({ aof: false }), startUpstream(tmp.dir, 'only', 'v1')]);
  bases.push(...(await Promise.all([serveGateway(), serveGateway()])));
});
afterAll(async () => {
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((done) => {
          if (child.exitCode !== null || child.signalCode !== null) return done();
          child.once('exit', () => done());
          child.kill('SIGTERM');
          setTimeout(() => killIfRunning(child.pid), 10_000).unref();
        }),
    ),
  );
  await Promise.all([upstream.close(), redis.stop()]);
  tmp.remove();
});

describe('two gateway processes on one Redis', () => {
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
});
