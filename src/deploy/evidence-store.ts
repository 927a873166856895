// Frozen evidence of the promotion chain: the exact bytes of a record snapshot whose sha256 one
// environment gave the next. A record keeps changing after it is hashed (validation phases end,
// acknowledgements are added), so the hash alone could never be recomputed later; the snapshot it
// was computed over is kept, content-addressed, by the environment that answered and by the one
// that carried the hash, so anyone can fetch it and check sha256(bytes) = the hash in the record.
import { createHash } from 'node:crypto';
import { canonicalJson, type EarlierRecordSummary } from './engine/index.js';
import type { ControllerDb } from './store.js';

const SCHEMA = `CREATE TABLE IF NOT EXISTS evidence_snapshots (hash TEXT PRIMARY KEY, env TEXT NOT NULL, deployment_id TEXT NOT NULL,
  body TEXT NOT NULL, stored_at INTEGER NOT NULL)`;

export interface EvidenceSnapshot {
  hash: string;
  /** The environment whose record it is, and the deployment. */
  env: string;
  deploymentId: string;
  /** The canonical JSON text that was hashed, byte for byte. */
  body: string;
}

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** A record frozen as canonical JSON, with the sha256 of exactly that text. */
export function freezeRecord(env: string, deploymentId: string, record: unknown): EvidenceSnapshot {
  const body = canonicalJson(record);
  return { hash: sha256(body), env, deploymentId, body };
}

/** Kept once per hash: the same bytes always have the same hash, so a second copy adds nothing. */
export function storeSnapshot(db: ControllerDb, s: EvidenceSnapshot, now: number): void {
  if (sha256(s.body) !== s.hash) throw new Error(`the snapshot of ${s.env} ${s.deploymentId} does not hash to ${s.hash}`);
  db.exec(SCHEMA);
  db.prepare('INSERT OR IGNORE INTO evidence_snapshots (hash, env, deployment_id, body, stored_at) VALUES (?, ?, ?, ?, ?)').run(s.hash, s.env, s.deploymentId, s.body, now);
}

export function readSnapshot(db: ControllerDb, hash: string): EvidenceSnapshot | null {
  db.exec(SCHEMA);
  const r = db.prepare('SELECT hash, env, deployment_id AS deploymentId, body FROM evidence_snapshots WHERE hash = ?').get(hash) as EvidenceSnapshot | undefined;
  return r ?? null;
}

/** An earlier environment's answer whose snapshot does not hash to the hash it gives is no evidence. */
export function checkSnapshot<T extends EarlierRecordSummary | { error: string }>(answer: T): T | { error: string } {
  if ('error' in answer || answer.recordSnapshot == null || answer.recordHash === null) return answer;
  return sha256(answer.recordSnapshot) === answer.recordHash ? answer : { error: `its record snapshot does not hash to the record hash it gave (${answer.recordHash.slice(0, 12)})` };
}

/** Keeps the snapshot an answer carried (a later environment keeps what its record's hash covers). */
export function keepSnapshot(db: ControllerDb, answer: EarlierRecordSummary, now: number): void {
  if (answer.recordSnapshot == null || answer.recordHash === null || answer.deploymentId === null) return;
  storeSnapshot(db, { hash: answer.recordHash, env: answer.env, deploymentId: answer.deploymentId, body: answer.recordSnapshot }, now);
}
