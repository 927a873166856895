// The one metric catalogue: names and labels shared by the services, the gateway, and later the
// alert rules, dashboards and the controller's rollback rules. Nothing else names a metric.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export const METRIC = {
  httpRequests: 'pitchey_http_requests_total',
  httpDuration: 'pitchey_http_request_duration_seconds',
  jobsSettled: 'pitchey_jobs_settled_total',
  jobsActive: 'pitchey_jobs_active',
  jobDuration: 'pitchey_job_duration_seconds',
  upstreamRequests: 'pitchey_gateway_upstream_requests_total',
  upstreamDuration: 'pitchey_gateway_upstream_duration_seconds',
  upstreamHealthy: 'pitchey_gateway_upstream_healthy',
  gatewayOperations: 'pitchey_gateway_operations_total',
  gatewayCriticalDuration: 'pitchey_gateway_critical_duration_seconds',
  aiProviderCalls: 'pitchey_ai_provider_calls_total',
  aiTokens: 'pitchey_ai_tokens_total',
  // The controller's deployments, as Argo Rollouts exports its rollouts (rollout_info, rollout_phase).
  deploymentInfo: 'pitchey_deployment_info',
  deploymentPhase: 'pitchey_deployment_phase',
  deploymentStep: 'pitchey_deployment_step',
  deploymentCanaryWeight: 'pitchey_deployment_canary_weight',
  analysisVerdicts: 'pitchey_analysis_verdicts_total',
  /** prom-client's default process metrics keep their standard names, which every Node dashboard reads. */
  processStart: 'process_start_time_seconds',
} as const;

export const LABEL = {
  service: 'service',
  route: 'route',
  method: 'method',
  status: 'status',
  statusClass: 'status_class',
  version: 'version',
  track: 'track',
  /**
   * The gateway's upstream instance (`video-1`). Not `instance`: that label is the scrape target's,
   * and Prometheus renames a target's own `instance` to `exported_instance` on every scrape.
   */
  upstreamInstance: 'upstream_instance',
  jobType: 'job_type',
  outcome: 'outcome',
  provider: 'provider',
  direction: 'direction',
  operation: 'operation',
  deployment: 'deployment',
  strategy: 'strategy',
  phase: 'phase',
  rule: 'rule',
  verdict: 'verdict',
} as const;

/**
 * pitchey_jobs_settled_total's outcomes. `rejected`: the job failed on its input (a 4xx problem,
 * the client's mistake), so it counts neither for nor against processing success.
 */
export const JOB_OUTCOME = { completed: 'completed', failed: 'failed', rejected: 'rejected', cancelled: 'cancelled' } as const;

/** Buckets (seconds) of critical routes' latency: one edge at the objective's 2 s, so Prometheus counts it exactly. */
export const CRITICAL_LATENCY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10];

/** Latency buckets (seconds) fine enough around 100 ms–1 s, where the checklist's thresholds sit. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

const HTTP_LABELS = [LABEL.service, LABEL.route, LABEL.method, LABEL.status, LABEL.version, LABEL.track] as const;
const UPSTREAM_LABELS = [LABEL.service, LABEL.track, LABEL.version, LABEL.upstreamInstance, LABEL.statusClass] as const;
const OPERATION_LABELS = [LABEL.service, LABEL.track, LABEL.version, LABEL.operation, LABEL.outcome] as const;

export interface Metrics {
  registry: Registry;
  httpRequests: Counter<(typeof HTTP_LABELS)[number]>;
  httpDuration: Histogram<(typeof HTTP_LABELS)[number]>;
  jobsSettled: Counter<'service' | 'job_type' | 'outcome'>;
  jobsActive: Gauge<'service'>;
  /** Read at scrape time: each service registers how many jobs it runs now. */
  jobsActiveSources: Map<string, () => number>;
  jobDuration: Histogram<'service' | 'job_type' | 'outcome'>;
  upstreamRequests: Counter<(typeof UPSTREAM_LABELS)[number]>;
  upstreamDuration: Histogram<(typeof UPSTREAM_LABELS)[number]>;
  upstreamHealthy: Gauge<'service' | 'track' | 'version' | 'upstream_instance'>;
  /** Operations the gateway judges from answers (`auth`, `inference`): outcome `success` or `failure`, a client's own mistakes left out. */
  gatewayOperations: Counter<(typeof OPERATION_LABELS)[number]>;
  /** Latency of requests on routes marked critical, by route prefix. */
  gatewayCriticalDuration: Histogram<'service' | 'route' | 'track' | 'version'>;
  /** AI provider attempts: outcome `ok` or `error` (each failed attempt, retries included). */
  aiProviderCalls: Counter<'provider' | 'outcome'>;
  /** Tokens sent to (`in`) and received from (`out`) AI providers. */
  aiTokens: Counter<'provider' | 'direction'>;
}

