// Plan factory: fills in defaults, validates, and hashes the resolved plan (sign-offs bind to the hash).
import type { DeploymentPlan, RollingPlan, Rule, RuleMetric, Strategy } from './types.js';
import { planRolling, shareOf } from './rolling-plan.js';
import { MAX_WORKERS_PER_SERVICE, STRATEGIES } from '../../kit/roles.js';
import { DEFAULT_BAKE_MS, DEFAULT_BLUE_GREEN_STEPS, DEFAULT_CANARY_STEPS, DEFAULT_READY_TIMEOUT_MS, DEFAULT_RULES, DEFAULT_STEP_MS, DEFAULT_WARMUP_MS } from './defaults.js';
import { canonicalJson, fnv1a64 } from './hash.js';
import type { RollbackGrant } from './rollback-policy.js';

/** A plan that cannot be carried out as asked; the message says which field and why. */
export class PlanError extends Error {
  override readonly name = 'PlanError';
}

/** What a caller states about a deployment; everything optional has a documented default. */
export interface PlanInput {
  id: string;
  service: string;
  strategy: Strategy;
  /** Version on stable now; null on a first deployment (blue-green only). */
  fromVersion: string | null;
  toVersion: string;
  /** Instances of the new version. Default 1. Rolling: the target count (≤ 100). */
  instances?: number;
  /** `pitchey worker` processes of the new version. Default 0 (the controller passes what stable runs). */
  workers?: number;
  /** Canary default [5, 25, 50, 100]; blue-green default [100]; rolling: the batches' shares, not accepted. */
  steps?: number[];
  /** Default 60 000. */
  stepMs?: number;
  /** Default 300 000. */
  bakeMs?: number;
  /** Default {@link DEFAULT_WARMUP_MS}. */
  warmupMs?: number;
  /** Default 60 000. */
  readyTimeoutMs?: number;
  /** Default {@link DEFAULT_RULES}. */
  rules?: Rule[];
  /** Default null. */
  faults?: string | null;
  /** Rolling: old instances on stable now (the controller counts them). Default: `instances`. */
  stableInstances?: number;
  /** Rolling: new instances started beside the old ones per batch. Default 1. */
  maxSurge?: number;
  /** Rolling: how far below `instances` retirements may take the serving count. Default 0 (full capacity). */
  maxUnavailable?: number;
  /** A rollback: whether it waits for the forward sign-offs, and why. */
  rollback?: RollbackGrant;
}

const METRICS: readonly RuleMetric[] = ['error-rate', 'error-rate-vs-stable', 'latency-ratio', 'auth-failures', 'unavailable', 'success-rate', 'latency-bound'];
const QUANTILE_METRICS: readonly RuleMetric[] = ['latency-ratio', 'latency-bound'];

/** Resolve `input` into a complete, validated plan. Throws {@link PlanError} on invalid input. */
export function createPlan(input: PlanInput): DeploymentPlan {
  requireText(input.id, 'id');
  requireText(input.service, 'service');
  requireText(input.toVersion, 'toVersion');
  if (!(STRATEGIES as readonly string[]).includes(input.strategy)) {
    throw new PlanError(`strategy must be one of ${STRATEGIES.join(', ')}; got ${String(input.strategy)}`);
  }
  if (input.fromVersion !== null) requireText(input.fromVersion, 'fromVersion');
  if (input.fromVersion === null && input.strategy !== 'blue-green') {
    throw new PlanError(`a first deployment (fromVersion null) has no stable version to ${input.strategy} against; use blue-green`);
  }
  const instances = input.instances ?? 1;
  if (!Number.isInteger(instances) || instances < 1) throw new PlanError(`instances must be an integer ≥ 1; got ${instances}`);
  const rolling = resolveRolling(input, instances);
  const workers = input.workers ?? 0;
  if (!Number.isInteger(workers) || workers < 0 || workers > MAX_WORKERS_PER_SERVICE) throw new PlanError(`workers must be an integer from 0 to ${MAX_WORKERS_PER_SERVICE}; got ${workers}`);
  return {
    id: input.id,
    service: input.service,
    strategy: input.strategy,
    fromVersion: input.fromVersion,
    toVersion: input.toVersion,
    instances,
    // Only when there are some: a plan without workers keeps the hash it had before workers existed.
    ...(workers > 0 ? { workers } : {}),
    steps: rolling === undefined ? resolveSteps(input) : rolling.batches.map((b) => shareOf(b.newInstances, b.oldInstances)),
    stepMs: duration(input.stepMs ?? DEFAULT_STEP_MS, 'stepMs', 0),
    bakeMs: duration(input.bakeMs ?? DEFAULT_BAKE_MS, 'bakeMs', 0),
    warmupMs: duration(input.warmupMs ?? DEFAULT_WARMUP_MS, 'warmupMs', 0),
    readyTimeoutMs: duration(input.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS, 'readyTimeoutMs', 1),
    rules: resolveRules(input.rules ?? DEFAULT_RULES),
    faults: input.faults ?? null,
    ...(rolling === undefined ? {} : { rolling }),
    ...(input.rollback === undefined ? {} : { rollback: input.rollback }),
  };
}

/** Stable hash of the plan's canonical JSON (sorted keys): 16 hex digits of 64-bit FNV-1a. */
/** The hash of what the plan does: its content, not the deployment id it was made under. */
export function planHash(plan: DeploymentPlan): string {
  const { id: _id, ...content } = plan;
  return fnv1a64(canonicalJson(content));
}

