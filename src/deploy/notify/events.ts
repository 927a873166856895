// Which audit events people are told about, and in what words. The controller writes every event to
// its audit log; the ones the checklist says to announce (§4, §13, §15) become notifications.
import type { NotifyEvent } from '../../kit/index.js';
import type { AuditEvent } from '../audit.js';

/** One audit event, as the controller appends it (before the log gives it a place in the chain). */
export type AuditInput = Omit<AuditEvent, 'seq' | 'prevHash' | 'hash'>;

export interface Notification {
  event: NotifyEvent;
  env: string;
  deploymentId: string | null;
  service: string | null;
  at: number;
  severity: 'info' | 'warning' | 'critical';
  /** One line a person reads first. */
  summary: string;
  data: Record<string, unknown>;
}

const text = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

type Mapping = { event: NotifyEvent; severity: Notification['severity']; summary: (e: AuditInput, service: string) => string } | null;

function mapping(e: AuditInput): Mapping {
  const d = e.data;
  switch (e.kind) {
    case 'deployment.started':
      return { event: 'deployment.started', severity: 'info', summary: (_, s) => `${s}: ${text(d.strategy)} deployment ${text(d.from)} → ${text(d.to)} started by ${e.actor}` };
    case 'action.setWeights': {
      const w = (d.action as { weights?: Record<string, number> } | undefined)?.weights ?? {};
      return {
        event: 'step.entered',
        severity: 'info',
        summary: (_, s) =>
          `${s}: traffic now ${Object.entries(w)
            .map(([t, p]) => `${t} ${p} %`)
            .join(', ')}`,
      };
    }
    case 'signoff.awaiting':
      return { event: 'signoff.waiting', severity: 'warning', summary: (_, s) => `${s}: promotion waits for sign-off by ${(d.missing as string[] | undefined)?.join(', ') ?? '?'}` };
    case 'deployment.promoted':
      return { event: 'deployment.promoted', severity: 'info', summary: (_, s) => `${s}: promoted${d.reason ? ` (${text(d.reason)})` : ''}` };
    case 'deployment.rolled-back':
      return { event: 'deployment.rolled-back', severity: 'critical', summary: (_, s) => `${s}: rolled back: ${text(d.reason)}` };
    case 'deployment.failed':
    case 'deployment.refused':
      return { event: 'deployment.failed', severity: 'critical', summary: (_, s) => `${s}: deployment failed: ${text(d.reason)}` };
    case 'rollback.emergency':
      return { event: 'rollback.emergency', severity: 'critical', summary: () => `${text(d.service)}: EMERGENCY ROLLBACK by ${e.actor}: ${text(d.reason)}` };
    case 'validation.phase':
      return { event: 'validation.phase', severity: d.status === 'fail' ? 'critical' : 'info', summary: (_, s) => `${s}: ${text(d.phase)} validation ${text(d.status)} (${text(d.observed)})` };
    case 'checks.evaluated':
      return d.passed === false ? { event: 'checks.failed', severity: 'critical', summary: (_, s) => `${s}: pre-deployment checks failed` } : null;
    default:
      return null;
  }
}

/** The notification an audit event makes, or null for an event nobody is told about. */
export function toNotification(e: AuditInput, service: string | null): Notification | null {
  const m = mapping(e);
  if (m === null) return null;
  const name = service ?? (typeof e.data.service === 'string' ? e.data.service : 'platform');
  return {
    event: m.event,
    env: e.env,
    deploymentId: e.deploymentId,
    service: service ?? (typeof e.data.service === 'string' ? e.data.service : null),
    at: e.at,
    severity: m.severity,
    summary: m.summary(e, name),
    data: e.data,
  };
}