/**
 * prom-client's process and Node.js metrics under their standard names, less three gauges it names
 * `*_total` (only counters may: promtool refuses them); their per-type gauges stay, and `sum()` of
 * one is its total.
 */
const GAUGES_NAMED_AS_COUNTERS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

function collectStandardMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry });
  for (const name of GAUGES_NAMED_AS_COUNTERS) registry.removeSingleMetric(name);
}

/** A fresh registry with the whole catalogue; each process (or test) makes its own. */
export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectStandardMetrics(registry);
  const registers = [registry];
  const jobsActiveSources = new Map<string, () => number>();
  return {
    jobsActiveSources,
    registry,
    httpRequests: new Counter({ name: METRIC.httpRequests, help: 'HTTP requests answered', labelNames: HTTP_LABELS, registers }),
    httpDuration: new Histogram({ name: METRIC.httpDuration, help: 'HTTP request latency', labelNames: HTTP_LABELS, buckets: LATENCY_BUCKETS, registers }),
    jobsSettled: new Counter({ name: METRIC.jobsSettled, help: 'Jobs that reached a final state', labelNames: [LABEL.service, LABEL.jobType, LABEL.outcome], registers }),
    jobsActive: new Gauge({
      name: METRIC.jobsActive,
      help: 'Jobs running now in this instance',
      labelNames: [LABEL.service],
      registers,
      collect() {
        for (const [service, count] of jobsActiveSources) this.set({ service }, count());
      },
    }),
    jobDuration: new Histogram({
      name: METRIC.jobDuration,
      help: 'Job run time',
      labelNames: [LABEL.service, LABEL.jobType, LABEL.outcome],
      buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600],
      registers,
    }),
    upstreamRequests: new Counter({ name: METRIC.upstreamRequests, help: 'Requests the gateway sent upstream', labelNames: UPSTREAM_LABELS, registers }),
    upstreamDuration: new Histogram({ name: METRIC.upstreamDuration, help: 'Upstream latency seen by the gateway', labelNames: UPSTREAM_LABELS, buckets: LATENCY_BUCKETS, registers }),
    aiProviderCalls: new Counter({ name: METRIC.aiProviderCalls, help: 'Attempts to call an AI provider', labelNames: [LABEL.provider, LABEL.outcome], registers }),
    aiTokens: new Counter({ name: METRIC.aiTokens, help: 'Tokens exchanged with AI providers', labelNames: [LABEL.provider, LABEL.direction], registers }),
    gatewayOperations: new Counter({ name: METRIC.gatewayOperations, help: 'Operations judged at the gateway, by outcome', labelNames: OPERATION_LABELS, registers }),
    gatewayCriticalDuration: new Histogram({
      name: METRIC.gatewayCriticalDuration,
      help: 'Latency of requests on critical routes',
      labelNames: [LABEL.service, LABEL.route, LABEL.track, LABEL.version],
      buckets: CRITICAL_LATENCY_BUCKETS,
      registers,
    }),
    upstreamHealthy: new Gauge({
      name: METRIC.upstreamHealthy,
      help: '1 when the instance passes health checks',
      labelNames: [LABEL.service, LABEL.track, LABEL.version, LABEL.upstreamInstance],
      registers,
    }),
  };
}

export function statusClass(status: number): string {
  return `${Math.floor(status / 100)}xx`;
}
