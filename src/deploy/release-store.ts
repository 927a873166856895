// Platform releases (release trains) in the controller's store: one row per release, with its
// declared waves and, per member, its deployment and what the train asked of it. Written before the
// train acts, like deployments.
import type { ControllerDb } from './store.js';

export type ReleasePhase = 'running' | 'rolling-back' | 'promoted' | 'rolled-back';

export interface ReleaseMemberRow {
  service: string;
  wave: number;
  deploymentId: string | null;
  asked: 'promote' | 'abort' | 'revert' | null;
  /** The deployment that reverted a promoted member to its previous version. */
  revertId: string | null;
  /** Why the member could not start (a refused release, failing checks), when it could not. */
  refused: string | null;
}

export interface ReleaseRow {
  id: string;
  env: string;
  author: string;
  version: string;
  waves: string[][];
  /**
   * What each member's deployment is made from (the request, less its order): kept with the release
   * so a controller restarted mid-release starts the later waves as asked. Absent in rows written before.
   */
  request?: Record<string, unknown>;
  members: ReleaseMemberRow[];
  phase: ReleasePhase;
  /** Why the train rolls back, once it decided so. */
  failure: string | null;
  reason: string | null;
  createdAt: number;
  updatedAt: number;
}

const SCHEMA = `CREATE TABLE IF NOT EXISTS releases (id TEXT PRIMARY KEY, env TEXT NOT NULL, phase TEXT NOT NULL, body TEXT NOT NULL,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL)`;

export function writeRelease(db: ControllerDb, row: ReleaseRow): void {
  db.exec(SCHEMA);
  db.prepare(
    `INSERT INTO releases (id, env, phase, body, created_at, updated_at) VALUES (@id, @env, @phase, @body, @createdAt, @updatedAt)
    ON CONFLICT(id) DO UPDATE SET phase = excluded.phase, body = excluded.body, updated_at = excluded.updated_at`,
  ).run({ id: row.id, env: row.env, phase: row.phase, body: JSON.stringify(row), createdAt: row.createdAt, updatedAt: row.updatedAt });
}

export function readRelease(db: ControllerDb, id: string): ReleaseRow | null {
  db.exec(SCHEMA);
  const r = db.prepare('SELECT body FROM releases WHERE id = ?').get(id) as { body: string } | undefined;
  return r === undefined ? null : (JSON.parse(r.body) as ReleaseRow);
}

export function readReleases(db: ControllerDb, env: string, limit = 50): ReleaseRow[] {
  db.exec(SCHEMA);
  const rows = db.prepare('SELECT body FROM releases WHERE env = ? ORDER BY created_at DESC, rowid DESC LIMIT ?').all(env, limit) as Array<{ body: string }>;
  return rows.map((r) => JSON.parse(r.body) as ReleaseRow);
}

/** The releases a controller was running (or rolling back) when it stopped. */
export function readLiveReleases(db: ControllerDb, env: string): ReleaseRow[] {
  db.exec(SCHEMA);
  const rows = db.prepare(`SELECT body FROM releases WHERE env = ? AND phase IN ('running', 'rolling-back') ORDER BY created_at, rowid`).all(env) as Array<{ body: string }>;
  return rows.map((r) => JSON.parse(r.body) as ReleaseRow);
}
