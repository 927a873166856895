// Sign-offs gate promotion on a running platform: the canary runs and is analysed, the promotion
// waits for the required roles, the author cannot sign, and a missing sign-off times out into a rollback.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRelease } from '../../src/deploy/releases.js';
import { TEST_KEY } from '../helpers.js';
import { startLoad } from './load.js';
import { startUp, waitFor, type UpProcess } from './platform.js';

const ROOT = new URL('../..', import.meta.url).pathname;
let up: UpProcess;

async function call<T>(method: string, path: string, body?: unknown, as = 'alice'): Promise<{ status: number; json: T }> {
  const res = await fetch(`${up.gateway}/_pitchey/admin${path}`, {
    method,
    headers: { 'x-api-key': TEST_KEY, 'content-type': 'application/json', 'x-pitchey-actor': as },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as T };
}

interface Detail {
  phase: string;
  live: boolean;
  reason: string | null;
  plan_hash: string;
  signoffs: { complete: boolean; missing: string[] };
}

beforeAll(async () => {
  up = await startUp({
    env: { PITCHEY_VERSION: 'v1', PITCHEY_ANALYSIS_INTERVAL_MS: '250', PITCHEY_ANALYSIS_WINDOW_MS: '3000', PITCHEY_SIGNOFFS: 'qa-lead,devops-engineer', PITCHEY_SIGNOFF_TIMEOUT_MS: '6000' },
  });
  for (const v of ['v2', 'v3']) buildRelease({ projectRoot: ROOT, releasesDir: `${up.dataDir}/releases`, version: v });
}, 120_000);
afterAll(() => up?.remove());

describe('sign-offs', () => {
  it('holds promotion until every required role signs, refusing the author', async () => {
    const load = startLoad(`${up.gateway}/api/ai/models`, 40);
    const d = (await call<{ id: string }>('POST', '/deployments', { service: 'ai', version: 'v2', strategy: 'canary', steps: [50, 100], stepMs: 1000 })).json;
    const waiting = await waitFor(
      'the promotion to wait',
      async () => {
        const s = (await call<Detail>('GET', `/deployments/${d.id}`)).json;
        return s.reason?.includes('waits for sign-off') ? s : undefined;
      },
      30_000,
    );
    expect(waiting.signoffs.missing.sort()).toEqual(['devops-engineer', 'qa-lead']);
    const own = await call<{ code: string; detail: string }>('POST', `/deployments/${d.id}/approvals`, { role: 'qa-lead', name: 'alice' });
    expect([own.status, own.json.code]).toEqual([422, 'DEPLOY_INVALID']);
    expect(own.json.detail).toContain('cannot sign it off');
    const first = await call<{ complete: boolean; missing: string[] }>('POST', `/deployments/${d.id}/approvals`, { role: 'qa-lead', name: 'bob', comment: 'smoke passed' }, 'bob');
    expect(first.json).toMatchObject({ complete: false, missing: ['devops-engineer'] });
    await call('POST', `/deployments/${d.id}/approvals`, { role: 'devops-engineer', name: 'carol' }, 'carol');
    const done = await waitFor(
      'promotion',
      async () => {
        const s = (await call<Detail>('GET', `/deployments/${d.id}`)).json;
        return !s.live ? s : undefined;
      },
      30_000,
    );
    await load.stop();
    expect(done.phase).toBe('promoted');
    expect(done.signoffs.complete).toBe(true);
  }, 90_000);

  it('rolls back when the sign-offs do not come in time', async () => {
    const load = startLoad(`${up.gateway}/api/ai/models`, 40);
    const d = (await call<{ id: string }>('POST', '/deployments', { service: 'ai', version: 'v3', strategy: 'canary', steps: [50, 100], stepMs: 1000 })).json;
    const done = await waitFor(
      'the timeout',
      async () => {
        const s = (await call<Detail>('GET', `/deployments/${d.id}`)).json;
        return !s.live ? s : undefined;
      },
      60_000,
    );
    await load.stop();
    expect(done.phase).toBe('rolled-back');
    expect(done.reason).toMatch(/sign-off.*none came within 6 s/);
  }, 90_000);
});
