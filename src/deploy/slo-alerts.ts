// The service level objectives (engine/slo.ts) as Prometheus rules: one alert per objective over
// the same counts the engine judges, and multi-window, multi-burn-rate alerts on the availability
// error budget (Google SRE workbook, "Alerting on SLOs"). ops/prometheus/slo.yml is this file's
// output (`npm run docs:slo`); a test keeps the two equal, so the objectives are declared once.
import { stringify } from 'yaml';
import { OBJECTIVES, REQUESTS, SLO_MIN_SAMPLES, type Objective } from './engine/index.js';
import { JOB_OUTCOME, METRIC } from '../kit/index.js';

/** Burn rate, long and short window, severity: the workbook's recommended pages and ticket for a 30-day 99.9 % objective. */
export const BURN_RATE_ALERTS = Object.freeze([
  { name: 'PitcheyAvailabilityFastBurn', burn: 14.4, long: '1h', short: '5m', severity: 'critical', spends: '2 % of the 30-day budget in 1 h' },
  { name: 'PitcheyAvailabilitySlowBurn', burn: 6, long: '6h', short: '30m', severity: 'critical', spends: '5 % of the 30-day budget in 6 h' },
  { name: 'PitcheyAvailabilityBudgetTicket', burn: 1, long: '3d', short: '6h', severity: 'warning', spends: '10 % of the 30-day budget in 3 days' },
] as const);

/** The window each objective's own alert measures over, and how long it must hold. */
const OBJECTIVE_WINDOW = '30m';
const OBJECTIVE_FOR = '5m';

/** An objective's events as PromQL range-vector selectors: all of them, and the bad ones or (latency) the good ones. */
type Events = { all: string; bad: string } | { all: string; good: string };

/** The events of an objective over `window`, from the metric the engine's outcomes come from. */
export function objectiveEvents(o: Objective, window: string): Events {
  const service = o.services ? `service=~"${o.services.join('|')}"` : '';
  const sel = (metric: string, ...matchers: string[]): string => {
    const labels = [service, ...matchers].filter(Boolean).join(',');
    return `${metric}${labels === '' ? '' : `{${labels}}`}[${window}]`;
  };
  if (o.indicator.kind === 'latency') {
    const duration = METRIC.gatewayCriticalDuration;
    return { all: sel(`${duration}_count`), good: sel(`${duration}_bucket`, `le="${o.indicator.boundMs / 1000}"`) };
  }
  const [op] = o.indicator.operations;
  if (o.indicator.operations.length !== 1 || op === undefined) throw new Error(`objective ${o.id}: one operation per objective is supported in Prometheus`);
  if (op === REQUESTS) return { all: sel(METRIC.upstreamRequests), bad: sel(METRIC.upstreamRequests, 'status_class=~"5xx|error|timeout"') };
  if (op.startsWith('job:')) {
    const type = op === 'job:' ? '' : `job_type="${op.slice(4)}"`;
    return { all: sel(METRIC.jobsSettled, type, `outcome=~"${JOB_OUTCOME.completed}|${JOB_OUTCOME.failed}"`), bad: sel(METRIC.jobsSettled, type, `outcome="${JOB_OUTCOME.failed}"`) };
  }
  return { all: sel(METRIC.gatewayOperations, `operation="${op}"`), bad: sel(METRIC.gatewayOperations, `operation="${op}"`, 'outcome="failure"') };
}

const sumIncrease = (selector: string): string => `sum by (service) (increase(${selector}))`;

/** The share of bad events per service over `window` (latency: requests beyond the bound). */
export function errorRatio(o: Objective, window: string): string {
  const e = objectiveEvents(o, window);
  return 'good' in e ? `1 - ${sumIncrease(e.good)} / ${sumIncrease(e.all)}` : `${sumIncrease(e.bad)} / ${sumIncrease(e.all)}`;
}

/** Events per service over `window` (the alert waits for as many as the engine's rule does). */
function eventCount(o: Objective, window: string): string {
  return sumIncrease(objectiveEvents(o, window).all);
}

/** Where an alert's runbook section is: docs/runbooks.md, one heading per alert (a test checks each anchor). */
export const runbookUrl = (alert: string): string => `docs/runbooks.md#${alert.toLowerCase()}`;
const alertName = (o: Objective): string => `PitcheySlo${o.id.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase())}`;
const allowance = (o: Objective): number => round(1 - o.target);
const round = (x: number): number => Number(x.toPrecision(10));
const percent = (x: number): string => `${round(x * 100)} %`;

