// The admin API's answers, declared once: the server (deploy/http.ts) returns these shapes and the
// CLI reads them (`import type` only: the CLI loads no server code for it).
import type { InstanceLogs } from './adapters/driver.js';
import type { AuditEvent } from './audit.js';
import type { Approval, RuleAssessment, SignoffAssessment } from './engine/index.js';
import type { DeployLock } from './lock.js';

export type { PlanReview } from './plan-review.js';
export type { DeploymentRecord } from './record.js';

/** One deployment as lists, starts, verbs and rollbacks answer it. */
export interface DeploymentSummary {
  id: string;
  live: boolean;
  env: string;
  service: string;
  author: string;
  strategy: string;
  from: string | null;
  to: string;
  phase: string;
  step: number;
  steps: number[];
  reason: string | null;
  assessments: RuleAssessment[];
  created_at: string;
  updated_at: string;
}

/** `GET /deployments/:id`: the summary, its plan hash and the state of its sign-offs. */
export interface DeploymentDetail extends DeploymentSummary {
  plan_hash: string;
  signoffs: { complete: boolean; missing: string[]; approvals: Approval[]; rejected: SignoffAssessment['rejected'] };
}

export interface DeploymentList {
  deployments: DeploymentSummary[];
}
export interface ApprovalAnswer {
  complete: boolean;
  missing: string[];
  approvals: Approval[];
  rejected: SignoffAssessment['rejected'];
}
export interface EmergencyRollbackAnswer {
  switchMs: number;
  aborted: string[];
}
export interface AuditAnswer {
  verified: boolean;
  broken: { brokenAt: number; reason: string } | null;
  events: AuditEvent[];
}
export interface LockAnswer {
  lock: DeployLock | null;
}
export interface LogsAnswer {
  service: string;
  instances: InstanceLogs[];
  /** Passed back as `?after=`, the next answer holds only the lines written since (`pitchey logs -f`). */
  next: string;
}

/** One member of a platform release: its deployment, what the train asked of it, and its revert. */
export interface ReleaseMemberSummary {
  service: string;
  wave: number;
  asked: 'promote' | 'abort' | 'revert' | null;
  deployment: DeploymentSummary | null;
  revert: DeploymentSummary | null;
  /** Why the member could not start, when it could not. */
  refused: string | null;
}

/** A platform release (release train) as `POST/GET /release-trains` answer it. */
export interface ReleaseSummary {
  id: string;
  live: boolean;
  env: string;
  author: string;
  version: string;
  waves: string[][];
  phase: 'running' | 'rolling-back' | 'promoted' | 'rolled-back';
  reason: string | null;
  failure: string | null;
  members: ReleaseMemberSummary[];
  created_at: string;
  updated_at: string;
}

/** `GET /release-trains/:id/record`: the release as one deployment, a section per service, and its own events. */
export interface ReleaseRecord {
  release: ReleaseSummary;
  sections: Array<{ service: string; wave: number; record: import('./record.js').DeploymentRecord | null; revert: import('./record.js').DeploymentRecord | null; refused: string | null }>;
  events: AuditEvent[];
}
