// A controller killed with SIGKILL and started again on the same data dir: a canary killed mid-step
// resumes its step, a promotion killed while it waited for sign-offs keeps waiting (same wait, same
// deadline) and promotes once signed, a sign-off wait whose deadline passed while the controller was
// down rolls back, and a validation killed in its final phase resumes that phase. Each decision is
// the engine's, and the audit log says which.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRelease } from '../../src/deploy/releases.js';
import { TEST_KEY, makeTempDir } from '../helpers.js';
import { startLoad, type Load } from './load.js';
import { ADMIN_HEADERS, alive, exited, readInstances, settled, startUp, waitFor, type UpProcess } from './platform.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const BOB = 'bob-key-0123456789abcdef';
const ENV = {
  PITCHEY_VERSION: 'v1',
  PITCHEY_API_KEYS: `${TEST_KEY},${BOB}:qa-lead@bob`,
  PITCHEY_ANALYSIS_INTERVAL_MS: '250',
  PITCHEY_ANALYSIS_WINDOW_MS: '3000',
  PITCHEY_SIGNOFFS: 'qa-lead',
  PITCHEY_SIGNOFF_TIMEOUT_MS: '300000',
  // Immediate and extended phases of 2 s, a final phase long enough to be killed in.
  PITCHEY_VALIDATION_PHASES_MS: '2000,2000,45000',
};

const data = makeTempDir('pitchey-restart-');
let up: UpProcess;
let load: Load | null = null;

interface Detail {
  phase: string;
  live: boolean;
  reason: string | null;
  step: number;
}
interface AuditEvent {
  kind: string;
  data: Record<string, unknown>;
}

