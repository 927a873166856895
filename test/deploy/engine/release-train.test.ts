// The release train's decisions: waves start in the declared order once the wave before is held,
// every member promotes together, and any failure rolls back the rest (reverting promoted ones).
import { describe, expect, it } from 'vitest';
import {
  advance,
  createPlan,
  holdForRelease,
  planReleaseOrder,
  promotes,
  recoverRelease,
  releaseDecision,
  startDeployment,
  type Phase,
  type RecoveringMember,
  type ReleaseDecision,
  type ReleaseMember,
  type ReleaseRecovery,
} from '../../../src/deploy/engine/index.js';
import { deepFreeze } from './fixtures.js';

const KNOWN = ['video', 'document', 'ai', 'media', 'code'];

/** `a:progressing:held:asked:revertPhase`, wave from the position in `waves`. */
function members(...waves: string[][]): ReleaseMember[] {
  return waves.flatMap((wave, w) =>
    wave.map((spec) => {
      const [service, phase, held, asked, revert] = spec.split(':');
      return {
        service: service!,
        wave: w,
        phase: phase === '-' || phase === undefined ? null : (phase as Phase),
        held: held === 'held',
        asked: asked === undefined || asked === '-' ? null : (asked as ReleaseMember['asked']),
        revertPhase: revert === undefined ? null : (revert as Phase),
      };
    }),
  );
}

describe('releaseDecision', () => {
  const cases: Array<{ name: string; members: ReleaseMember[]; failure?: string; want: ReleaseDecision }> = [
    { name: 'nothing started: the first wave', members: members(['ai:-', 'code:-'], ['video:-']), want: { kind: 'start-wave', wave: 0, services: ['ai', 'code'] } },
    {
      name: 'a wave still analysing holds the next',
      members: members(['ai:progressing:held', 'code:progressing'], ['video:-']),
      want: { kind: 'hold', reason: 'waiting for code (progressing)' },
    },
    { name: 'a wave all held starts the next', members: members(['ai:progressing:held', 'code:progressing:held'], ['video:-']), want: { kind: 'start-wave', wave: 1, services: ['video'] } },
    {
      name: 'every member held: all promote together',
      members: members(['ai:progressing:held', 'code:progressing:held'], ['video:progressing:held']),
      want: { kind: 'promote-all', services: ['ai', 'code', 'video'] },
    },
    {
      name: 'promotion asked: wait for it',
      members: members(['ai:promoted:-:promote', 'code:progressing:held:promote']),
      want: { kind: 'hold', reason: 'promoting code' },
    },
    { name: 'all promoted: done', members: members(['ai:promoted', 'code:promoted']), want: { kind: 'done', outcome: 'promoted', reason: 'all 2 services promoted together' } },
    {
      name: 'a member rolled back: abort the others, the next wave never starts',
      members: members(['ai:rolled-back', 'code:progressing:held'], ['video:-']),
      want: { kind: 'roll-back-all', reason: 'ai rolled-back', abort: ['code'], revert: [] },
    },
    {
      name: 'a member failed while others promoted: revert them',
      members: members(['ai:promoted:-:promote', 'code:failed:-:promote']),
      want: { kind: 'roll-back-all', reason: 'code failed', abort: [], revert: ['ai'] },
    },
    {
      name: 'rolling back: wait for the aborted and the reverts',
      members: members(['ai:rolled-back', 'code:rolling-back:-:abort', 'video:promoted:-:revert:progressing']),
      failure: 'ai rolled-back',
      want: { kind: 'hold', reason: 'rolling back: waiting for code, video' },
    },
    {
      name: 'everything settled: rolled back',
      members: members(['ai:rolled-back', 'code:rolled-back:-:abort', 'video:promoted:-:revert:promoted']),
      failure: 'ai rolled-back',
      want: { kind: 'done', outcome: 'rolled-back', reason: 'release rolled back: ai rolled-back' },
    },
    {
      name: 'a member aborted by the train is not the cause',
      members: members(['ai:rolled-back:-:abort', 'code:progressing:held']),
      failure: 'operator aborted the release',
      want: { kind: 'roll-back-all', reason: 'operator aborted the release', abort: ['code'], revert: [] },
    },
  ];
  for (const c of cases) it(c.name, () => expect(releaseDecision(deepFreeze(c.members), c.failure ?? null)).toEqual(c.want));
});

describe('planReleaseOrder', () => {
  it('keeps a declared order as declared', () => expect(planReleaseOrder(KNOWN, [['video'], ['ai', 'code']])).toEqual([['video'], ['ai', 'code']]));
  it('filters the default order to a subset, dropping empty waves', () => expect(planReleaseOrder(KNOWN, undefined, ['video', 'media'])).toEqual([['video', 'media']]));
  it('the default order names every service once', () => expect(planReleaseOrder(KNOWN).flat().sort()).toEqual([...KNOWN].sort()));
  for (const [name, order, only, message] of [
    ['an unknown service', [['ai', 'nope']], undefined, /unknown service "nope"/],
    ['a service twice', [['ai'], ['ai']], undefined, /twice/],
    ['a subset missing from the order', [['ai']], ['ai', 'code'], /"code" is not in the release order/],
    ['no service', [[]], undefined, /names no service/],
  ] as const)
    it(`refuses ${name}`, () => expect(() => planReleaseOrder(KNOWN, order as unknown as string[][], only as string[] | undefined)).toThrow(message));
});

