// Rolling surges first, with a genuinely broken build (its /models fails every fourth request: a
// bug in the built code, not the fault switch): the first new instance starts beside the only
// stable one and carries about half the traffic, not all of it, until the analysis rolls it back;
// stable fails nothing. Runs the built CLI (`npm test` builds before testing).
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { buildRelease } from '../../src/deploy/releases.js';
import { brokenProject } from '../support/broken-build.js';
import { startLoad } from './load.js';
import { ADMIN_HEADERS as admin, settled, startUp } from './platform.js';

const cleanups: Array<() => void> = [];
afterAll(() => {
  while (cleanups.length > 0) cleanups.pop()?.();
});

/** The broken build (test/support/broken-build.ts) released as `version`. */
function buildBrokenRelease(releasesDir: string, version: string): void {
  const project = brokenProject();
  cleanups.push(project.remove);
  buildRelease({ projectRoot: project.root, releasesDir, version });
}

describe('rolling with a single stable instance', () => {
  it('keeps a broken first instance at its surge share until it is rolled back; stable fails nothing', async () => {
    const up = await startUp({ env: { PITCHEY_VERSION: 'v1', PITCHEY_ANALYSIS_INTERVAL_MS: '250', PITCHEY_ANALYSIS_WINDOW_MS: '3000', PITCHEY_DRAIN_TIMEOUT_MS: '2000' } });
    cleanups.push(up.remove);
    buildBrokenRelease(join(up.dataDir, 'releases'), 'v2-broken');
    const load = startLoad(`${up.gateway}/api/ai/models`, 40);
    await sleep(1_000);
    const res = await fetch(`${up.gateway}/_pitchey/admin/deployments`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ service: 'ai', version: 'v2-broken', strategy: 'rolling', instances: 2, stepMs: 5_000 }),
    });
    const started = (await res.json()) as { id: string; steps: number[] };
    expect(res.status, JSON.stringify(started)).toBe(201);
    expect(started.steps).toEqual([50, 67]);
    const end = await settled(up.gateway, started.id);
    await sleep(1_000);
    const answers = await load.stop();
    expect(end.phase, end.reason ?? '').toBe('rolled-back');

    const onBroken = answers.filter((a) => a.version === 'v2-broken');
    const first = onBroken[0]?.at ?? Infinity;
    const last = onBroken[onBroken.length - 1]?.at ?? -Infinity;
    const whileLive = answers.filter((a) => a.at >= first && a.at <= last);
    const brokenFailed = onBroken.filter((a) => a.status >= 500).length;
    const stableFailed = answers.filter((a) => a.version === 'v1' && a.status >= 500).length;
    console.log(
      `rolling surge: broken build served ${onBroken.length} of ${whileLive.length} requests while live (${Math.round((100 * onBroken.length) / Math.max(1, whileLive.length))} %), ${brokenFailed} failed; stable failed ${stableFailed}`,
    );
    expect(onBroken.length).toBeGreaterThan(0);
    expect(stableFailed).toBe(0);
    // Half the traffic by weight (the old way: all of it), with room for the randomness of a few dozen requests.
    expect(onBroken.length / whileLive.length).toBeLessThan(0.8);
  }, 180_000);
});
