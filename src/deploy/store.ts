// The controller's store (one SQLite file): deployments with their engine state, written before
// each action; the current version per service and environment; locks; and the audit log.
import Database from 'better-sqlite3';
import { TERMINAL_PHASES, type DeploymentState, type Phase, type ValidationProgress } from './engine/index.js';

export interface DeploymentRow {
  id: string;
  env: string;
  service: string;
  author: string;
  state: DeploymentState;
  createdAt: number;
  updatedAt: number;
}

export function isActive(phase: Phase): boolean {
  return !TERMINAL_PHASES.includes(phase);
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS deployments (id TEXT PRIMARY KEY, env TEXT NOT NULL, service TEXT NOT NULL, author TEXT NOT NULL,
  phase TEXT NOT NULL, state TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS deployments_env ON deployments(env, created_at);
CREATE TABLE IF NOT EXISTS current_versions (env TEXT NOT NULL, service TEXT NOT NULL, version TEXT NOT NULL, previous TEXT,
  updated_at INTEGER NOT NULL, PRIMARY KEY (env, service));
CREATE TABLE IF NOT EXISTS validations (deployment_id TEXT PRIMARY KEY, env TEXT NOT NULL, status TEXT NOT NULL, progress TEXT NOT NULL,
  updated_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS locks (env TEXT PRIMARY KEY, holder TEXT NOT NULL, reason TEXT NOT NULL, deployment_id TEXT, acquired_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS audit (seq INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, env TEXT NOT NULL, deployment_id TEXT,
  kind TEXT NOT NULL, actor TEXT NOT NULL, data TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
`;

export type ControllerDb = Database.Database;

export function openControllerDb(path: string): ControllerDb {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.exec(SCHEMA);
  return db;
}

interface RawDeployment {
  id: string;
  env: string;
  service: string;
  author: string;
  state: string;
  created_at: number;
  updated_at: number;
}

const toRow = (r: RawDeployment): DeploymentRow => ({
  id: r.id,
  env: r.env,
  service: r.service,
  author: r.author,
  state: JSON.parse(r.state) as DeploymentState,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export function writeDeployment(db: ControllerDb, row: { id: string; env: string; service: string; author: string; state: DeploymentState }): void {
  db.prepare(
    `INSERT INTO deployments (id, env, service, author, phase, state, created_at, updated_at) VALUES (@id, @env, @service, @author, @phase, @state, @at, @at)
    ON CONFLICT(id) DO UPDATE SET phase = excluded.phase, state = excluded.state, updated_at = excluded.updated_at`,
  ).run({ ...row, phase: row.state.phase, state: JSON.stringify(row.state), at: row.state.updatedAt });
}

export function readDeployment(db: ControllerDb, id: string): DeploymentRow | null {
  const r = db.prepare('SELECT * FROM deployments WHERE id = ?').get(id) as RawDeployment | undefined;
  return r === undefined ? null : toRow(r);
}

export function readDeployments(db: ControllerDb, options: { env?: string; activeOnly?: boolean; limit?: number } = {}): DeploymentRow[] {
  const rows = db
    .prepare(`SELECT * FROM deployments WHERE (@env IS NULL OR env = @env) ORDER BY created_at DESC, rowid DESC LIMIT @limit`)
    .all({ env: options.env ?? null, limit: options.limit ?? 100 }) as RawDeployment[];
  return rows.map(toRow).filter((r) => !options.activeOnly || isActive(r.state.phase));
}

export function readCurrentVersion(db: ControllerDb, env: string, service: string): { version: string; previous: string | null } | null {
  return (db.prepare('SELECT version, previous FROM current_versions WHERE env = ? AND service = ?').get(env, service) as { version: string; previous: string | null } | undefined) ?? null;
}

/** Records `version` as current; the one it replaces (or `replaced`, on a first record) becomes previous. */
export function writeCurrentVersion(db: ControllerDb, env: string, service: string, version: string, now: number, replaced: string | null = null): void {
  const current = readCurrentVersion(db, env, service);
  if (current?.version === version) return;
  db.prepare(
    `INSERT INTO current_versions (env, service, version, previous, updated_at) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT(env, service) DO UPDATE SET previous = current_versions.version, version = excluded.version, updated_at = excluded.updated_at`,
  ).run(env, service, version, current?.version ?? replaced, now);
}

/** A promoted deployment's post-deployment validation, written after every sample so a restart resumes it. */
export function writeValidation(db: ControllerDb, deploymentId: string, env: string, progress: ValidationProgress, now: number): void {
  db.prepare(
    `INSERT INTO validations (deployment_id, env, status, progress, updated_at) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT(deployment_id) DO UPDATE SET status = excluded.status, progress = excluded.progress, updated_at = excluded.updated_at`,
  ).run(deploymentId, env, progress.status, JSON.stringify(progress), now);
}

export function readValidation(db: ControllerDb, deploymentId: string): ValidationProgress | null {
  const r = db.prepare('SELECT progress FROM validations WHERE deployment_id = ?').get(deploymentId) as { progress: string } | undefined;
  return r === undefined ? null : (JSON.parse(r.progress) as ValidationProgress);
}

/** The deployments of `env` whose validation was still running when last written. */
export function readRunningValidations(db: ControllerDb, env: string): string[] {
  return (db.prepare("SELECT deployment_id FROM validations WHERE env = ? AND status = 'running'").all(env) as Array<{ deployment_id: string }>).map((r) => r.deployment_id);
}