/** How long the 30-day budget lasts at a burn rate, in words. */
const budgetDays = (burn: number): string => `${Number((30 / burn).toFixed(1))} days`;

/** What an objective's alert means and where to look, in the operator's words (the alert's description). */
function objectiveDescription(o: Objective): string {
  const metric = objectiveEvents(o, OBJECTIVE_WINDOW)
    .all.replace(/[{[].*$/s, '')
    .replace(/_count$/, '');
  const bad = o.indicator.kind === 'latency' ? `took longer than ${o.indicator.boundMs / 1000} s` : 'failed';
  return (
    `${o.title}: over the last ${OBJECTIVE_WINDOW} (${SLO_MIN_SAMPLES} events or more), more than ${percent(allowance(o))} of the service's counted events (${metric}) ${bad}, more than the objective allows. ` +
    `Deployments are judged by the same objective (rule slo-${o.id}). Look at: a deployment in progress (\`pitchey status\`), ${metric} by track and version, and \`pitchey logs {{ $labels.service }}\`.`
  );
}

function objectiveAlert(o: Objective): Record<string, unknown> {
  const goal = o.indicator.kind === 'latency' ? `${percent(o.target)} within ${o.indicator.boundMs / 1000} s` : `success ≥ ${percent(o.target)}`;
  return {
    alert: alertName(o),
    expr: `(${errorRatio(o, OBJECTIVE_WINDOW)}) > ${allowance(o)}\n  and ${eventCount(o, OBJECTIVE_WINDOW)} >= ${SLO_MIN_SAMPLES}\n`,
    for: OBJECTIVE_FOR,
    labels: { severity: 'warning', slo: o.id },
    annotations: {
      summary: `{{ $labels.service }}: ${o.title} misses its objective (${goal}): {{ $value | humanizePercentage }} bad over ${OBJECTIVE_WINDOW}`,
      description: objectiveDescription(o),
      runbook_url: runbookUrl(alertName(o)),
    },
  };
}

/** Recording rules of the availability error ratio over every window a burn-rate alert reads. */
function availabilityRecords(o: Objective): Array<Record<string, unknown>> {
  const windows = [...new Set(BURN_RATE_ALERTS.flatMap((a) => [a.short, a.long]))];
  return windows.map((w) => ({ record: `pitchey:slo_availability:error_ratio_rate${w}`, expr: errorRatio(o, w) }));
}

function burnRateAlert(o: Objective, a: (typeof BURN_RATE_ALERTS)[number]): Record<string, unknown> {
  const limit = round(a.burn * allowance(o));
  const ratio = (w: string): string => `pitchey:slo_availability:error_ratio_rate${w}`;
  return {
    alert: a.name,
    expr: `${ratio(a.long)} > ${limit}\n  and ${ratio(a.short)} > ${limit}\n`,
    labels: { severity: a.severity, slo: o.id, burn_rate: String(a.burn) },
    annotations: {
      summary: `{{ $labels.service }}: availability error budget burning at ${a.burn}× or more over ${a.long} and ${a.short} (${a.spends})`,
      description:
        `Over both ${a.long} and ${a.short}, more than ${percent(a.burn * allowance(o))} of the service's requests failed at the gateway (${a.burn}× the ${percent(allowance(o))} the objective allows): ` +
        `at this rate the 30-day error budget is gone in ${budgetDays(a.burn)}. Look at: a deployment in progress (\`pitchey status\`), which track and status class fail (${METRIC.upstreamRequests}), and \`pitchey logs {{ $labels.service }}\`.`,
      runbook_url: runbookUrl(a.name),
    },
  };
}

/** ops/prometheus/slo.yml, exactly. */
export function renderSloRules(objectives: readonly Objective[] = OBJECTIVES): string {
  const availability = objectives.find((o) => o.id === 'availability');
  if (!availability) throw new Error('the objectives have no availability objective to burn a budget of');
  const groups = [
    { name: 'pitchey-slo', rules: objectives.map(objectiveAlert) },
    { name: 'pitchey-slo-availability-burn', rules: [...availabilityRecords(availability), ...BURN_RATE_ALERTS.map((a) => burnRateAlert(availability, a))] },
  ];
  const header = [
    '# Generated by `npm run docs:slo` from src/deploy/engine/slo.ts (OBJECTIVES) — do not edit: a test',
    '# compares this file with the generator. The checklist objectives the deploy engine judges',
    '# canaries by, as alerts over the same counts, and the availability error budget burn rates.',
  ].join('\n');
  return `${header}\n${stringify({ groups }, { lineWidth: 0 })}`;
}
