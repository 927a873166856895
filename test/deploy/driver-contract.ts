// Behaviour every Driver must show, wherever its instances run. A driver's test file calls
// runDriverContract with a factory that makes the driver with recording hooks and says how to
// crash an instance and how to count what the driver left running.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Driver, InstanceHandle } from '../../src/deploy/adapters/driver.js';
import { TEST_KEY, scrapeMetrics, until } from '../helpers.js';

export interface Recorded {
  up: Array<Pick<InstanceHandle, 'id' | 'track' | 'url' | 'pid'>>;
  down: string[];
}

export interface DriverFixture {
  driver: Driver;
  /** The hooks' calls, in order. */
  recorded: Recorded;
  /** A service and a version the driver can run. */
  service: string;
  version: string;
  /** A version present but not to be trusted (modified release folder, image whose signature fails). */
  untrustedVersion: string;
  /** Kills the instance as a crash would (SIGKILL to its process). */
  crash(handle: InstanceHandle): Promise<void>;
  /** What of this driver still runs on the machine (processes, containers). */
  leftovers(): Promise<string[]>;
  /** Removes what the fixture made (data dir, images); runs after `close`. */
  dispose(): Promise<void>;
}

/** The hooks a fixture gives its driver, and what they saw. */
export function makeRecorder(): { recorded: Recorded; onUp: (h: InstanceHandle) => void; onDown: (h: InstanceHandle) => void } {
  const recorded: Recorded = { up: [], down: [] };
  return {
    recorded,
    onUp: (h) => {
      recorded.up.push({ id: h.id, track: h.track, url: h.url, pid: h.pid });
    },
    onDown: (h) => {
      recorded.down.push(h.id);
    },
  };
}

const waitFor = <T>(what: string, fn: () => T | undefined | Promise<T | undefined>, timeoutMs: number): Promise<T> => until(what, fn, timeoutMs, 100);

/** /health's HTTP status (0: no answer) with the version and track it reports. */
async function health(url: string | null): Promise<{ code: number; version?: string; track?: string }> {
  if (url === null) return { code: 0 };
  try {
    const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) });
    const body = (await res.json()) as { version: string; track: string };
    return { code: res.status, version: body.version, track: body.track };
  } catch {
    return { code: 0 };
  }
}

const START_MS = 60_000;

