// The Grafana dashboards of ops/grafana/dashboards, generated (`npm run docs:dashboards`) from the
// metric catalogue and the engine's thresholds, so a renamed metric or a changed rollback rule
// changes the dashboards with it: the platform overview, each service's RED view (rate, errors,
// duration) and a deployment view (canary against stable, with the rollback rules drawn).
import { DEFAULT_RULES, MONITORING_ALERTS } from '../engine/index.js';
import { LABEL, METRIC } from '../../kit/index.js';
import { renderDashboard, type DashboardSpec, type PanelSpec, type Query } from './grafana.js';

export { DATASOURCE } from './grafana.js';

const SERVICE = `${LABEL.service}=~"$service"`;
/** The gateway's answers that count as errors: the service's 5xx, and no answer at all. */
const FAILED = `${LABEL.statusClass}=~"5xx|error|timeout"`;

const rate = (metric: string, selector: string): string => `rate(${metric}{${selector}}[$__rate_interval])`;
const sumBy = (labels: string[], expr: string): string => `sum by (${labels.join(', ')}) (${expr})`;
const ratio = (labels: string[], metric: string, failed: string, all: string): string => `${sumBy(labels, rate(metric, `${all},${failed}`))} / ${sumBy(labels, rate(metric, all))}`;
const p95 = (labels: string[], metric: string, selector: string): string => `histogram_quantile(0.95, ${sumBy([...labels, 'le'], rate(`${metric}_bucket`, selector))})`;
const legend = (labels: string[]): string => labels.map((l) => `{{${l}}}`).join(' ');
const q = (expr: string, labels: string[]): Query => ({ expr, legend: legend(labels) });

const threshold = (id: string): number => {
  const rule = DEFAULT_RULES.find((r) => r.id === id);
  if (rule === undefined) throw new Error(`no default rule ${id}`);
  return rule.threshold;
};
const ALERT_LINES = {
  errorRate: [
    { value: MONITORING_ALERTS.errorRate.warning, color: 'yellow' as const },
    { value: MONITORING_ALERTS.errorRate.critical, color: 'red' as const },
  ],
  latency: [
    { value: MONITORING_ALERTS.latencyP95Seconds.warning, color: 'yellow' as const },
    { value: MONITORING_ALERTS.latencyP95Seconds.critical, color: 'red' as const },
  ],
};

const ST = [LABEL.service, LABEL.track];
const upstreamRate: PanelSpec = {
  title: 'Request rate',
  description: 'Requests the gateway sent to each service, per track (stable, canary, blue, green).',
  queries: [q(sumBy(ST, rate(METRIC.upstreamRequests, SERVICE)), ST)],
  unit: 'reqps',
};
const upstreamErrors: PanelSpec = {
  title: 'Error rate',
  description: 'Share of requests answered 5xx or not at all (connection error, timeout), per track; lines at the warning and critical alert thresholds.',
  queries: [q(ratio(ST, METRIC.upstreamRequests, FAILED, SERVICE), ST)],
  unit: 'percentunit',
  thresholds: ALERT_LINES.errorRate,
};
const upstreamP95: PanelSpec = {
  title: 'p95 latency',
  description: "95th percentile of the upstream's answer time, per track; lines at the warning and critical alert thresholds.",
  queries: [q(p95(ST, METRIC.upstreamDuration, SERVICE), ST)],
  unit: 's',
  thresholds: ALERT_LINES.latency,
};
const healthy: PanelSpec = {
  title: 'Healthy instances',
  description: 'Instances passing readiness, per service (the gateway probes each every 2 s).',
  type: 'stat',
  queries: [q(sumBy([LABEL.service], `${METRIC.upstreamHealthy}{${SERVICE}}`), [LABEL.service])],
  w: 8,
  h: 6,
};
const versionShare: PanelSpec = {
  title: 'Traffic share by version',
  description: "Each version's share of a service's traffic: a canary's weight or a blue-green switch as it happens.",
  queries: [
    q(`${sumBy([LABEL.service, LABEL.version], rate(METRIC.upstreamRequests, SERVICE))} / ignoring (${LABEL.version}) group_left ${sumBy([LABEL.service], rate(METRIC.upstreamRequests, SERVICE))}`, [
      LABEL.service,
      LABEL.version,
    ]),
  ],
  unit: 'percentunit',
  w: 16,
};

