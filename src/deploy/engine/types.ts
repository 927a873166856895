// The deploy engine's vocabulary: plans, observations, rule verdicts, deployment state and the
// actions the controller carries out. Data only; the engine never touches a socket or the clock.

import type { Track } from '../../kit/roles.js';
import type { RollbackGrant } from './rollback-policy.js';

export type { Track };
import type { Strategy } from '../../kit/roles.js';
export type { Strategy };
export type Verdict = 'pass' | 'fail' | 'inconclusive' | 'error';

/** Traffic one track saw over one analysis window (the gateway's per-track stats). */
export interface TrackWindow {
  version: string;
  requests: number;
  /** 5xx answers and failed upstream attempts. */
  errors: number;
  /** 401/403 answers. */
  authFailures: number;
  /** 502/503/504 answers: no instance could serve. */
  unavailable: number;
  /** Latencies (ms) of requests in the window: all of them or a uniform sample. */
  latenciesMs: number[];
  /**
   * Outcomes of the operations the service level objectives judge, by operation (`auth`,
   * `inference`, `job:<type>`): done or failed by the service, a client's own mistakes left out.
   */
  outcomes?: Record<string, OperationOutcomes>;
  /** Latencies (ms) of requests on routes marked critical: all of them or a uniform sample. */
  criticalLatenciesMs?: number[];
}

/** How many times an operation succeeded and failed over a window (4xx for bad input is neither). */
export interface OperationOutcomes {
  succeeded: number;
  failed: number;
}

/** What the controller saw at `at`, over the window ending then. */
export interface Observation {
  at: number;
  windowMs: number;
  tracks: Partial<Record<Track, TrackWindow>>;
  /** Instances per track that pass their health checks, and how many exist. */
  instances: Partial<Record<Track, { ready: number; total: number }>>;
}

export type RuleMetric =
  /** errors / requests of the new version, against the threshold (0.05 = 5 %). */
  | 'error-rate'
  /** new-version error rate significantly above stable's, side by side (two-proportion test). */
  | 'error-rate-vs-stable'
  /** new p95 (or `quantile`) latency / stable's, against the threshold (1.5 = +50 %), with a test of that quantile. */
  | 'latency-ratio'
  /** any 401/403 that stable does not also produce at the same rate. */
  | 'auth-failures'
  /** unavailable answers, or no ready instance of the new version. */
  | 'unavailable'
  /** an objective's success ratio (`threshold`, 0.99 = 99 %) of `operations`, tested against the candidate's outcomes (slo-measures.ts). */
  | 'success-rate'
  /** the `quantile` of critical routes' latency against `threshold` ms, tested (slo-measures.ts). */
  | 'latency-bound';

export interface Rule {
  id: string;
  metric: RuleMetric;
  threshold: number;
  /** The breach must hold continuously this long before the action fires (Prometheus `for`). */
  forMs: number;
  /** Fewer requests than this in the window is "no data" for this rule. */
  minSamples: number;
  /** What no data means. Never a pass. */
  noData: 'inconclusive' | 'fail';
  /** latency-ratio and latency-bound: the quantile compared, 0.5–0.999 (default 0.95, the checklist's p95). */
  quantile?: number;
  /**
   * success-rate only: the operations counted, each an outcome key or a prefix ending in `:`
   * (`job:` is every job); `requests` counts answers, 5xx failing (availability).
   */
  operations?: string[];
  /** Judged only in deployments of these services; absent: every service. */
  services?: string[];
  action: 'rollback' | 'pause' | 'alert';
}

export interface RuleAssessment {
  ruleId: string;
  verdict: Verdict;
  reason: string;
  at: number;
  evidence: {
    observed: number | null;
    threshold: number;
    samples: { candidate: number; baseline: number };
    statistic?: { name: string; value: number; pValue?: number };
  };
}

