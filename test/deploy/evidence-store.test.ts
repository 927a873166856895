// Frozen promotion-chain evidence: the snapshot a record hash covers is kept byte for byte, so the
// hash can be checked after the record changed; an answer whose snapshot does not match is no evidence.
import { afterEach, describe, expect, it } from 'vitest';
import { appendAudit } from '../../src/deploy/audit.js';
import { createPlan, startDeployment } from '../../src/deploy/engine/index.js';
import { summarizeVersion } from '../../src/deploy/environment-api.js';
import { checkSnapshot, freezeRecord, keepSnapshot, readSnapshot, sha256, storeSnapshot } from '../../src/deploy/evidence-store.js';
import type { EarlierRecordSummary } from '../../src/deploy/engine/index.js';
import { openControllerDb, writeDeployment, type ControllerDb } from '../../src/deploy/store.js';

const opened: ControllerDb[] = [];
afterEach(() => {
  while (opened.length) opened.pop()?.close();
});
/** A controller store in memory: what is kept is what a file would keep. */
function db(): ControllerDb {
  const d = openControllerDb(':memory:');
  opened.push(d);
  return d;
}

const record = { id: 'dep-0000abcd', phases: [{ phase: 'immediate', status: 'pass' }], acknowledgements: [] as string[] };

describe('evidence snapshots', () => {
  it('keeps the exact bytes a hash covers, after the record changed', () => {
    const d = db();
    const frozen = freezeRecord('staging', record.id, record);
    expect(frozen.hash).toBe(sha256(frozen.body));
    storeSnapshot(d, frozen, 1_000);
    // The record moves on: its hash now is another, the kept snapshot still hashes to the old one.
    const changed = freezeRecord('staging', record.id, { ...record, acknowledgements: ['change-ticket'] });
    expect(changed.hash).not.toBe(frozen.hash);
    const kept = readSnapshot(d, frozen.hash)!;
    expect(kept).toEqual(frozen);
    expect(sha256(kept.body)).toBe(frozen.hash);
    expect(readSnapshot(d, changed.hash)).toBeNull();
  });

  it('hashes the same data the same whatever its key order', () => {
    expect(freezeRecord('s', 'd', { a: 1, b: [2, { c: 3, d: 4 }] }).hash).toBe(freezeRecord('s', 'd', { b: [2, { d: 4, c: 3 }], a: 1 }).hash);
  });

  it('refuses to store bytes that do not hash to the hash given', () => {
    const frozen = freezeRecord('staging', record.id, record);
    expect(() => storeSnapshot(db(), { ...frozen, body: frozen.body.replace('pass', 'fail') }, 1)).toThrow(/does not hash to/);
  });

  it('checks an earlier environment’s answer and keeps its snapshot in the later one', () => {
    const frozen = freezeRecord('staging', record.id, record);
    const answer: EarlierRecordSummary = {
      env: 'staging',
      service: 'ai',
      version: 'v2',
      deploymentId: record.id,
      promoted: true,
      phases: record.phases,
      recordHash: frozen.hash,
      recordSnapshot: frozen.body,
    };
    expect(checkSnapshot(answer)).toBe(answer);
    expect(checkSnapshot({ ...answer, recordSnapshot: frozen.body.replace('pass', 'fail') })).toEqual({ error: expect.stringMatching(/does not hash to the record hash it gave/) as unknown });
    // An older controller sends no snapshot: the answer is judged as before, nothing kept.
    const { recordSnapshot: _s, ...older } = answer;
    expect(checkSnapshot(older)).toBe(older);
    const production = db();
    keepSnapshot(production, older, 1);
    expect(readSnapshot(production, frozen.hash)).toBeNull();
    keepSnapshot(production, answer, 1);
    expect(readSnapshot(production, frozen.hash)?.body).toBe(frozen.body);
  });
});

describe('a stored deployment’s evidence', () => {
  it('verifies after the answer went through JSON, and the kept snapshot after the record changed', () => {
    const d = db();
    const plan = createPlan({ id: 'dep-0000abcd', service: 'media', strategy: 'blue-green', fromVersion: 'v1', toVersion: 'v2', steps: [100], stepMs: 1_000, readyTimeoutMs: 5_000 });
    const state = { ...startDeployment(plan, 1_000).state, phase: 'promoted' as const, reason: 'promoted → stable (µ-test)' };
    writeDeployment(d, { id: plan.id, env: 'staging', service: 'media', author: 'alice', state });
    appendAudit(d, { at: 2_000, env: 'staging', deploymentId: plan.id, kind: 'validation.phase', actor: 'controller', data: { phase: 'immediate', status: 'pass' } });
    const o = { db: d, env: 'staging', controller: { signoffPolicy: () => ({ required: [], sharedRoles: false }) } };
    const answer = JSON.parse(JSON.stringify(summarizeVersion(o, 'media', 'v2', 3_000))) as EarlierRecordSummary;
    expect(checkSnapshot(answer)).toEqual(answer);
    expect(answer.recordHash).toBe(sha256(answer.recordSnapshot!));
    appendAudit(d, { at: 4_000, env: 'staging', deploymentId: plan.id, kind: 'acknowledgement', actor: 'alice', data: { item: 'change-ticket', name: 'alice' } });
    expect(summarizeVersion(o, 'media', 'v2', 5_000).recordHash).not.toBe(answer.recordHash);
    expect(readSnapshot(d, answer.recordHash!)?.body).toBe(answer.recordSnapshot);
  });
});