export function runDriverContract(name: string, make: () => Promise<DriverFixture>, timeoutMs = 120_000): void {
  describe(`Driver contract: ${name}`, () => {
    let f: DriverFixture;
    let driver: Driver;

    beforeEach(async () => {
      f = await make();
      driver = f.driver;
    }, 600_000);
    afterEach(async () => {
      await driver.close(2_000);
      const left = await f.leftovers();
      await f.dispose();
      expect(left, 'left running after close').toEqual([]);
    }, 60_000);

    it(
      'starts instances that answer /health with their version and track, and lists them',
      async () => {
        const handles = await driver.start({ service: f.service, track: 'canary', version: f.version, count: 2, faults: null }, START_MS);
        expect(handles).toHaveLength(2);
        expect(new Set(handles.map((h) => h.url)).size).toBe(2);
        for (const h of handles) {
          expect(h).toMatchObject({ service: f.service, role: 'instance', track: 'canary', version: f.version });
          expect(await health(h.url)).toMatchObject({ code: 200, version: f.version, track: 'canary' });
          expect(h.pid).toBeGreaterThan(0);
        }
        expect(
          driver
            .list()
            .map((h) => h.id)
            .sort(),
        ).toEqual(handles.map((h) => h.id).sort());
        expect(f.recorded.up.map((u) => u.id).sort()).toEqual(handles.map((h) => h.id).sort());
        expect(f.recorded.down).toEqual([]);
      },
      timeoutMs,
    );

    it(
      'drains on stop: a request in flight is answered, then the instance is gone',
      async () => {
        const [h] = await driver.start({ service: f.service, track: 'stable', version: f.version, count: 1, faults: 'latencyMs=1500' }, START_MS);
        if (h?.url == null) throw new Error('no instance');
        const url = h.url;
        const inFlight = fetch(`${url}/queue/status`, { headers: { 'x-api-key': TEST_KEY } });
        await sleep(300);
        await driver.stop([h.id], 10_000);
        expect((await inFlight).status).toBe(200);
        expect(driver.list()).toEqual([]);
        expect(f.recorded.down).toEqual([h.id]);
        expect((await health(url)).code).toBe(0);
        await driver.stop([h.id], 1_000); // stopping again is a no-op
      },
      timeoutMs,
    );

    it(
      'retags without a restart and announces the new track',
      async () => {
        const [h] = await driver.start({ service: f.service, track: 'canary', version: f.version, count: 1, faults: null }, START_MS);
        if (h === undefined) throw new Error('no instance');
        const pid = h.pid;
        driver.retag(h.id, 'stable');
        expect(driver.list()[0]).toMatchObject({ id: h.id, track: 'stable', pid });
        expect(f.recorded.up.at(-1)).toMatchObject({ id: h.id, track: 'stable' });
        expect(f.recorded.down).toEqual([]);
        driver.retag('no-such-instance', 'stable');
      },
      timeoutMs,
    );

    it(
      'takes a crashed instance out (onDown) and back once it answers again (onUp)',
      async () => {
        const [h] = await driver.start({ service: f.service, track: 'stable', version: f.version, count: 1, faults: null }, START_MS);
        if (h === undefined) throw new Error('no instance');
        const before = h.pid;
        await f.crash(h);
        await waitFor('onDown after the crash', () => (f.recorded.down.includes(h.id) ? true : undefined), 20_000);
        await waitFor('onUp after the restart', () => (f.recorded.up.filter((u) => u.id === h.id).length >= 2 ? true : undefined), 60_000);
        const now = driver.list().find((x) => x.id === h.id);
        expect(now?.pid).not.toBe(before);
        expect(await health(now?.url ?? null)).toMatchObject({ code: 200, version: f.version });
      },
      timeoutMs,
    );

    it(
      'keeps the last lines each instance wrote',
      async () => {
        const [h] = await driver.start({ service: f.service, track: 'stable', version: f.version, count: 1, faults: null }, START_MS);
        if (h?.url == null) throw new Error('no instance');
        await fetch(`${h.url}/no-such-route-for-the-log`);
        const logs = await waitFor(
          'the request in the logs',
          async () => {
            const got = await driver.logs(f.service, 50);
            return got[0]?.lines.some((l) => l.includes('no-such-route-for-the-log')) ? got : undefined;
          },
          10_000,
        );
        expect(logs).toHaveLength(1);
        expect(logs[0]).toMatchObject({ id: h.id, version: f.version, track: 'stable' });
        expect((await driver.logs(f.service, 2))[0]?.lines.length).toBeLessThanOrEqual(2);
        expect(await driver.logs('no-such-service', 10)).toEqual([]);
        // A follower (`pitchey logs -f`) asks from its cursor: it gets what came next, and nothing again.
        const after = { [h.id]: logs[0]!.cursor };
        await fetch(`${h.url}/no-such-route-after-the-cursor`);
        const next = await waitFor(
          'the next request after the cursor',
          async () => {
            const got = await driver.logs(f.service, 50, after);
            return got[0]?.lines.some((l) => l.includes('no-such-route-after-the-cursor')) ? got : undefined;
          },
          10_000,
        );
        // No line twice (each carries its own time and request id); the first request's later lines
        // (its 404 message) may come after the cursor, and are then rightly in this answer.
        expect(next[0]!.lines.filter((l) => logs[0]!.lines.includes(l))).toEqual([]);
        const third = await driver.logs(f.service, 50, { [h.id]: next[0]!.cursor });
        expect(third[0]!.lines.filter((l) => next[0]!.lines.includes(l) || logs[0]!.lines.includes(l))).toEqual([]);
      },
      timeoutMs,
    );

    it(
      'starts a worker (`pitchey worker`): up once its runner started, its address serving /metrics to the metrics scope, never routed; retagged and stopped like an instance',
      async () => {
        const [w] = await driver.start({ service: f.service, role: 'worker', track: 'canary', version: f.version, count: 1, faults: null }, START_MS);
        if (w?.url == null) throw new Error('no worker, or one with no address');
        expect(w).toMatchObject({ service: f.service, role: 'worker', track: 'canary', version: f.version });
        expect(w.pid).toBeGreaterThan(0);
        const url = w.url;
        expect(await health(url)).toMatchObject({ code: 200, version: f.version, track: 'canary' });
        expect(await scrapeMetrics(url, TEST_KEY)).toMatchObject({ status: 200, text: expect.stringContaining('pitchey_jobs_settled_total') });
        expect((await scrapeMetrics(url)).status).toBe(401);
        driver.retag(w.id, 'stable');
        expect(driver.list()).toEqual([expect.objectContaining({ id: w.id, role: 'worker', track: 'stable' })]);
        const logs = await driver.logs(f.service, 50);
        expect(logs[0]).toMatchObject({ id: w.id, track: 'stable' });
        expect(logs[0]?.lines.some((l) => l.includes('worker started'))).toBe(true);
        await driver.stop([w.id], 5_000);
        expect(driver.list()).toEqual([]);
        expect(f.recorded.up).toEqual([]);
        expect(f.recorded.down).toEqual([]);
        expect((await health(url)).code).toBe(0);
      },
      timeoutMs,
    );

    it(
      'resolves what it can run, and says which versions are missing or refused',
      async () => {
        expect(await driver.resolve(f.service, f.version)).toMatchObject({ status: 'ok' });
        expect(await driver.resolve(f.service, 'no-such-version')).toMatchObject({ status: 'missing' });
        const refused = await driver.resolve(f.service, f.untrustedVersion);
        expect(refused.status).toBe('refused');
        await expect(driver.start({ service: f.service, track: 'canary', version: f.untrustedVersion, count: 1, faults: null }, START_MS)).rejects.toThrow(/refused|modified|signature/);
        expect(driver.list()).toEqual([]);
        expect((await driver.releases()).map((r) => r.version)).toContain(f.untrustedVersion);
      },
      timeoutMs,
    );

    it(
      'closes with nothing left running',
      async () => {
        await driver.start({ service: f.service, track: 'stable', version: f.version, count: 2, faults: null }, START_MS);
        await driver.close(5_000);
        expect(driver.list()).toEqual([]);
        expect(await f.leftovers()).toEqual([]);
      },
      timeoutMs,
    );
  });
}