describe('holdForRelease', () => {
  const T = 1_000_000;
  const plan = createPlan({ id: 'd1', service: 'api', strategy: 'canary', fromVersion: 'v1', toVersion: 'v2', steps: [100], stepMs: 10_000, readyTimeoutMs: 5_000 });
  const ready = deepFreeze(advance(startDeployment(plan, T).state, { kind: 'instancesStarted' }, T + 1_000).state);
  const promotion = advance(ready, { kind: 'promoteNow' }, T + 20_000);

  it('keeps the phase, drops the promotion, and records since when it waits', () => {
    expect(promotes(promotion)).toBe(true);
    const held = holdForRelease(ready, promotion, 'rel-1', T + 20_000);
    expect(held.actions).toEqual([]);
    expect(held.state.phase).toBe('progressing');
    expect(held.state.releaseHeldSince).toBe(T + 20_000);
    expect(held.state.reason).toMatch(/held for release rel-1/);
    const again = holdForRelease(held.state, promotion, 'rel-1', T + 30_000);
    expect(again.state.releaseHeldSince).toBe(T + 20_000);
  });
});

describe('recoverRelease', () => {
  /** `service:phase-after-its-own-recovery:asked`, `-` for none; `!` after the phase: its recovery rolled it back (why "timed out"). */
  const m = (spec: string): RecoveringMember => {
    const [service, phase, asked] = spec.split(':');
    const settled = phase!.endsWith('!');
    const p = phase!.replace('!', '');
    return {
      service: service!,
      phase: p === '-' || p === 'refused' ? null : (p as Phase),
      asked: asked === undefined || asked === '-' ? null : (asked as RecoveringMember['asked']),
      why: settled ? 'timed out' : null,
      refused: p === 'refused',
    };
  };
  const running = { id: 'rel-1', phase: 'running' as const, failure: null };
  const cases: Array<{ name: string; release?: Parameters<typeof recoverRelease>[0]; members: string[]; want: ReleaseRecovery }> = [
    {
      name: 'a held member and one still analysing: both resume, both held',
      members: ['ai:starting', 'media:starting'],
      want: { decision: 'resume', hold: ['ai', 'media'], why: "controller restarted mid-release: ai, media resume and stay held until every service's canary has passed" },
    },
    {
      name: 'a later wave not started yet: only the started members are held',
      members: ['ai:starting', 'video:-'],
      want: { decision: 'resume', hold: ['ai'], why: "controller restarted mid-release: ai resume and stay held until every service's canary has passed" },
    },
    {
      name: 'promotion already let go: nothing held, the promotions complete',
      members: ['ai:promoted:promote', 'media:starting:promote'],
      want: { decision: 'resume', hold: [], why: 'controller restarted mid-release: the promotions already let go complete' },
    },
    {
      name: 'a member rolled back by its own recovery: the others roll back rather than restart',
      members: ['ai:rolled-back!', 'media:starting', 'code:promoted:promote'],
      want: {
        decision: 'roll-back',
        failure: 'ai rolled-back: timed out',
        settle: ['media'],
        why: 'controller restarted: release rel-1 rolls back as a whole (ai rolled-back: timed out); media rolled back rather than restarted',
      },
    },
    {
      name: 'a member that rolled back before the stop, not yet seen by the train',
      members: ['ai:rolled-back', 'media:starting'],
      want: {
        decision: 'roll-back',
        failure: 'ai rolled-back',
        settle: ['media'],
        why: 'controller restarted: release rel-1 rolls back as a whole (ai rolled-back); media rolled back rather than restarted',
      },
    },
    {
      name: 'a member that was refused',
      members: ['ai:refused', 'media:starting'],
      want: { decision: 'roll-back', failure: 'ai failed', settle: ['media'], why: 'controller restarted: release rel-1 rolls back as a whole (ai failed); media rolled back rather than restarted' },
    },
    {
      name: 'a release rolling back keeps rolling back; a member it aborted is not a new cause',
      release: { id: 'rel-1', phase: 'rolling-back', failure: 'ai rolled-back' },
      members: ['ai:rolled-back', 'media:rolled-back:abort', 'code:starting:revert'],
      want: {
        decision: 'roll-back',
        failure: 'ai rolled-back',
        settle: ['code'],
        why: 'controller restarted: release rel-1 was rolling back (ai rolled-back); code rolled back rather than restarted',
      },
    },
  ];
  for (const c of cases) it(c.name, () => expect(recoverRelease(c.release ?? running, deepFreeze(c.members.map(m)))).toEqual(c.want));
});
