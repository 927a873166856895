// The deployment record: the checklist for one deployment, filled in from the store — checks with
// their evidence, sign-offs, the plan and its hash, every step and verdict with its numbers,
// rollbacks, timings — and the people's duties as recorded acknowledgements, never as ticked boxes.
import { readApprovals } from './approvals.js';
import { readDeliveries } from './notify/outbox.js';
import { readAudit, verifyAudit, type AuditEvent } from './audit.js';
import type { Evidence } from './checks/index.js';
import {
  SIGNOFF_ROLES,
  assessSignoffs,
  describeErrorBudget,
  planHash,
  requiredSignoffs,
  type DeploymentPlan,
  type ErrorBudget,
  type PromotionEvidence,
  type RuleAssessment,
  type SignoffPolicy,
} from './engine/index.js';
import { readValidation, type ControllerDb, type DeploymentRow } from './store.js';

/** Checklist items that are a person's to do; the system only records that someone says they did them. */
export const ACKNOWLEDGEMENTS = {
  'stakeholder-notification': 'Stakeholders notified of the deployment window',
  'change-ticket': 'Change ticket raised and approved',
  'rollback-plan-reviewed': 'Rollback plan reviewed by the on-call engineer',
  'user-communication': 'User-facing communication sent (if there is downtime or visible change)',
  'documentation-updated': 'Deployment notes, runbooks and system documentation updated',
} as const;

export type AcknowledgementItem = keyof typeof ACKNOWLEDGEMENTS;

export interface DeploymentRecord {
  id: string;
  env: string;
  service: string;
  author: string;
  strategy: string;
  from: string | null;
  to: string;
  outcome: string;
  reason: string | null;
  startedAt: string;
  endedAt: string | null;
  durationS: number | null;
  planHash: string;
  plan: DeploymentPlan;
  checks: Evidence[] | null;
  /** The environment before this one in the promotion chain: its deployment of the version, that record's hash, its validation. */
  promotion: PromotionEvidence | null;
  /** `by` is the person as authenticated; `credential` the key or token that authenticated them. */
  signoffs: {
    required: Array<{ role: string; title: string; by: string | null; credential: string | null; at: string | null; comment: string | null }>;
    rejected: Array<{ role: string; name: string; why: string }>;
  };
  verdicts: RuleAssessment[];
  timeline: Array<{ at: string; offsetS: number; kind: string; actor: string; summary: string }>;
  rollback: { reason: string; verdict: RuleAssessment | null } | null;
  acknowledgements: Array<{ item: string; title: string; by: string | null; at: string | null; note: string | null }>;
  /** Post-deployment phases that have ended, with their verdicts; null when validation never started. */
  validation: {
    phases: Array<{ at: string; phase: string; status: string; observed: string; threshold: string }>;
    rolledBackTo: string | null;
    /** The phase being observed now (from the stored progress, so it survives restarts); null once validation ended. */
    running: { phase: string; since: string; until: string; requests: number } | null;
  } | null;
  /** Who was told what, and whether it reached them (the notifier's delivery log). */
  notifications: Array<{ receiver: string; event: string; status: string; attempts: number; lastError: string | null; at: string; deliveredAt: string | null }>;
  /** The availability error budget before (the error-budget check) and after (at promotion) the deployment. */
  errorBudget: { before: string | null; after: string | null };
  /** Smoke journeys: before the new instances took traffic, and after the promotion. */
  smoke: Array<{ when: string; track: string; evidence: Evidence }>;
  /** Set when a failed after-deploy smoke journey rolled the service back. */
  smokeRollback: { to: string; reason: string } | null;
  audit: { verified: boolean; events: number };
}

const iso = (t: number): string => new Date(t).toISOString();
/** Free text from an audit event's data: a string as is, anything else as JSON. */
const text = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

function summarizeEvent(e: AuditEvent): string {
  const d = e.data;
  if (e.kind === 'deployment.phase') return `${String(d.from)} → ${String(d.to)}${d.reason ? `: ${text(d.reason)}` : ''}`;
  if (e.kind.startsWith('action.')) return JSON.stringify((d as { action?: unknown }).action ?? d);
  if (e.kind === 'signoff.given') return `${String(d.role)} by ${e.actor}${d.credential ? ` (${text(d.credential)})` : ''}${d.comment ? ` (“${text(d.comment)}”)` : ''}`;
  if (e.kind === 'acknowledgement') return `${String(d.item)} by ${String(d.name)}${d.note ? `: ${text(d.note)}` : ''}`;
  if (e.kind === 'smoke') {
    const ev = d.evidence as Evidence;
    return `${String(d.when)} on ${String(d.track)}: ${ev.status} — ${ev.observed}`;
  }
  if (e.kind === 'error-budget') return `${String(d.when)}: ${describeErrorBudget(d.budget as ErrorBudget)}`;
  if (e.kind === 'promotion.evidence') return `${String(d.env)} promoted and validated it (${String(d.deploymentId)}, record ${String(d.recordHash)})`;
  if (e.kind === 'checks.evaluated') return `${String(d.passed ? 'passed' : 'failed')} (${(d.evidence as unknown[] | undefined)?.length ?? 0} checks)`;
  return d.reason ? text(d.reason) : '';
}