function overview(): DashboardSpec {
  return {
    uid: 'pitchey-platform-overview',
    title: 'Pitchey platform overview',
    description:
      'Gateway traffic per service and track (request rate, error rate, p95), instances and versions, and jobs; a service’s own view is the RED dashboard. Generated from src/kit/metrics.ts (npm run docs:dashboards).',
    serviceVariable: { metric: METRIC.upstreamRequests, multi: true },
    rows: [
      {
        title: 'Traffic, as the gateway sees it (per service and track)',
        panels: [
          upstreamRate,
          upstreamErrors,
          upstreamP95,
          {
            title: 'Error rate, 5 min (alert rule)',
            description: "The recording rule the checklist's error-rate alerts read (ops/prometheus/alerts.yml).",
            type: 'stat',
            queries: [q(`pitchey:upstream_error_ratio:rate5m{${SERVICE}}`, [LABEL.service])],
            unit: 'percentunit',
            thresholds: ALERT_LINES.errorRate,
            w: 12,
            h: 5,
          },
          {
            title: 'p95 latency, 5 min (alert rule)',
            description: "The recording rule the checklist's latency alerts read (ops/prometheus/alerts.yml).",
            type: 'stat',
            queries: [q(`pitchey:upstream_latency_p95:rate5m{${SERVICE}}`, [LABEL.service])],
            unit: 's',
            thresholds: ALERT_LINES.latency,
            w: 12,
            h: 5,
          },
        ],
      },
      {
        title: 'Instances and versions',
        panels: [
          healthy,
          versionShare,
          {
            title: 'Instances: track, version, health',
            description: 'Every upstream instance the gateway routes to, with its track, version and health (1 healthy).',
            type: 'table',
            queries: [q(`max by (${[LABEL.service, LABEL.track, LABEL.version, LABEL.upstreamInstance].join(', ')}) (${METRIC.upstreamHealthy}{${SERVICE}})`, [LABEL.upstreamInstance])],
            w: 16,
          },
          { title: 'Scrape targets up', description: 'Each process Prometheus scrapes (1 up).', type: 'stat', queries: [q('up{job="pitchey"}', ['instance'])], w: 8 },
        ],
      },
      {
        title: 'Jobs (long work: transcodes, OCR, code runs)',
        panels: [
          { title: 'Jobs running', description: 'Jobs running now, per service.', queries: [q(sumBy([LABEL.service], `${METRIC.jobsActive}{${SERVICE}}`), [LABEL.service])] },
          {
            title: 'Job outcomes',
            description: 'Jobs reaching a final state per second: completed, failed, rejected (bad input), cancelled.',
            queries: [q(sumBy([LABEL.service, LABEL.outcome], rate(METRIC.jobsSettled, SERVICE)), [LABEL.service, LABEL.outcome])],
            unit: 'ops',
          },
          {
            title: 'Job p95 run time',
            description: '95th percentile of job run time, per service and job type.',
            queries: [q(p95([LABEL.service, LABEL.jobType], METRIC.jobDuration, SERVICE), [LABEL.service, LABEL.jobType])],
            unit: 's',
          },
        ],
      },
    ],
  };
}

const SR = [LABEL.service, LABEL.route];
/** One service's rate, errors and duration, per route, as the service answers (and as the gateway sees it). */
function serviceRed(): DashboardSpec {
  const own = SERVICE;
  return {
    uid: 'pitchey-service-red',
    title: 'Pitchey service: rate, errors, duration',
    description:
      "One service's RED view: what it answers per route and status, its errors and latency, and the gateway's view of it per track. Generated from src/kit/metrics.ts (npm run docs:dashboards).",
    serviceVariable: { metric: METRIC.httpRequests, multi: false },
    rows: [
      {
        title: 'Rate',
        panels: [
          {
            title: 'Requests by route',
            description: 'Requests the service answered per second, per route.',
            queries: [q(sumBy(SR, rate(METRIC.httpRequests, own)), [LABEL.route])],
            unit: 'reqps',
            w: 12,
          },
          {
            title: 'Answers by status',
            description: 'Answers per second by HTTP status (499: the client hung up first).',
            queries: [q(sumBy([LABEL.service, LABEL.status], rate(METRIC.httpRequests, own)), [LABEL.status])],
            unit: 'reqps',
            w: 12,
          },
        ],
      },
      {
        title: 'Errors',
        panels: [
          {
            title: '5xx share by route',
            description: 'Share of answers that are server errors, per route; lines at the alert thresholds.',
            queries: [q(ratio(SR, METRIC.httpRequests, `${LABEL.status}=~"5.."`, own), [LABEL.route])],
            unit: 'percentunit',
            thresholds: ALERT_LINES.errorRate,
            w: 12,
          },
          {
            title: '4xx by route',
            description: 'Client errors per second, per route: bad input, missing keys, rate limits.',
            queries: [q(sumBy(SR, rate(METRIC.httpRequests, `${own},${LABEL.status}=~"4.."`)), [LABEL.route])],
            unit: 'reqps',
            w: 12,
          },
        ],
      },
      {
        title: 'Duration',
        panels: [
          {
            title: 'p95 by route',
            description: "95th percentile of the service's own answer time, per route.",
            queries: [q(p95(SR, METRIC.httpDuration, own), [LABEL.route])],
            unit: 's',
            thresholds: ALERT_LINES.latency,
            w: 12,
          },
          {
            title: 'p50 and p99',
            description: 'Median and 99th percentile over every route.',
            queries: [
              { expr: `histogram_quantile(0.5, ${sumBy([LABEL.service, 'le'], rate(`${METRIC.httpDuration}_bucket`, own))})`, legend: 'p50' },
              { expr: `histogram_quantile(0.99, ${sumBy([LABEL.service, 'le'], rate(`${METRIC.httpDuration}_bucket`, own))})`, legend: 'p99' },
            ],
            unit: 's',
            w: 12,
          },
        ],
      },
      { title: 'Through the gateway (per track)', panels: [upstreamRate, upstreamErrors, upstreamP95] },
    ],
  };
}

