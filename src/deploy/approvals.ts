// Approvals in the controller's store: one row per sign-off, bound to the plan hash it was given for.
import type { Approval, SignoffRole } from './engine/index.js';
import type { ControllerDb } from './store.js';

const SCHEMA = `CREATE TABLE IF NOT EXISTS approvals (seq INTEGER PRIMARY KEY AUTOINCREMENT, deployment_id TEXT NOT NULL, role TEXT NOT NULL,
  name TEXT NOT NULL, comment TEXT, plan_hash TEXT NOT NULL, at INTEGER NOT NULL, expires_at INTEGER NOT NULL, credential TEXT);
CREATE INDEX IF NOT EXISTS approvals_deployment ON approvals(deployment_id);`;

interface RawApproval {
  deployment_id: string;
  role: string;
  name: string;
  comment: string | null;
  plan_hash: string;
  at: number;
  expires_at: number;
  credential: string | null;
}

const ensured = new WeakSet<ControllerDb>();

export function ensureApprovalsTable(db: ControllerDb): void {
  if (ensured.has(db)) return;
  db.exec(SCHEMA);
  // Stores from before sign-offs were bound to credentials lack the column; their rows keep null.
  const columns = db.prepare('PRAGMA table_info(approvals)').all() as Array<{ name: string }>;
  if (!columns.some((c) => c.name === 'credential')) db.exec('ALTER TABLE approvals ADD COLUMN credential TEXT');
  ensured.add(db);
}

export function writeApproval(db: ControllerDb, a: Approval): void {
  ensureApprovalsTable(db);
  db.prepare('INSERT INTO approvals (deployment_id, role, name, credential, comment, plan_hash, at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
    a.deploymentId,
    a.role,
    a.name,
    a.credential,
    a.comment,
    a.planHash,
    a.at,
    a.expiresAt,
  );
}

export function readApprovals(db: ControllerDb, deploymentId: string): Approval[] {
  ensureApprovalsTable(db);
  return (db.prepare('SELECT * FROM approvals WHERE deployment_id = ? ORDER BY seq').all(deploymentId) as RawApproval[]).map((r) => ({
    deploymentId: r.deployment_id,
    role: r.role as SignoffRole,
    name: r.name,
    credential: r.credential,
    comment: r.comment,
    planHash: r.plan_hash,
    at: r.at,
    expiresAt: r.expires_at,
  }));
}
