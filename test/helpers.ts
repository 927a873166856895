// Shared test setup: a validated config over a fresh temp data dir, removed after the test; cleanups
// run after each test; polling until a condition holds.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach } from 'vitest';
import { loadConfig, type Config } from '../src/kit/index.js';

export const TEST_KEY = 'test-key-0123456789abcdef';
export const VIDEO_ONLY_KEY = 'video-key-0123456789abcdef';

/** `GET <url>/metrics` with `key` as a bearer token (none: anonymous): the status and the exposition. */
export async function scrapeMetrics(url: string, key?: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`${url}/metrics`, key === undefined ? {} : { headers: { authorization: `Bearer ${key}` } });
  return { status: res.status, text: await res.text() };
}

/** A port free on loopback now (the caller binds it next; another process could take it first). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

export function makeTempDir(prefix = 'pitchey-test-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function testConfig(dataDir: string, env: Record<string, string> = {}): Config {
  return loadConfig({
    PITCHEY_ENV: 'test',
    PITCHEY_DATA_DIR: dataDir,
    PITCHEY_LOG_LEVEL: 'silent',
    PITCHEY_API_KEYS: `${TEST_KEY},${VIDEO_ONLY_KEY}:video`,
    PITCHEY_JWT_SECRET: 'jwt-secret-for-tests-0123456789abcdef',
    // Unreachable instances answer at once unless a test is about the gateway's wait for one.
    PITCHEY_GATEWAY_WAIT_MS: '0',
    // In-process tests change the pools directly: the Node gateway carries their requests at once,
    // where nginx would see a change only once it is pushed. A test about nginx names it.
    PITCHEY_DATA_PLANE: 'node',
    ...env,
  });
}

/** What a test started, to be undone after it, last first. */
export type Cleanups = Array<() => Promise<void> | void>;

/** A file's cleanups, run after each of its tests (call once, at the top of the file). */
export function cleanupsAfterEach(): Cleanups {
  const cleanups: Cleanups = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return cleanups;
}

/** Polls `probe` every `everyMs` until it gives a value; throws naming `what` after `maxMs`. */
export async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, maxMs: number, everyMs = 20): Promise<T> {
  const deadline = Date.now() + maxMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}
