// The admin API's answers, declared once: the server (deploy/http.ts) returns these shapes and the
// CLI reads them (`import type` only: the CLI loads no server code for it). The routes' success
// answers are TypeBox schemas here, which the OpenAPI document carries.
import { Nullable, StringEnum, TRACKS, Type, type Static } from '../kit/index.js';
import type { InstanceLogs } from './adapters/driver.js';
import type { AuditEvent } from './audit.js';
import type { Approval, DeploymentPlan, PlanBudget, PromotionGate, RuleAssessment, SignoffAssessment, StepPower } from './engine/index.js';
import type { DeployLock } from './lock.js';

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

/** `POST /rollback` with `emergency`: every request switched to stable at once (200), where a rollback answers its deployment (201). */
export const EmergencyRollbackAnswer = Type.Object({
  switchMs: Type.Number({ minimum: 0, description: 'How long the switch took' }),
  aborted: Type.Array(Type.String({ description: 'A live deployment aborted by the switch' })),
});
export type EmergencyRollbackAnswer = Static<typeof EmergencyRollbackAnswer>;

/** `POST /plans`: the resolved plan of a request, reviewed before anything happens, and its hash. */
export const PlanReview = Type.Object({
  order: Type.Integer({ minimum: 1, description: "The service's place in the platform's deploy order" }),
  service: Type.String(),
  planHash: Type.String({ description: 'What `deploy --plan-hash` must match to run exactly this plan' }),
  plan: Engine<DeploymentPlan>('The resolved plan: versions, strategy, steps, rules, thresholds'),
  gates: Type.Object({
    preDeploymentChecks: StringEnum(['enforced', 'recorded']),
    signoffs: Type.Array(Type.Object({ role: Type.String(), title: Type.String() })),
    promotion: Engine<PromotionGate>("The promotion chain's verdict on the version"),
  }),
  rollbackTarget: Type.Object(
    { version: Nullable(Type.String()), present: Type.Boolean({ description: 'Its release is here' }), signoffs: Nullable(Type.String({ description: 'What the rollback policy asks of it' })) },
    { description: 'The version a rollback would return to' },
  ),
  budget: Engine<PlanBudget>('How long the plan takes at most'),
  power: Type.Object({
    requestsPerSecond: Type.Number({ minimum: 0 }),
    measuredOverS: Type.Number({ minimum: 0 }),
    steps: Type.Array(Engine<StepPower>("A step's traffic and what its analysis can detect")),
  }),
  warnings: Type.Array(Type.String()),
});
export type PlanReview = Static<typeof PlanReview>;

/** `GET /releases`: the versions the driver can run, oldest first. */
export const ReleasesAnswer = Type.Object({
  base: Type.String({ description: 'The version the platform starts with' }),
  releases: Type.Array(
    Type.Object({
      version: Type.String(),
      createdAt: Type.String(),
      checksum: Type.String({ description: "The release content's checksum" }),
      kind: StringEnum(['directory', 'image']),
      files: Type.Optional(Type.Integer({ minimum: 0, description: 'A directory: its file count' })),
      images: Type.Optional(Type.Array(Type.Object({ role: Type.String(), id: Type.String(), sizeBytes: Type.Integer({ minimum: 0 }) }))),
    }),
  ),
});
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
const ReleaseMemberSummary = Type.Object({
  service: Type.String(),
  wave: Type.Integer({ minimum: 0 }),
  asked: Nullable(StringEnum(['promote', 'abort', 'revert'])),
  deployment: Nullable(DeploymentSummary),
  revert: Nullable(DeploymentSummary),
  refused: Nullable(Type.String({ description: 'Why the member could not start, when it could not' })),
});

/** A platform release (release train) as `POST/GET /release-trains` answer it. */
export const ReleaseSummary = Type.Object({
  id: Type.String(),
  live: Type.Boolean({ description: 'Its controller is driving it now' }),
  env: Type.String(),
  author: Type.String(),
  version: Type.String(),
  waves: Type.Array(Type.Array(Type.String()), { description: 'Services deployed together, wave by wave' }),
  phase: StringEnum(['running', 'rolling-back', 'promoted', 'rolled-back']),
  reason: Nullable(Type.String()),
  failure: Nullable(Type.String()),
  members: Type.Array(ReleaseMemberSummary),
  created_at: Time,
  updated_at: Time,
});
export type ReleaseSummary = Static<typeof ReleaseSummary>;
export const ReleaseList = Type.Object({ releases: Type.Array(ReleaseSummary) });

/** `GET /release-trains/:id/record`: the release as one deployment, a section per service, and its own events. */
export interface ReleaseRecord {
  release: ReleaseSummary;
  sections: Array<{ service: string; wave: number; record: import('./record.js').DeploymentRecord | null; revert: import('./record.js').DeploymentRecord | null; refused: string | null }>;
  events: AuditEvent[];
}
