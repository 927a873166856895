// `GET …/deployments/{id}/record`'s answer as the OpenAPI document gives it: the record's fields,
// each typed at its top level (the plan, checks' evidence and rule verdicts are the engine's own
// types, described here as objects), and the same record rendered as a page for `Accept: text/html`.
import { Nullable, Type, type RouteDoc } from '../kit/index.js';
import { DeploymentFacts, ReleaseSummary } from './admin-api.js';
import type { AuditEvent } from './audit.js';

const Time = Type.String({ format: 'date-time' });
const Loose = (description: string) => Type.Object({}, { additionalProperties: true, description });
const Items = (description: string) => Type.Array(Loose(description));

export const DeploymentRecordAnswer = Type.Object({
  ...DeploymentFacts,
  outcome: Type.String(),
  reason: Nullable(Type.String()),
  startedAt: Time,
  endedAt: Nullable(Time),
  durationS: Nullable(Type.Number({ minimum: 0 })),
  planHash: Type.String(),
  plan: Loose('The resolved plan (steps, rules, thresholds)'),
  checks: Nullable(Items("The pre-deployment checks' evidence")),
  promotion: Nullable(Loose('The deployment of this version in the environment before this one')),
  signoffs: Type.Object({ required: Items('A required sign-off: role, by, credential, at, comment'), rejected: Items('A refused sign-off: role, name, why') }),
  verdicts: Items("A rule's verdict and evidence"),
  timeline: Items('An event: at, offsetS, kind, actor, summary'),
  rollback: Nullable(Type.Object({ reason: Type.String(), verdict: Nullable(Loose('The verdict that rolled it back')) })),
  acknowledgements: Items('A checklist item: item, title, by, at, note'),
  validation: Nullable(Loose('Post-deployment phases, their verdicts and the phase observed now')),
  notifications: Items('A notification: receiver, event, status, attempts, lastError, at, deliveredAt'),
  errorBudget: Type.Object({ before: Nullable(Type.String()), after: Nullable(Type.String()) }),
  smoke: Items('A smoke journey: when, track, evidence'),
  smokeRollback: Nullable(Type.Object({ to: Type.String(), reason: Type.String() })),
  audit: Type.Object({ verified: Type.Boolean({ description: "The audit log's hash chain checks out" }), events: Type.Integer({ minimum: 0 }) }),
});

export const RECORD_DOC: RouteDoc = {
  ok: { json: DeploymentRecordAnswer, also: { 'text/html': Type.String({ description: 'The record as a page (`Accept: text/html`), as the web dashboard shows it' }) } },
  problems: ['DEPLOYMENT_NOT_FOUND'],
};

/** `GET /release-trains/:id/record`: the release, a section per member (its record and its revert's), and the release's own events. */
export const ReleaseRecordAnswer = Type.Object({
  release: ReleaseSummary,
  sections: Type.Array(
    Type.Object({
      service: Type.String(),
      wave: Type.Integer({ minimum: 0 }),
      record: Nullable(DeploymentRecordAnswer),
      revert: Nullable(DeploymentRecordAnswer),
      refused: Nullable(Type.String({ description: 'Why the member could not start, when it could not' })),
    }),
  ),
  events: Type.Array(Type.Unsafe<AuditEvent>({ type: 'object', description: 'An audit event: at, kind, actor, data, hash' })),
});
