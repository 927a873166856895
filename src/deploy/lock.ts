// One deploy lock per environment: who holds it, why, since when. Taken atomically; released by
// the deployment that took it or, explicitly, by an operator.
import type { ControllerDb } from './store.js';

export interface DeployLock {
  env: string;
  holder: string;
  reason: string;
  deploymentId: string | null;
  acquiredAt: number;
}

export class LockHeld extends Error {
  constructor(readonly lock: DeployLock) {
    super(`environment ${lock.env} is locked by ${lock.holder} since ${new Date(lock.acquiredAt).toISOString()}: ${lock.reason}`);
    this.name = 'LockHeld';
  }
}

interface RawLock {
  env: string;
  holder: string;
  reason: string;
  deployment_id: string | null;
  acquired_at: number;
}
const toLock = (r: RawLock): DeployLock => ({ env: r.env, holder: r.holder, reason: r.reason, deploymentId: r.deployment_id, acquiredAt: r.acquired_at });

export function readLock(db: ControllerDb, env: string): DeployLock | null {
  const r = db.prepare('SELECT * FROM locks WHERE env = ?').get(env) as RawLock | undefined;
  return r === undefined ? null : toLock(r);
}

/** Takes the lock or throws LockHeld naming the holder. */
export function acquireLock(db: ControllerDb, lock: DeployLock): void {
  const inserted = db
    .prepare('INSERT INTO locks (env, holder, reason, deployment_id, acquired_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT(env) DO NOTHING')
    .run(lock.env, lock.holder, lock.reason, lock.deploymentId, lock.acquiredAt);
  if (inserted.changes === 0) throw new LockHeld(readLock(db, lock.env) as DeployLock);
}

/** Releases the lock; with `deploymentId`, only if that deployment holds it. Returns whether a lock was removed. */
export function releaseLock(db: ControllerDb, env: string, deploymentId?: string): boolean {
  const r = deploymentId === undefined ? db.prepare('DELETE FROM locks WHERE env = ?').run(env) : db.prepare('DELETE FROM locks WHERE env = ? AND deployment_id = ?').run(env, deploymentId);
  return r.changes > 0;
}