export interface DeploymentPlan {
  id: string;
  service: string;
  strategy: Strategy;
  /** Version on stable now; null on a first deployment. */
  fromVersion: string | null;
  toVersion: string;
  /** Instances to run for the new version. */
  instances: number;
  /**
   * `pitchey worker` processes of the new version (its jobs' hands), started with its first
   * instances, stopped with them on a rollback, retagged with them on promotion. Absent: none.
   */
  workers?: number;
  /** Canary weights in percent, e.g. [5, 25, 50, 100]; blue-green switch steps, e.g. [100]. */
  steps: number[];
  /** How long each step is analysed before the next one. */
  stepMs: number;
  /** Blue-green: how long the old colour keeps running after the switch. */
  bakeMs: number;
  /** How long new instances take traffic before their latency is judged (their first requests are cold). Absent on plans stored before warm-ups: none. */
  warmupMs?: number;
  /** Give up when new instances are not ready in this time. */
  readyTimeoutMs: number;
  rules: Rule[];
  /** Fault injection for tests and game days (refused in production by the controller). */
  faults: string | null;
  /** Rolling only: the batches, surge first. */
  rolling?: RollingPlan;
  /** A rollback only: whether it waits for the forward sign-offs, and why (judgeRollback). */
  rollback?: RollbackGrant;
}

/** How a rolling deployment replaces the old instances: new ones start beside them, then old ones retire. */
export interface RollingPlan {
  /** Old instances on stable when the plan was made. */
  stableInstances: number;
  /** New instances each batch starts beside the old ones (Kubernetes' and Argo's maxSurge). */
  maxSurge: number;
  /** How many instances below the target count retirements may go (maxUnavailable); 0 keeps full capacity. */
  maxUnavailable: number;
  batches: RollingBatch[];
}

export interface RollingBatch {
  /** New instances this batch starts. */
  start: number;
  /** New and old instances serving while the batch is analysed (the new version's share follows them). */
  newInstances: number;
  oldInstances: number;
  /** Old instances retired once the batch passes (after the last batch, the promotion retires the rest). */
  retireAfter: number;
}

/** Every phase a deployment can be in: the one list (metrics' state set, the store's active ones). */
export const PHASES = ['pending', 'starting', 'progressing', 'paused', 'promoting', 'promoted', 'rolling-back', 'rolled-back', 'failed'] as const;
export type Phase = (typeof PHASES)[number];
/** The phases a deployment ends in; every other one is still under way. */
export const TERMINAL_PHASES: readonly Phase[] = ['promoted', 'rolled-back', 'failed'];

export interface DeploymentState {
  plan: DeploymentPlan;
  phase: Phase;
  stepIndex: number;
  stepStartedAt: number | null;
  /** Per rule: since when its breach has held continuously (null: not breaching). */
  breachSince: Record<string, number | null>;
  /** The latest assessment of each rule. */
  assessments: RuleAssessment[];
  /** Why the deployment is where it is (the verdict that rolled it back, the pause reason…). */
  reason: string | null;
  startedAt: number;
  updatedAt: number;
  /** Rolling: how many new instances are up (the batches started and ready so far). */
  replaced: number;
  /** Until when the newest instances warm up: latency is not judged before, nor on traffic from before. */
  warmUntil?: number | null;
  /** Since when the promotion has waited for sign-offs (signoff-hold.ts); kept across restarts, so the deadline is too. */
  awaitingSignoffSince?: number | null;
  /** Since when the promotion has waited for the other services of its release (release-train.ts). */
  releaseHeldSince?: number | null;
  /** After a controller restart: the step (and pause) the restarted instances go back to (recovery.ts). */
  resumeAt?: { stepIndex: number; paused: boolean } | null;
}

/** Things the controller does through its ports; the engine only asks for them. */
export type Action =
  /** `workers`: `pitchey worker` processes started beside the instances (absent: none). */
  | { kind: 'startInstances'; track: Track; version: string; count: number; faults: string | null; workers?: number }
  /** Instances and workers of the track (and version); `count` limits the instances stopped, and then no worker goes. */
  | { kind: 'stopInstances'; track: Track; version?: string; count?: number }
  | { kind: 'setWeights'; weights: Partial<Record<Track, number>> }
  /** The new version becomes stable: its instances are relabelled, the old ones drained. */
  | { kind: 'promote'; from: Track }
  | { kind: 'notify'; level: 'info' | 'warning' | 'critical'; message: string };

/** What happened since the last call: a fresh observation, or an operator/driver event. */
export type EngineInput =
  | { kind: 'observe'; observation: Observation }
  | { kind: 'instancesStarted' }
  | { kind: 'instancesFailed'; reason: string }
  | { kind: 'abort'; reason: string }
  | { kind: 'resume' }
  | { kind: 'promoteNow' };

export interface EngineResult {
  state: DeploymentState;
  actions: Action[];
}