/** Rolling's batches from instances, the old count and surge/unavailable; undefined for other strategies. */
function resolveRolling(input: PlanInput, instances: number): RollingPlan | undefined {
  if (input.strategy !== 'rolling') {
    for (const k of ['maxSurge', 'maxUnavailable'] as const) if (input[k] !== undefined) throw new PlanError(`${k} applies to rolling deployments only`);
    return undefined;
  }
  if (input.steps !== undefined) throw new PlanError('rolling steps follow from instances, maxSurge and maxUnavailable; do not pass steps');
  if (instances > 100) throw new PlanError(`rolling replaces at most 100 instances; got ${instances}`);
  const stableInstances = count(input.stableInstances ?? instances, 'stableInstances', 0);
  const maxSurge = count(input.maxSurge ?? 1, 'maxSurge', 1);
  const maxUnavailable = count(input.maxUnavailable ?? 0, 'maxUnavailable', 0);
  if (maxUnavailable >= instances) throw new PlanError(`maxUnavailable must be below instances (${instances}); got ${maxUnavailable}`);
  return planRolling({ instances, stableInstances, maxSurge, maxUnavailable });
}

function count(value: number, name: string, min: number): number {
  if (!Number.isInteger(value) || value < min || value > 100) throw new PlanError(`${name} must be an integer from ${min} to 100; got ${value}`);
  return value;
}

function resolveSteps(input: PlanInput): number[] {
  const steps = [...(input.steps ?? (input.strategy === 'canary' ? DEFAULT_CANARY_STEPS : DEFAULT_BLUE_GREEN_STEPS))];
  if (steps.length === 0) throw new PlanError('steps must not be empty');
  steps.forEach((w, i) => {
    if (!Number.isInteger(w) || w <= 0 || w > 100) throw new PlanError(`steps must be integers in (0, 100]; step ${i + 1} is ${w}`);
    const before = steps[i - 1];
    if (before !== undefined && w <= before) throw new PlanError(`steps must be strictly ascending; step ${i + 1} (${w}) follows ${before}`);
  });
  if (steps[steps.length - 1] !== 100) throw new PlanError(`steps must end at 100; the last is ${steps[steps.length - 1]}`);
  return steps;
}

function resolveRules(rules: readonly Rule[]): Rule[] {
  const seen = new Set<string>();
  return rules.map((rule, i) => {
    const where = `rule ${i + 1} (${rule.id})`;
    requireText(rule.id, `rule ${i + 1} id`);
    if (seen.has(rule.id)) throw new PlanError(`rule ids must be unique; ${rule.id} appears twice`);
    seen.add(rule.id);
    if (!METRICS.includes(rule.metric)) throw new PlanError(`${where}: metric must be one of ${METRICS.join(', ')}; got ${String(rule.metric)}`);
    if (!Number.isFinite(rule.threshold) || rule.threshold < 0) throw new PlanError(`${where}: threshold must be a finite number ≥ 0`);
    if (rule.metric === 'latency-ratio' && rule.threshold <= 0) throw new PlanError(`${where}: a latency ratio threshold must be > 0`);
    if (rule.quantile !== undefined && (!QUANTILE_METRICS.includes(rule.metric) || !(rule.quantile >= 0.5 && rule.quantile <= 0.999)))
      throw new PlanError(`${where}: quantile applies to latency-ratio and latency-bound rules only, from 0.5 to 0.999`);
    checkObjective(rule, where);
    duration(rule.forMs, `${where} forMs`, 0);
    if (!Number.isInteger(rule.minSamples) || rule.minSamples < 1) throw new PlanError(`${where}: minSamples must be an integer ≥ 1`);
    if (rule.noData !== 'inconclusive' && rule.noData !== 'fail') throw new PlanError(`${where}: noData must be 'inconclusive' or 'fail' (never a pass)`);
    if (!['rollback', 'pause', 'alert'].includes(rule.action)) throw new PlanError(`${where}: action must be rollback, pause or alert`);
    return { ...rule };
  });
}

/** A success-rate rule names what it counts and a ratio below 1; services, where given, are names. */
function checkObjective(rule: Rule, where: string): void {
  if (rule.metric === 'success-rate') {
    if (!(rule.threshold > 0 && rule.threshold < 1)) throw new PlanError(`${where}: a success-rate threshold is a ratio in (0, 1), e.g. 0.99`);
    if (!Array.isArray(rule.operations) || rule.operations.length === 0) throw new PlanError(`${where}: a success-rate rule needs operations (e.g. ["job:process"] or ["requests"])`);
    rule.operations.forEach((op, i) => requireText(op, `${where} operations[${i}]`));
  } else if (rule.operations !== undefined) throw new PlanError(`${where}: operations apply to success-rate rules only`);
  if (rule.metric === 'latency-bound' && rule.threshold <= 0) throw new PlanError(`${where}: a latency bound must be > 0 ms`);
  if (rule.services !== undefined) {
    if (!Array.isArray(rule.services) || rule.services.length === 0) throw new PlanError(`${where}: services, when given, must list at least one service`);
    rule.services.forEach((s, i) => requireText(s, `${where} services[${i}]`));
  }
}

function duration(ms: number, field: string, min: number): number {
  if (!Number.isInteger(ms) || ms < min) throw new PlanError(`${field} must be an integer number of milliseconds ≥ ${min}; got ${ms}`);
  return ms;
}

function requireText(value: unknown, field: string): void {
  if (typeof value !== 'string' || value.trim() === '') throw new PlanError(`${field} must be a non-empty string`);
}
