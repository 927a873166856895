// A platform release (release train) end to end: two services as one release. With a genuinely
// broken build (AI's /models fails every fourth request) the AI canary rolls back and the train
// rolls the media service back with it; a good release waits for every canary, then promotes both
// together. The good one runs through the built CLI (`pitchey deploy all`) as an operator would.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReleaseRecord, ReleaseSummary } from '../../src/deploy/admin-api.js';
import { renderReleaseMarkdown } from '../../src/deploy/record-render.js';
import { buildRelease } from '../../src/deploy/releases.js';
import { TEST_KEY } from '../helpers.js';
import { brokenProject } from '../support/broken-build.js';
import { startLoad, type Load } from './load.js';
import { ADMIN_HEADERS as admin, CLI, exited, startUp, waitFor, type UpProcess } from './platform.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const cleanups: Array<() => void> = [];
let up: UpProcess;

async function call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> {
  const res = await fetch(`${up.gateway}/_pitchey/admin${path}`, { method, headers: admin, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: res.status, json: (await res.json()) as T };
}

/** Analysis needs traffic on both members (no data is never a pass). */
const loads = (): Load[] => [startLoad(`${up.gateway}/api/ai/models`, 40), startLoad(`${up.gateway}/api/media/quality-presets`, 40)];
const stopAll = (l: Load[]) => Promise.all(l.map((x) => x.stop()));
const currentVersion = async (path: string): Promise<string | null> => (await fetch(`${up.gateway}${path}`)).headers.get('x-pitchey-version');

beforeAll(async () => {
  up = await startUp({ env: { PITCHEY_VERSION: 'v1', PITCHEY_ANALYSIS_INTERVAL_MS: '250', PITCHEY_ANALYSIS_WINDOW_MS: '3000', PITCHEY_DRAIN_TIMEOUT_MS: '1000' } });
  cleanups.push(up.remove);
  const broken = brokenProject();
  cleanups.push(broken.remove);
  buildRelease({ projectRoot: broken.root, releasesDir: join(up.dataDir, 'releases'), version: 'v2-broken' });
  buildRelease({ projectRoot: ROOT, releasesDir: join(up.dataDir, 'releases'), version: 'v2' });
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
    const end = await waitFor('the release to end', async () => {
      const r = (await call<ReleaseSummary>('GET', `/release-trains/${started.json.id}`)).json;
      return r.live ? undefined : r;
    });
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
    const child = spawn(
      process.execPath,
      [CLI, 'deploy', 'all', '--version', 'v2', '--order', 'ai;media', '--steps', '50,100', '--step-ms', '1500', '--warmup-ms', '5000', '--gateway', up.gateway, '--as', 'alice', '--json'],
      { env: { ...up.env, PITCHEY_ADMIN_KEY: TEST_KEY } },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    expect(await exited(child), err).toBe(0);
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
    expect(
      await waitFor('v2 on both', async () => ((await currentVersion('/api/ai/models')) === 'v2' && (await currentVersion('/api/media/quality-presets')) === 'v2' ? true : undefined), 10_000),
    ).toBe(true);
  }, 180_000);
});