function signoffSection(db: ControllerDb, row: DeploymentRow, policy: SignoffPolicy, now: number): DeploymentRecord['signoffs'] {
  const approvals = readApprovals(db, row.id);
  const required = requiredSignoffs(row.state.plan, policy);
  const a = assessSignoffs({ required, sharedRoles: policy.sharedRoles, approvals, planHash: planHash(row.state.plan), author: row.author, now: Math.min(now, row.updatedAt) });
  const roles = [...new Set([...required, ...a.valid.map((v) => v.role)])];
  return {
    required: roles.map((role) => {
      const v = a.valid.find((x) => x.role === role);
      return { role, title: SIGNOFF_ROLES[role], by: v?.name ?? null, credential: v?.credential ?? null, at: v ? iso(v.at) : null, comment: v?.comment ?? null };
    }),
    rejected: a.rejected.map((r) => ({ role: r.approval.role, name: r.approval.name, why: r.why })),
  };
}

/** Assembles the record of one deployment from the controller's store. */
export function readRecord(db: ControllerDb, row: DeploymentRow, options: { signoffs: SignoffPolicy; now: number }): DeploymentRecord {
  const events = readAudit(db, { deploymentId: row.id });
  const started = row.createdAt;
  const done = ['promoted', 'rolled-back', 'failed'].includes(row.state.phase);
  const checks = events.filter((e) => e.kind === 'checks.evaluated').at(-1)?.data.evidence as Evidence[] | undefined;
  const acks = events.filter((e) => e.kind === 'acknowledgement');
  const failing = row.state.assessments.find((a) => a.verdict === 'fail') ?? null;
  const smokeRollback = events.find((e) => e.kind === 'smoke.rollback');
  return {
    id: row.id,
    env: row.env,
    service: row.service,
    author: row.author,
    strategy: row.state.plan.strategy,
    from: row.state.plan.fromVersion,
    to: row.state.plan.toVersion,
    outcome: row.state.phase,
    reason: row.state.reason,
    startedAt: iso(started),
    endedAt: done ? iso(row.updatedAt) : null,
    durationS: done ? Math.round((row.updatedAt - started) / 100) / 10 : null,
    planHash: planHash(row.state.plan),
    plan: row.state.plan,
    checks: checks ?? null,
    promotion: (events.find((e) => e.kind === 'promotion.evidence')?.data as PromotionEvidence | undefined) ?? null,
    notifications: readDeliveries(db, row.id).map((d) => ({
      receiver: d.receiver,
      event: d.event,
      status: d.status,
      attempts: d.attempts,
      lastError: d.lastError,
      at: iso(d.createdAt),
      deliveredAt: d.deliveredAt === null ? null : iso(d.deliveredAt),
    })),
    signoffs: signoffSection(db, row, options.signoffs, options.now),
    verdicts: row.state.assessments,
    timeline: events.map((e) => ({ at: iso(e.at), offsetS: Math.round((e.at - started) / 100) / 10, kind: e.kind, actor: e.actor, summary: summarizeEvent(e) })),
    rollback: row.state.phase === 'rolled-back' ? { reason: row.state.reason ?? 'unknown', verdict: failing } : null,
    acknowledgements: (Object.keys(ACKNOWLEDGEMENTS) as AcknowledgementItem[]).map((item) => {
      const a = acks.filter((x) => x.data.item === item).at(-1);
      return { item, title: ACKNOWLEDGEMENTS[item], by: a ? String(a.data.name) : null, at: a ? iso(a.at) : null, note: a?.data.note ? text(a.data.note) : null };
    }),
    audit: { verified: verifyAudit(db) === null, events: events.length },
    smoke: events.filter((e) => e.kind === 'smoke').map((e) => ({ when: String(e.data.when), track: String(e.data.track), evidence: e.data.evidence as Evidence })),
    errorBudget: {
      before: checks?.find((c) => c.check === 'error-budget')?.observed ?? null,
      after: ((b) => (b ? describeErrorBudget(b) : null))(events.filter((e) => e.kind === 'error-budget').at(-1)?.data.budget as ErrorBudget | undefined),
    },
    smokeRollback: smokeRollback === undefined ? null : { to: String(smokeRollback.data.to), reason: String(smokeRollback.data.reason) },
    validation: events.some((e) => e.kind === 'validation.started')
      ? {
          phases: events
            .filter((e) => e.kind === 'validation.phase')
            .map((e) => ({ at: iso(e.at), phase: String(e.data.phase), status: String(e.data.status), observed: String(e.data.observed), threshold: String(e.data.threshold) })),
          rolledBackTo: (events.find((e) => e.kind === 'validation.rollback')?.data.to as string | undefined) ?? null,
          running: runningPhase(db, row.id),
        }
      : null,
  };
}

/** The validation phase under way, as stored after the last sample. */
function runningPhase(db: ControllerDb, id: string): NonNullable<DeploymentRecord['validation']>['running'] {
  const progress = readValidation(db, id);
  const phase = progress?.status === 'running' ? progress.phases[progress.index] : undefined;
  if (progress === null || phase === undefined) return null;
  return { phase: phase.name, since: iso(progress.phaseStartedAt), until: iso(progress.phaseStartedAt + phase.durationMs), requests: progress.traffic.requests };
}
