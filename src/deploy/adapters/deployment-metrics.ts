// The controller's deployments as Prometheus metrics, the way Argo Rollouts exports its rollouts
// (rollout_info, rollout_phase): each service's latest deployment as an info series, its phase as a
// state set, its step and the new version's traffic share, read at scrape time from the store and
// the router; and a counter of the analysis verdicts, told by the controller as they are reached.
import { Counter, Gauge, type Registry } from 'prom-client';
import { LABEL, METRIC } from '../../kit/index.js';
import { PHASES, type DeploymentState } from '../engine/index.js';
import type { DeploymentRow } from '../store.js';

export interface DeploymentMetricsSource {
  /** Each service's latest deployment, whatever its phase. */
  latest(): DeploymentRow[];
  /** The traffic weights the router applies to the service's tracks now. */
  weights(service: string): Partial<Record<string, number>>;
}

/** The share (percent) of the service's traffic that goes to tracks other than stable: the new version's. */
export function canaryShare(weights: Partial<Record<string, number>>): number {
  const total = Object.values(weights).reduce<number>((sum, w) => sum + (w ?? 0), 0);
  return total <= 0 ? 0 : (100 * (total - (weights.stable ?? 0))) / total;
}

/** Rule assessments reached since `before`: a rule's assessment is new when its time changed. */
export function newAssessments(before: DeploymentState | null, after: DeploymentState): DeploymentState['assessments'] {
  const seen = new Map((before?.assessments ?? []).map((a) => [a.ruleId, a.at]));
  return after.assessments.filter((a) => seen.get(a.ruleId) !== a.at);
}

export interface DeploymentMetrics {
  /** The controller persisted a new state: counts the verdicts it reached. */
  stateChanged(row: DeploymentRow, before: DeploymentState | null): void;
}

export function registerDeploymentMetrics(registry: Registry, source: DeploymentMetricsSource): DeploymentMetrics {
  const registers = [registry];
  // Read once per scrape, not once per gauge: a scrape calls every collect() in one synchronous run
  // (prom-client starts each metric's get() before awaiting any), so the rows are kept until the
  // next microtask, and the next scrape reads them afresh.
  let rows: DeploymentRow[] | null = null;
  const latest = (): DeploymentRow[] => {
    if (rows === null) {
      rows = source.latest();
      queueMicrotask(() => {
        rows = null;
      });
    }
    return rows;
  };
  new Gauge({
    name: METRIC.deploymentInfo,
    help: "Each service's latest deployment (always 1): its id, strategy, target version and phase",
    labelNames: [LABEL.service, LABEL.deployment, LABEL.strategy, LABEL.version, LABEL.phase],
    registers,
    collect() {
      this.reset(); // a deployment that is no longer the latest leaves the exposition
      for (const { service, id, state } of latest()) this.set({ service, deployment: id, strategy: state.plan.strategy, version: state.plan.toVersion, phase: state.phase }, 1);
    },
  });
  new Gauge({
    name: METRIC.deploymentPhase,
    help: "State set of each service's latest deployment: 1 for the phase it is in, 0 for the others",
    labelNames: [LABEL.service, LABEL.phase],
    registers,
    collect() {
      this.reset();
      for (const { service, state } of latest()) for (const phase of PHASES) this.set({ service, phase }, phase === state.phase ? 1 : 0);
    },
  });
  new Gauge({
    name: METRIC.deploymentStep,
    help: "The step (counted from 1) each service's latest deployment is at",
    labelNames: [LABEL.service],
    registers,
    collect() {
      this.reset();
      for (const { service, state } of latest()) this.set({ service }, state.stepIndex + 1);
    },
  });
  new Gauge({
    name: METRIC.deploymentCanaryWeight,
    help: "Percent of each deployed service's traffic the router sends to the new version's tracks (not stable)",
    labelNames: [LABEL.service],
    registers,
    collect() {
      this.reset();
      for (const { service } of latest()) this.set({ service }, canaryShare(source.weights(service)));
    },
  });
  const verdicts = new Counter({
    name: METRIC.analysisVerdicts,
    help: 'Verdicts the deployment analysis reached, by service, rule and verdict',
    labelNames: [LABEL.service, LABEL.rule, LABEL.verdict],
    registers,
  });
  return {
    stateChanged(row, before) {
      for (const a of newAssessments(before, row.state)) verdicts.inc({ service: row.service, rule: a.ruleId, verdict: a.verdict });
    },
  };
}

/** Each service's latest deployment among rows ordered newest first. */
export function latestPerService(rowsNewestFirst: readonly DeploymentRow[]): DeploymentRow[] {
  const seen = new Map<string, DeploymentRow>();
  for (const row of rowsNewestFirst) if (!seen.has(row.service)) seen.set(row.service, row);
  return [...seen.values()];
}
