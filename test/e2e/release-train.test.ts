// A platform release (release train) end to end: two services as one release. With a genuinely
// broken build (AI's /models fails every fourth request) the AI canary rolls back and the train
// rolls the media service back with it; a good release waits for every canary, then promotes both
// together. The good one runs through the built CLI (`pitchey deploy all`) as an operator would. A
// release whose controller is SIGKILLed while one member is held resumes as a whole: the held member
// stays held until the other's canary passed again, then both promote together.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReleaseRecord, ReleaseSummary } from '../../src/deploy/admin-api.js';
import { renderReleaseMarkdown } from '../../src/deploy/record-render.js';
import { buildRelease } from '../../src/deploy/releases.js';
import { TEST_KEY } from '../helpers.js';
import { brokenProject } from '../support/broken-build.js';
import { startLoad, type Load } from './load.js';
import { ADMIN_HEADERS as admin, CLI, alive, exited, readInstances, startUp, waitFor, type UpProcess } from './platform.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const ENV = { PITCHEY_VERSION: 'v1', PITCHEY_ANALYSIS_INTERVAL_MS: '250', PITCHEY_ANALYSIS_WINDOW_MS: '3000', PITCHEY_DRAIN_TIMEOUT_MS: '1000' };
const cleanups: Array<() => void> = [];
let up: UpProcess;

async function call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> {
  const res = await fetch(`${up.gateway}/_pitchey/admin${path}`, { method, headers: admin, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: res.status, json: (await res.json()) as T };
}

/**
 * Starts a release of AI then media; resolves its id once the media canary (the second wave) has
 * started: the train starts it only once AI's promotion is held, and AI stays held until media's
 * canary has passed. Fails at once, with the release, if it ended.
 */
async function startTwoWaves(version: string): Promise<string> {
  const started = await call<ReleaseSummary>('POST', '/release-trains', { version, strategy: 'canary', steps: [50, 100], stepMs: 1500, warmupMs: 5000, order: [['ai'], ['media']] });
  expect(started.status, JSON.stringify(started.json)).toBe(201);
  const id = started.json.id;
  await waitFor('ai held and media started', async () => {
    const r = (await call<ReleaseSummary>('GET', `/release-trains/${id}`)).json;
    if (!r.live) throw new Error(`release ${id} ended: ${JSON.stringify(r)}`);
    const [ai, media] = r.members;
    return ai?.deployment?.phase === 'progressing' && media?.deployment != null ? true : undefined;
  });
  return id;
}

/**
 * The release once it ended: no longer live, and not left running (a restarted controller takes it
 * up). Bounded at 2 minutes: a few seconds of canaries, but on 2 cores shared with other suites.
 */
const ended = (id: string): Promise<ReleaseSummary> =>
  waitFor(
    `release ${id} to end`,
    async () => {
      const r = (await call<ReleaseSummary>('GET', `/release-trains/${id}`)).json;
      return r.live || r.phase === 'running' ? undefined : r;
    },
    120_000,
  );

/** The built CLI against this platform, as alice, with --json. */
async function cli(...args: string[]): Promise<{ status: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, [CLI, ...args, '--gateway', up.gateway, '--as', 'alice', '--json'], { env: { ...up.env, PITCHEY_ADMIN_KEY: TEST_KEY } });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  return { status: await exited(child), out, err };
}

/** Analysis needs traffic on both members (no data is never a pass). */
const loads = (): Load[] => [startLoad(`${up.gateway}/api/ai/models`, 40), startLoad(`${up.gateway}/api/media/quality-presets`, 40)];
const stopAll = (l: Load[]) => Promise.all(l.map((x) => x.stop()));
const currentVersion = async (path: string): Promise<string | null> => (await fetch(`${up.gateway}${path}`)).headers.get('x-pitchey-version');
/** `version` on both members, as the gateway answers. */
const onBoth = async (version: string): Promise<boolean> =>
  waitFor(`${version} on both`, async () => ((await currentVersion('/api/ai/models')) === version && (await currentVersion('/api/media/quality-presets')) === version ? true : undefined), 10_000);

