// The append-only audit log: every event is hash-chained to the one before it (sha256 over the
// previous hash and the event's canonical JSON), so an edited or removed event breaks the chain.
import { createHash } from 'node:crypto';
import type { ControllerDb } from './store.js';

export interface AuditEvent {
  seq: number;
  at: number;
  env: string;
  deploymentId: string | null;
  kind: string;
  actor: string;
  data: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

const GENESIS = 'sha256:genesis';

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    // Keys holding undefined are skipped, as JSON.stringify does when the event is stored.
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function hashOf(prevHash: string, e: Omit<AuditEvent, 'seq' | 'hash' | 'prevHash'>): string {
  return `sha256:${createHash('sha256').update(prevHash).update('\n').update(canonical(e)).digest('hex')}`;
}

/** Appends one event, chained to the last; the read and the insert are one transaction. */
export function appendAudit(db: ControllerDb, event: { at: number; env: string; deploymentId?: string | null; kind: string; actor: string; data?: Record<string, unknown> }): AuditEvent {
  return db
    .transaction(() => {
      const last = db.prepare('SELECT hash FROM audit ORDER BY seq DESC LIMIT 1').get() as { hash: string } | undefined;
      const prevHash = last?.hash ?? GENESIS;
      const body = { at: event.at, env: event.env, deploymentId: event.deploymentId ?? null, kind: event.kind, actor: event.actor, data: event.data ?? {} };
      const hash = hashOf(prevHash, body);
      const { lastInsertRowid } = db
        .prepare('INSERT INTO audit (at, env, deployment_id, kind, actor, data, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(body.at, body.env, body.deploymentId, body.kind, body.actor, JSON.stringify(body.data), prevHash, hash);
      return { seq: Number(lastInsertRowid), ...body, prevHash, hash };
    })
    .immediate();
}

interface RawEvent {
  seq: number;
  at: number;
  env: string;
  deployment_id: string | null;
  kind: string;
  actor: string;
  data: string;
  prev_hash: string;
  hash: string;
}

export function readAudit(db: ControllerDb, options: { deploymentId?: string; limit?: number } = {}): AuditEvent[] {
  const rows = db
    .prepare('SELECT * FROM audit WHERE (@d IS NULL OR deployment_id = @d) ORDER BY seq LIMIT @limit')
    .all({ d: options.deploymentId ?? null, limit: options.limit ?? 10_000 }) as RawEvent[];
  return rows.map((r) => ({
    seq: r.seq,
    at: r.at,
    env: r.env,
    deploymentId: r.deployment_id,
    kind: r.kind,
    actor: r.actor,
    data: JSON.parse(r.data) as Record<string, unknown>,
    prevHash: r.prev_hash,
    hash: r.hash,
  }));
}

/** Walks the whole chain; returns the first event whose hash or link does not hold, or null. */
export function verifyAudit(db: ControllerDb): { brokenAt: number; reason: string } | null {
  let prev = GENESIS;
  for (const e of readAudit(db)) {
    if (e.prevHash !== prev) return { brokenAt: e.seq, reason: 'link to the previous event does not match (an event was removed or reordered)' };
    const { seq: _s, hash, prevHash: _p, ...body } = e;
    if (hashOf(prev, body) !== hash) return { brokenAt: e.seq, reason: 'event content does not match its hash (it was edited)' };
    prev = hash;
  }
  return null;
}
