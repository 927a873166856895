// The availability error budget: its arithmetic, the hourly counts sampled from the gateway's
// per-track stats into the controller's store, and the pre-deployment check that refuses a
// production deployment once it is spent, unless waived.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CHECKS_CONFIG, runChecks } from '../../src/deploy/checks/index.js';
import { createAvailabilitySampler, readErrorBudget, writeAvailability } from '../../src/deploy/budget-store.js';
import { createGatewayMetricSource } from '../../src/deploy/adapters/gateway-metric-source.js';
import { assessErrorBudget, createPlan, describeErrorBudget, startDeployment } from '../../src/deploy/engine/index.js';
import { appendAudit } from '../../src/deploy/audit.js';
import { readRecord } from '../../src/deploy/record.js';
import { renderMarkdown } from '../../src/deploy/record-render.js';
import { openControllerDb } from '../../src/deploy/store.js';
import { TrackStats } from '../../src/gateway/index.js';
import { dataPath } from '../../src/kit/index.js';
import { makeTempDir } from '../helpers.js';

const DAY = 86_400_000;

describe('assessErrorBudget', () => {
  it.each([
    [1_000_000, 0, 1],
    [1_000_000, 500, 0.5],
    [1_000_000, 1_000, 0],
    [1_000_000, 1_500, -0.5],
  ])('%d requests, %d errors: %d of the 99.9 %% budget left', (requests, errors, remaining) => {
    expect(assessErrorBudget({ requests, errors }).remaining).toBeCloseTo(remaining, 9);
  });
  it('no traffic leaves nothing to judge, and says so', () => {
    const b = assessErrorBudget({ requests: 0, errors: 0 });
    expect(b.remaining).toBeNull();
    expect(describeErrorBudget(b)).toBe('no traffic in the last 30 days: the 99.9 % budget is untouched');
    expect(describeErrorBudget(assessErrorBudget({ requests: 100_000, errors: 25 }))).toBe('75.0 % of the 99.9 % budget left (25 of 100 allowed errors spent over 30 days, 100000 requests)');
  });
});

describe('availability counts in the controller store', () => {
  it('samples every second once from the gateway stats, all tracks, and sums the last 30 days', async () => {
    const tmp = makeTempDir();
    const db = openControllerDb(dataPath(tmp.dir, 'controllerDb'));
    try {
      const stats = new TrackStats();
      let now = 1_800_000_000_000;
      const sampler = createAvailabilitySampler({ db, env: 'production', services: ['ai', 'code'], source: createGatewayMetricSource(stats), now: () => now });
      for (let s = 0; s < 10; s++) {
        stats.record('ai', 'stable', 'v1', s === 3 ? 500 : 200, 5, now + s * 1000);
        stats.record('ai', 'canary', 'v2', 503, 5, now + s * 1000);
      }
      now += 5_500;
      await sampler.sample(); // seconds 0–4
      now += 10_000;
      await sampler.sample(); // seconds 5–14: nothing counted twice
      await sampler.sample(); // nothing new
      expect(readErrorBudget(db, 'production', 'ai', now)).toMatchObject({ requests: 20, errors: 11 });
      expect(readErrorBudget(db, 'production', 'code', now).remaining).toBeNull();
      expect(readErrorBudget(db, 'staging', 'ai', now).requests).toBe(0);
      // Older than 30 days falls out of the budget.
      writeAvailability(db, { env: 'production', service: 'ai', at: now - 31 * DAY, requests: 1_000, errors: 1_000 });
      expect(readErrorBudget(db, 'production', 'ai', now)).toMatchObject({ requests: 20, errors: 11 });
    } finally {
      db.close();
      tmp.remove();
    }
  });
});

describe('the error-budget check', () => {
  const now = new Date('2026-12-01T10:00:00Z');
  const run = (dataDir: string, waivers: typeof DEFAULT_CHECKS_CONFIG.waivers = []) =>
    runChecks({ config: { ...DEFAULT_CHECKS_CONFIG, waivers }, env: 'production', dataDir, now, only: ['error-budget'], target: { service: 'video', version: 'v2', docker: null } });

  it('passes with budget left, fails once it is spent, and a waiver turns that into a warning', async () => {
    const tmp = makeTempDir();
    const db = openControllerDb(dataPath(tmp.dir, 'controllerDb'));
    try {
      writeAvailability(db, { env: 'production', service: 'video', at: now.getTime() - DAY, requests: 100_000, errors: 40 });
      const left = await run(tmp.dir);
      expect(left).toMatchObject({ passed: true, evidence: [{ check: 'error-budget', status: 'pass' }] });
      expect(left.evidence[0]?.observed).toBe('video: 60.0 % of the 99.9 % budget left (40 of 100 allowed errors spent over 30 days, 100000 requests)');
      writeAvailability(db, { env: 'production', service: 'video', at: now.getTime() - 2 * DAY, requests: 0, errors: 70 });
      const spent = await run(tmp.dir);
      expect(spent).toMatchObject({ passed: false, evidence: [{ status: 'fail' }] });
      expect(spent.evidence[0]?.observed).toMatch(/^video: -10\.0 % of the 99\.9 % budget left \(110 of 100 allowed errors/);
      const waived = await run(tmp.dir, [{ check: 'error-budget', approver: 'Sam (SRE)', reason: 'the fix for the outage that spent it', expires: '2026-12-02T00:00:00Z' }]);
      expect(waived).toMatchObject({ passed: true, evidence: [{ status: 'warn', waiver: { approver: 'Sam (SRE)' } }] });
    } finally {
      db.close();
      tmp.remove();
    }
  });

  it('passes where nothing was ever recorded', async () => {
    const tmp = makeTempDir();
    expect(await run(tmp.dir)).toMatchObject({ passed: true, evidence: [{ status: 'pass', observed: expect.stringContaining('untouched') as unknown }] });
    tmp.remove();
  });
});

describe('the deployment record', () => {
  it('shows the budget before (the check) and after (at promotion)', () => {
    const tmp = makeTempDir();
    const db = openControllerDb(dataPath(tmp.dir, 'controllerDb'));
    try {
      const state = startDeployment(createPlan({ id: 'd1', service: 'video', strategy: 'canary', fromVersion: 'v1', toVersion: 'v2' }), 1_000).state;
      const row = { id: 'd1', env: 'production', service: 'video', author: 'sam', state, createdAt: 1_000, updatedAt: 2_000 };
      const before = { check: 'error-budget', title: 't', status: 'pass', observed: 'video: 60.0 % of the 99.9 % budget left (…)', threshold: 'x', source: 'db', at: 'now' };
      appendAudit(db, { at: 1_000, env: 'production', deploymentId: 'd1', kind: 'checks.evaluated', actor: 'controller', data: { passed: true, evidence: [before] } });
      appendAudit(db, {
        at: 2_000,
        env: 'production',
        deploymentId: 'd1',
        kind: 'error-budget',
        actor: 'controller',
        data: { when: 'after', budget: assessErrorBudget({ requests: 100_000, errors: 55 }) },
      });
      const record = readRecord(db, row, { signoffs: { required: [], sharedRoles: false }, now: 3_000 });
      expect(record.errorBudget).toEqual({ before: before.observed, after: '45.0 % of the 99.9 % budget left (55 of 100 allowed errors spent over 30 days, 100000 requests)' });
      expect(renderMarkdown(record)).toContain('## Error budget\n\nBefore: video: 60.0 % of the 99.9 % budget left (…)\nAfter: 45.0 % of the 99.9 % budget left');
    } finally {
      db.close();
      tmp.remove();
    }
  });
});