async function call<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = ADMIN_HEADERS): Promise<{ status: number; json: T }> {
  const res = await fetch(`${up.gateway}/_pitchey/admin${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: res.status, json: (await res.json()) as T };
}

const detail = async (id: string): Promise<Detail> => (await call<Detail>('GET', `/deployments/${id}`)).json;

/** Waits until the deployment's detail satisfies `ok`; fails with its last state (or at once, if it ended). */
async function until(id: string, what: string, ok: (d: Detail) => boolean, timeoutMs = 60_000): Promise<Detail> {
  let last: Detail | null = null;
  return waitFor(
    what,
    async () => {
      last = await detail(id);
      if (ok(last)) return last;
      if (!last.live) throw new Error(`${id} ended before ${what}: ${last.phase}: ${last.reason}`);
      return undefined;
    },
    timeoutMs,
  ).catch((err: Error) => {
    throw new Error(`${err.message}; last: ${JSON.stringify(last)}`);
  });
}
const audit = async (id: string): Promise<AuditEvent[]> => (await call<{ events: AuditEvent[] }>('GET', `/audit?deployment=${id}`)).json.events;

interface Validation {
  phases: Array<{ phase: string; status: string }>;
  running: { phase: string; since: string; until: string } | null;
}
const record = async (id: string): Promise<{ validation: Validation }> => (await call<{ validation: Validation }>('GET', `/deployments/${id}/record`)).json;

/** Starts the platform on the shared data dir, with steady traffic on the ai service. */
async function start(env: Record<string, string> = {}): Promise<void> {
  up = await startUp({ dataDir: data.dir, env: { ...ENV, ...env } });
  load = startLoad(`${up.gateway}/api/ai/models`, 40);
}

/** SIGKILL the platform mid-flight; its instances exit once their parent is gone (else they are killed). */
async function kill(): Promise<void> {
  const pids = readInstances(data.dir).map((i) => i.pid);
  await load?.stop();
  up.proc.kill('SIGKILL');
  await exited(up.proc);
  await waitFor('the instances to exit', () => (pids.some(alive) ? undefined : true), 15_000).catch(() => {
    for (const pid of pids.filter(alive)) process.kill(pid, 'SIGKILL');
  });
}

beforeAll(async () => {
  await start();
  for (const v of ['v2', 'v3']) buildRelease({ projectRoot: ROOT, releasesDir: `${data.dir}/releases`, version: v });
}, 120_000);
afterAll(async () => {
  await load?.stop();
  up?.remove();
  data.remove();
});

describe('a controller killed with SIGKILL and restarted', () => {
  it('resumes a canary killed mid-step, keeps its sign-off wait across a second kill, and promotes once signed', async () => {
    const d = (await call<{ id: string }>('POST', '/deployments', { service: 'ai', version: 'v2', strategy: 'canary', steps: [50, 100], stepMs: 3000 })).json;
    expect(d.id, JSON.stringify(d)).toMatch(/^dep-/);
    await until(d.id, 'the canary on its second step', (s) => s.step === 1 && s.phase === 'progressing');
    await kill();
    await start();
    const resumed = (await audit(d.id)).find((e) => e.kind === 'deployment.recovered');
    expect(resumed?.data).toMatchObject({ decision: 'resume', was: { phase: 'progressing', step: 1 } });
    expect(String(resumed?.data.why)).toContain('step 2/2 (canary at 100 %) resumes on new instances');

    const waiting = await until(d.id, 'the promotion to wait for sign-off', (s) => s.reason?.includes('waits for sign-off by QA Lead') === true);
    expect(waiting.step).toBe(1);
    await kill();
    await start();
    const events = await audit(d.id);
    expect(events.filter((e) => e.kind === 'deployment.recovered').map((e) => e.data.decision)).toEqual(['resume', 'keep-waiting']);
    const again = await until(d.id, 'the wait to be taken up again', (s) => s.reason?.includes('waits for sign-off') === true);
    // The same wait: no second one began, and its deadline (in the reason) is the first one's.
    expect((await audit(d.id)).filter((e) => e.kind === 'signoff.awaiting')).toHaveLength(1);
    expect(again.reason).toBe(waiting.reason);
    expect(again.reason).toMatch(/until \d{4}-\d\d-\d\dT/);

    const signed = await call('POST', `/deployments/${d.id}/approvals`, { role: 'qa-lead' }, { 'x-api-key': BOB, 'content-type': 'application/json' });
    expect(signed.status, JSON.stringify(signed.json)).toBe(201);
    expect(await settled(up.gateway, d.id)).toMatchObject({ phase: 'promoted' });
  }, 300_000);

  it('resumes the final validation phase after a kill, with the phases before it kept', async () => {
    const id = (await call<{ deployments: Array<{ id: string; to: string }> }>('GET', '/deployments')).json.deployments.find((x) => x.to === 'v2')!.id;
    await waitFor('the final phase', async () => ((await audit(id)).some((e) => e.kind === 'validation.phase' && e.data.phase === 'extended') ? true : undefined), 60_000);
    const before = (await record(id)).validation.running;
    expect(before).toMatchObject({ phase: 'final' });
    await kill();
    await start();
    const resumed = (await audit(id)).find((e) => e.kind === 'validation.resumed');
    expect(resumed?.data).toMatchObject({ phase: 'final' });
    expect(String(resumed?.data.why)).toMatch(/^final phase resumes \d+ s into its 45 s/);
    // The same phase, on its stored schedule: not a new one started at the restart.
    expect((await record(id)).validation.running).toMatchObject({ phase: 'final', since: before!.since, until: before!.until });
    await waitFor('the final verdict', async () => ((await audit(id)).some((e) => e.kind === 'validation.phase' && e.data.phase === 'final') ? true : undefined), 60_000);
    const after = (await record(id)).validation;
    expect(after.phases.map((p) => p.phase)).toEqual(['immediate', 'extended', 'final']);
    expect(after.phases.every((p) => p.status !== 'fail')).toBe(true);
    expect(after.running).toBeNull();
  }, 180_000);

  it('rolls back a sign-off wait whose deadline passed while the controller was down', async () => {
    const d = (await call<{ id: string }>('POST', '/deployments', { service: 'ai', version: 'v3', strategy: 'canary', steps: [100], stepMs: 2000 })).json;
    expect(d.id, JSON.stringify(d)).toMatch(/^dep-/);
    await until(d.id, 'the promotion to wait for sign-off', (s) => s.reason?.includes('waits for sign-off') === true);
    await kill();
    // Down longer than the deadline: started again with a 1 s wait, already over.
    await start({ PITCHEY_SIGNOFF_TIMEOUT_MS: '1000' });
    const recovered = (await audit(d.id)).find((e) => e.kind === 'deployment.recovered');
    expect(recovered?.data).toMatchObject({ decision: 'roll-back' });
    expect(String(recovered?.data.why)).toContain('ran out while the controller was down');
    expect(await detail(d.id)).toMatchObject({ phase: 'rolled-back', live: false });
  }, 180_000);
});
