// Sign-offs gate promotion on a running platform: the canary runs and is analysed, the promotion
// waits for the required roles, each given by the person a key names (never the author, never in
// someone else's name, one role per person), and a missing sign-off times out into a rollback.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRelease } from '../../src/deploy/releases.js';
import { TEST_KEY } from '../helpers.js';
import { failed, startLoad } from './load.js';
import { startUp, waitFor, type UpProcess } from './platform.js';

const ROOT = new URL('../..', import.meta.url).pathname;
let up: UpProcess;

// People's keys: `key:scopes@holder`. TEST_KEY stays a machine's key (the harness's).
const PEOPLE = { alice: 'alice-key-0123456789abcdef', bob: 'bob-key-0123456789abcdef', carol: 'carol-key-0123456789abcdef' };
const KEYS = [TEST_KEY, `${PEOPLE.alice}:admin+qa-lead@alice`, `${PEOPLE.bob}:qa-lead+devops-engineer@bob`, `${PEOPLE.carol}:devops-engineer@carol`].join(',');

async function call<T>(method: string, path: string, body?: unknown, key = PEOPLE.alice): Promise<{ status: number; json: T }> {
  const res = await fetch(`${up.gateway}/_pitchey/admin${path}`, {
    method,
    headers: { 'x-api-key': key, 'content-type': 'application/json', 'x-pitchey-actor': 'mallory' },
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
    env: {
      PITCHEY_VERSION: 'v1',
      PITCHEY_ANALYSIS_INTERVAL_MS: '250',
      PITCHEY_ANALYSIS_WINDOW_MS: '3000',
      PITCHEY_SIGNOFFS: 'qa-lead,devops-engineer',
      PITCHEY_SIGNOFF_TIMEOUT_MS: '6000',
      PITCHEY_API_KEYS: KEYS,
    },
  });
  for (const v of ['v2', 'v3']) buildRelease({ projectRoot: ROOT, releasesDir: `${up.dataDir}/releases`, version: v });
}, 120_000);
afterAll(() => up?.remove());

describe('sign-offs', () => {
  it('holds promotion until every required role is signed by its own person, refusing the author and borrowed names', async () => {
    const load = startLoad(`${up.gateway}/api/ai/models`, 40);
    const d = (await call<{ id: string }>('POST', '/deployments', { service: 'ai', version: 'v2', strategy: 'canary', steps: [50, 100], stepMs: 1000 })).json;
    const waiting = await waitFor(
      'the promotion to wait',
      async () => {
        const s = (await call<Detail>('GET', `/deployments/${d.id}`)).json;
        if (!s.live) throw new Error(`the deployment ended before its promotion waited: ${s.phase}: ${s.reason}`);
        return s.reason?.includes('waits for sign-off') ? s : undefined;
      },
      30_000,
    );
    expect(waiting.signoffs.missing.sort()).toEqual(['devops-engineer', 'qa-lead']);
    const approve = (key: string, body: Record<string, string>) =>
      call<{ code?: string; detail?: string; complete?: boolean; missing?: string[] }>('POST', `/deployments/${d.id}/approvals`, body, key);
    const refusals = [
      [PEOPLE.alice, { role: 'qa-lead' }, 'alice wrote this deployment and cannot sign it off'], // the author, though she holds the role
      [TEST_KEY, { role: 'qa-lead', name: 'bob' }, 'names no one'], // a machine's key speaks for no one
      [PEOPLE.carol, { role: 'devops-engineer', name: 'bob' }, 'is not the authenticated carol'],
      [PEOPLE.carol, { role: 'qa-lead' }, 'does not hold the QA Lead role'],
    ] as const;
    for (const [key, body, why] of refusals) {
      const r = await approve(key, body);
      expect([r.status, r.json.code], JSON.stringify(r.json)).toEqual([422, 'DEPLOY_INVALID']);
      expect(r.json.detail).toContain(why);
    }
    const first = await approve(PEOPLE.bob, { role: 'qa-lead', comment: 'smoke passed' });
    expect(first.json).toMatchObject({ complete: false, missing: ['devops-engineer'] });
    const second = await approve(PEOPLE.bob, { role: 'devops-engineer' });
    expect(second.json.detail).toContain('bob already signed off as QA Lead');
    expect((await approve(PEOPLE.carol, { role: 'devops-engineer', name: 'carol' })).status).toBe(201);
    const audit = (await call<{ events: Array<{ kind: string; actor: string; data: { credential?: string } }> }>('GET', `/audit?deployment=${d.id}`)).json.events;
    const given = audit.filter((e) => e.kind === 'signoff.given');
    expect(given.map((e) => e.actor)).toEqual(['bob', 'carol']);
    expect(given.every((e) => /^key:[0-9a-f]{12}$/.test(e.data.credential ?? ''))).toBe(true);
    expect(audit.find((e) => e.kind === 'deployment.started')?.actor).toBe('alice'); // the key's holder, not the header's mallory
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

  it('rolls back to the version before under load without the forward sign-offs, and records why', async () => {
    const load = startLoad(`${up.gateway}/api/ai/models`, 40);
    const r = await call<{ id: string }>('POST', '/rollback', { service: 'ai', reason: 'a bad week' });
    expect(r.status, JSON.stringify(r.json)).toBe(201);
    // The checklist's standard rollback: well inside 15 minutes; this policy promises a minute.
    const done = await waitFor(
      'the rollback',
      async () => {
        const s = (await call<Detail>('GET', `/deployments/${r.json.id}`)).json;
        return !s.live ? s : undefined;
      },
      60_000,
    );
    expect(failed(await load.stop())).toEqual([]);
    expect(done.phase).toBe('promoted');
    expect(done.signoffs).toMatchObject({ complete: true, missing: [] });
    const record = (await call<{ to: string; plan: { rollback?: { signoffsWaived: boolean; why: string } } }>('GET', `/deployments/${r.json.id}/record`)).json;
    expect(record.to).toBe('v1');
    expect(record.plan.rollback).toMatchObject({ signoffsWaived: true, why: expect.stringContaining('v1 was the stable version before v2') as unknown });
  }, 90_000);
});