/** A deployment as the rollback rules judge it: the new track against stable, with the rules' thresholds drawn. */
function deployment(): DashboardSpec {
  const stable = `${SERVICE},${LABEL.track}="stable"`;
  const candidate = `${SERVICE},${LABEL.track}!="stable"`;
  const errorRule = threshold('error-rate');
  const latencyRule = threshold('latency-degraded');
  return {
    uid: 'pitchey-deployment',
    title: 'Pitchey deployment: canary against stable',
    description: `The new track (canary, or the new colour) against stable, as the controller's rollback rules compare them: error rate against the ${errorRule * 100} % rule, p95 against ${latencyRule} × stable's. Generated from src/deploy/engine/defaults.ts and src/kit/metrics.ts (npm run docs:dashboards).`,
    serviceVariable: { metric: METRIC.upstreamRequests, multi: false },
    rows: [
      {
        title: 'Canary against stable',
        panels: [
          {
            title: 'Error rate: canary and stable',
            description: `Share of requests answered 5xx or not at all, per track; the red line is the error-rate rollback rule (${errorRule * 100} %).`,
            queries: [q(ratio(ST, METRIC.upstreamRequests, FAILED, SERVICE), [LABEL.track])],
            unit: 'percentunit',
            thresholds: [{ value: errorRule, color: 'red' }],
            w: 12,
          },
          {
            title: 'p95 latency: canary, stable, and the rollback line',
            description: `95th percentile per track, and ${latencyRule} × stable's: a canary above that line breaks the latency-degraded rule.`,
            queries: [
              q(p95(ST, METRIC.upstreamDuration, SERVICE), [LABEL.track]),
              { expr: `${latencyRule} * ${p95([LABEL.service], METRIC.upstreamDuration, stable)}`, legend: `rollback line (${latencyRule} × stable)` },
            ],
            unit: 's',
            w: 12,
          },
          {
            title: 'Request rate per track',
            description: 'Requests per second to each track: the canary needs enough of them to be judged.',
            queries: [q(sumBy(ST, rate(METRIC.upstreamRequests, SERVICE)), [LABEL.track])],
            unit: 'reqps',
          },
          { ...versionShare, w: 8 },
          {
            title: 'Auth failures: canary and stable',
            description: `401/403 share per track; the red line is the auth-failures rule's margin over stable (${threshold('auth-failures') * 100} points).`,
            queries: [q(ratio(ST, METRIC.upstreamRequests, `${LABEL.statusClass}="4xx"`, SERVICE), [LABEL.track])],
            unit: 'percentunit',
            thresholds: [{ value: threshold('auth-failures'), color: 'red' }],
          },
        ],
      },
      {
        title: 'Instances',
        panels: [
          { ...healthy, title: 'Healthy instances per track', queries: [q(sumBy(ST, `${METRIC.upstreamHealthy}{${SERVICE}}`), [LABEL.track])] },
          {
            title: 'Candidate answers by status class',
            description: 'Answers per second on the tracks other than stable: 2xx, 4xx, 5xx, error (no answer), timeout.',
            queries: [q(sumBy([...ST, LABEL.statusClass], rate(METRIC.upstreamRequests, candidate)), [LABEL.track, LABEL.statusClass])],
            unit: 'reqps',
          },
          {
            title: 'Stable answers by status class',
            description: 'The same on stable, the baseline the candidate is judged against.',
            queries: [q(sumBy([...ST, LABEL.statusClass], rate(METRIC.upstreamRequests, stable)), [LABEL.track, LABEL.statusClass])],
            unit: 'reqps',
          },
        ],
      },
    ],
  };
}

/** Every dashboard's file name under ops/grafana/dashboards and its JSON text. */
export function renderDashboards(): Record<string, string> {
  const files: Record<string, DashboardSpec> = { 'platform-overview.json': overview(), 'service-red.json': serviceRed(), 'deployment.json': deployment() };
  return Object.fromEntries(Object.entries(files).map(([file, spec]) => [file, `${JSON.stringify(renderDashboard(spec), null, 2)}\n`]));
}