beforeAll(async () => {
  up = await startUp({ env: ENV });
  cleanups.push(up.remove);
  const broken = brokenProject();
  cleanups.push(broken.remove);
  buildRelease({ projectRoot: broken.root, releasesDir: join(up.dataDir, 'releases'), version: 'v2-broken' });
  for (const version of ['v2', 'v3']) buildRelease({ projectRoot: ROOT, releasesDir: join(up.dataDir, 'releases'), version });
}, 180_000);
afterAll(() => {
  while (cleanups.length > 0) cleanups.pop()?.();
});

describe('a release of two services', () => {
  it('refuses an order naming an unknown service, before anything moves', async () => {
    const r = await call<{ code: string; detail: string }>('POST', '/release-trains', { version: 'v2', strategy: 'canary', order: [['ai', 'nope']] });
    expect(r.status).toBe(422);
    expect(r.json.code).toBe('DEPLOY_INVALID');
    expect(r.json.detail).toContain('"nope"');
  });

  it('rolls both back when one has a broken build', async () => {
    const load = loads();
    const started = await call<ReleaseSummary>('POST', '/release-trains', { version: 'v2-broken', strategy: 'canary', steps: [50, 100], stepMs: 2000, warmupMs: 5000, order: [['ai', 'media']] });
    expect(started.status, JSON.stringify(started.json)).toBe(201);
    const end = await ended(started.json.id);
    await stopAll(load);
    expect(end.phase, end.reason ?? '').toBe('rolled-back');
    expect(end.failure).toMatch(/^ai /);
    const media = end.members.find((m) => m.service === 'media')!;
    expect(media.asked).toBe('abort');
    expect(media.deployment?.phase).toBe('rolled-back');
    expect(media.deployment?.reason).toContain(`release ${end.id} rolled back`);
    expect(end.members.find((m) => m.service === 'ai')?.deployment?.phase).toBe('rolled-back');
    expect(await currentVersion('/api/ai/models')).toBe('v1');
    expect(await currentVersion('/api/media/quality-presets')).toBe('v1');
    const lock = await call<{ lock: unknown }>('GET', '/lock');
    expect(lock.json.lock).toBeNull();
  }, 180_000);

  it('promotes both together once every canary passed, through `pitchey deploy all`', async () => {
    const load = loads();
    const { status, out, err } = await cli('deploy', 'all', '--version', 'v2', '--order', 'ai;media', '--steps', '50,100', '--step-ms', '1500', '--warmup-ms', '5000');
    expect(status, err).toBe(0);
    await stopAll(load);
    const end = JSON.parse(out) as ReleaseSummary;
    expect(end.phase, end.reason ?? '').toBe('promoted');
    expect(end.waves).toEqual([['ai'], ['media']]);
    expect(end.members.map((m) => m.deployment?.phase)).toEqual(['promoted', 'promoted']);

    // The first wave's AI waited for the media canary: its promotion comes after the release let both go.
    const record = (await call<ReleaseRecord>('GET', `/release-trains/${end.id}/record`)).json;
    const kinds = record.events.map((e) => e.kind);
    expect(kinds).toEqual(['release.started', 'release.wave', 'release.wave', 'release.promote', 'release.promoted']);
    const promoteAt = record.events.find((e) => e.kind === 'release.promote')!.at;
    const mediaWaveAt = record.events.filter((e) => e.kind === 'release.wave')[1]!.at;
    const ai = record.sections.find((s) => s.service === 'ai')!.record!;
    expect(ai.timeline.some((t) => t.summary.includes(`held for release ${end.id}`))).toBe(true);
    expect(Date.parse(ai.endedAt!)).toBeGreaterThanOrEqual(promoteAt);
    expect(promoteAt).toBeGreaterThan(mediaWaveAt);
    const md = renderReleaseMarkdown(record);
    expect(md).toContain(`# Platform release record ${end.id}`);
    expect(md).toMatch(/^## ai$/m);
    expect(md).toMatch(/^## media$/m);
    expect(await onBoth('v2')).toBe(true);
  }, 180_000);

  it('resumes as a whole after a SIGKILL while one member is held: still held, then both promote together', async () => {
    let load = loads();
    // Killed once AI's promotion is held and the media canary has started (it needs ≥ 8 s more).
    const id = await startTwoWaves('v3');
    const pids = readInstances(up.dataDir).map((i) => i.pid);
    await stopAll(load);
    up.proc.kill('SIGKILL');
    await exited(up.proc);
    await waitFor('the instances to exit', () => (pids.some(alive) ? undefined : true), 15_000).catch(() => {
      for (const pid of pids.filter(alive)) process.kill(pid, 'SIGKILL');
    });
    up = await startUp({ dataDir: up.dataDir, env: ENV });
    cleanups.push(up.remove);
    load = loads();
    const end = await ended(id);
    await stopAll(load);
    expect(end.phase, end.reason ?? '').toBe('promoted');
    const record = (await call<ReleaseRecord>('GET', `/release-trains/${id}/record`)).json;
    const recovered = record.events.find((e) => e.kind === 'release.recovered');
    expect(recovered?.data).toMatchObject({ decision: 'resume', hold: ['ai', 'media'] });
    // Let go by the train after the restart, not by AI's own resumed analysis: AI ended after the release's promote.
    const kinds = record.events.map((e) => e.kind);
    expect(kinds.indexOf('release.promote')).toBeGreaterThan(kinds.indexOf('release.recovered'));
    const promoteAt = record.events.find((e) => e.kind === 'release.promote')!.at;
    for (const s of record.sections) expect(Date.parse(s.record!.endedAt!), s.service).toBeGreaterThanOrEqual(promoteAt);
    expect(await onBoth('v3')).toBe(true);
  }, 240_000);

  it('aborts the whole release through `pitchey abort rel-…`: every member rolled back, audited', async () => {
    const load = loads();
    const before = [await currentVersion('/api/ai/models'), await currentVersion('/api/media/quality-presets')];
    const id = await startTwoWaves('v2');
    const { status, out, err } = await cli('abort', id);
    expect(status, err).toBe(0);
    const answered = JSON.parse(out) as ReleaseSummary;
    expect(answered.failure).toBe('aborted by alice');
    // The aborts took effect before the answer: no member is still moving forward.
    expect(answered.members.map((m) => m.asked)).toEqual(['abort', 'abort']);
    const end = await ended(id);
    await stopAll(load);
    expect(end.phase, end.reason ?? '').toBe('rolled-back');
    for (const m of end.members) expect(m.deployment?.reason, m.service).toBe(`aborted: release ${id} rolled back: aborted by alice`);
    expect(end.members.map((m) => m.deployment?.phase)).toEqual(['rolled-back', 'rolled-back']);
    expect([await currentVersion('/api/ai/models'), await currentVersion('/api/media/quality-presets')]).toEqual(before);
    expect((await call<{ lock: unknown }>('GET', '/lock')).json.lock).toBeNull();
    const events = (await call<ReleaseRecord>('GET', `/release-trains/${id}/record`)).json.events;
    expect(events.find((e) => e.kind === 'release.abort')).toMatchObject({ actor: 'alice', data: { reason: 'aborted by alice' } });
    expect(events.map((e) => e.kind).slice(-2)).toEqual(['release.rolling-back', 'release.rolled-back']);

    const again = await call<{ code: string; detail: string }>('POST', `/release-trains/${id}/abort`, {});
    expect(again.status).toBe(409);
    expect(again.json).toMatchObject({ code: 'DEPLOY_CONFLICT', detail: `release ${id} is rolled-back, not running: nothing to abort.` });
    expect((await call<{ code: string }>('POST', '/release-trains/rel-00000000/abort', {})).json.code).toBe('RELEASE_TRAIN_NOT_FOUND');
  }, 180_000);
});
