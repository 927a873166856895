// The admin API's answers, declared once: the server (deploy/http.ts) returns these shapes and the
// CLI reads them (`import type` only: the CLI loads no server code for it). The routes' success
// answers are TypeBox schemas here, which the OpenAPI document carries.
import { Nullable, StringEnum, TRACKS, Type, type Static } from '../kit/index.js';
import type { InstanceLogs } from './adapters/driver.js';
import type { AuditEvent } from './audit.js';
import type { Approval, RuleAssessment, SignoffAssessment } from './engine/index.js';
import type { DeployLock } from './lock.js';

export type { PlanReview } from './plan-review.js';
export type { DeploymentRecord } from './record.js';

/** The engine's own types, documented as objects (their fields are the engine's; the CLI reads them whole). */
const Engine = <T>(description: string) => Type.Unsafe<T>({ type: 'object', description });
const Time = Type.String({ format: 'date-time' });
const Rejected = Type.Array(Engine<SignoffAssessment['rejected'][number]>('A refused sign-off: role, name, why'));

/** What a deployment is, as its summary and its record both say it. */
export const DeploymentFacts = {
  id: Type.String(),
  env: Type.String(),
  service: Type.String(),
  author: Type.String(),
  strategy: Type.String(),
  from: Nullable(Type.String({ description: 'The version it replaces' })),
  to: Type.String(),
};

/** One deployment as lists, starts, verbs and rollbacks answer it. */
export const DeploymentSummary = Type.Object({
  ...DeploymentFacts,
  live: Type.Boolean({ description: 'Its controller is driving it now' }),
  phase: Type.String(),
  step: Type.Integer({ minimum: 0 }),
  steps: Type.Array(Type.Number(), { description: 'Traffic weights, in percent' }),
  reason: Nullable(Type.String()),
  assessments: Type.Array(Engine<RuleAssessment>("A rule's verdict and evidence")),
  created_at: Time,
  updated_at: Time,
});
export type DeploymentSummary = Static<typeof DeploymentSummary>;

export const ApprovalAnswer = Type.Object({
  complete: Type.Boolean(),
  missing: Type.Array(Type.String({ description: 'A role still to sign' })),
  approvals: Type.Array(Engine<Approval>('A valid sign-off')),
  rejected: Rejected,
});
export type ApprovalAnswer = Static<typeof ApprovalAnswer>;

/** `GET /deployments/:id`: the summary, its plan hash and the state of its sign-offs. */
export const DeploymentDetail = Type.Composite([DeploymentSummary, Type.Object({ plan_hash: Type.String(), signoffs: ApprovalAnswer })]);
export type DeploymentDetail = Static<typeof DeploymentDetail>;

export const DeploymentList = Type.Object({ deployments: Type.Array(DeploymentSummary) });
export type DeploymentList = Static<typeof DeploymentList>;

export interface EmergencyRollbackAnswer {
  switchMs: number;
  aborted: string[];
}
export const AuditAnswer = Type.Object({
  verified: Type.Boolean({ description: "The log's hash chain checks out" }),
  broken: Nullable(Type.Object({ brokenAt: Type.Integer(), reason: Type.String() })),
  events: Type.Array(Engine<AuditEvent>('An audit event: at, kind, actor, data, hash')),
});
export type AuditAnswer = Static<typeof AuditAnswer>;
export const LockAnswer = Type.Object({ lock: Nullable(Engine<DeployLock>('The holder: env, holder, reason, deploymentId, acquiredAt')) });
export type LockAnswer = Static<typeof LockAnswer>;
export const LockReleasedAnswer = Type.Object({ released: Type.Boolean({ description: 'false: no one held it' }) });
export const AcknowledgedAnswer = Type.Object({ recorded: Type.String({ description: 'The item acknowledged' }) });
export const LogsAnswer = Type.Object({
  service: Type.String(),
  instances: Type.Array(
    Type.Unsafe<InstanceLogs>(
      Type.Object({
        id: Type.String(),
        version: Type.String(),
        track: StringEnum(TRACKS),
        lines: Type.Array(Type.String(), { description: 'Oldest first' }),
        cursor: Type.String({ description: 'Where these lines end' }),
      }),
    ),
  ),
  next: Type.String({ description: 'Passed back as `?after=`, the next answer holds only the lines written since (`pitchey logs -f`)' }),
});
export type LogsAnswer = Static<typeof LogsAnswer>;

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
