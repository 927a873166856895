// The deployment state machine: (state, input, now) → { state, actions }. It decides WHEN a step
// starts, passes, pauses, promotes or rolls back; the strategy (canary.ts, …) says WHAT that means.
import type { DeploymentPlan, DeploymentState, EngineInput, EngineResult, Observation, Strategy } from './types.js';
import type { StrategyRunner } from './strategy.js';
import { analyseStep, type StepAnalysis } from './analysis.js';
import { blueGreen } from './blue-green.js';
import { canary } from './canary.js';
import { rolling } from './rolling.js';
import { formatDuration } from './rules.js';
import { enterStep, isSettling, promote, rollBack, settle, transition } from './transitions.js';

const RUNNERS: Record<Strategy, StrategyRunner> = { canary, 'blue-green': blueGreen, rolling };

/** Begin a deployment of `plan` at `now`: phase 'starting' and the actions that start the new instances. */
export function startDeployment(plan: DeploymentPlan, now: number): EngineResult {
  const runner = runnerFor(plan.strategy);
  const state: DeploymentState = {
    plan,
    phase: 'starting',
    stepIndex: 0,
    stepStartedAt: null,
    breachSince: Object.fromEntries(plan.rules.map((rule) => [rule.id, null])),
    assessments: [],
    reason: `starting ${plan.strategy} of ${plan.service} ${plan.fromVersion ?? '(none)'} → ${plan.toVersion}`,
    startedAt: now,
    updatedAt: now,
    replaced: 0,
  };
  return { state, actions: runner.start(plan) };
}

/**
 * Take one input. The controller carries out the returned actions in order (waiting for started
 * instances, which it reports as `instancesStarted` / `instancesFailed`), and calls again with the
 * next input.
 *
 * - A step advances only when it has been analysed for its duration AND every assessed rollback/pause
 *   rule is a 'pass' on the latest observation: no data, a breach still within its `for`, or an
 *   error hold the step (the reason says which). 'alert' rules only notify.
 * - Rollback and promotion reach 'rolled-back' / 'promoted' in the same call, actions attached,
 *   unless those actions start instances (rolling); then 'rolling-back' / 'promoting' until the
 *   controller reports the outcome ('failed' if they could not start).
 * - Inputs that do not apply to the phase leave the state as it is (same object, no actions).
 */
export function advance(state: DeploymentState, input: EngineInput, now: number): EngineResult {
  if (isSettling(state.phase)) return settle(state, input, now);
  if (state.phase === 'pending') return { state, actions: [] };
  const runner = runnerFor(state.plan.strategy);
  if (state.phase === 'starting' && readyTimedOut(state, now)) {
    return rollBack(state, runner, `new instances of ${state.plan.toVersion} not ready within ${formatDuration(state.plan.readyTimeoutMs)}`, now);
  }
  switch (input.kind) {
    case 'abort':
      return rollBack(state, runner, `aborted: ${input.reason}`, now);
    case 'instancesFailed':
      return rollBack(state, runner, `new instances failed: ${input.reason}`, now);
    case 'promoteNow':
      return promoteNow(state, runner, now);
    case 'resume':
      return resume(state, runner, now);
    case 'instancesStarted':
      return state.phase === 'starting' ? warmUp(instancesReady(state, runner, now), now) : { state, actions: [] };
    case 'observe':
      return observe(state, runner, input.observation, now);
  }
}

/** The instances asked for are ready: the strategy's next step, or, after a restart, the step they were on. */
function instancesReady(state: DeploymentState, runner: StrategyRunner, now: number): EngineResult {
  const at = state.resumeAt;
  if (at == null) return runner.instancesReady(state, now);
  const entered = enterStep(state, runner, at.stepIndex, now, { resumeAt: null });
  if (!at.paused) return entered;
  const reason = `paused before the controller restarted; ${runner.describeStep(entered.state)} waits for resume`;
  return { ...entered, state: transition(entered.state, { phase: 'paused', reason }, now) };
}

export function runnerFor(strategy: Strategy): StrategyRunner {
  const runner = RUNNERS[strategy];
  if (!runner) throw new Error(`unknown deployment strategy: ${String(strategy)}`);
  return runner;
}

/** New instances take traffic from now: their latency is judged once the plan's warm-up is over. */
function warmUp(result: EngineResult, now: number): EngineResult {
  return { ...result, state: { ...result.state, warmUntil: now + (result.state.plan.warmupMs ?? 0) } };
}

/** While starting, stepStartedAt (or startedAt, for the first instances) marks when instances were asked for. */
function readyTimedOut(state: DeploymentState, now: number): boolean {
  return now - (state.stepStartedAt ?? state.startedAt) > state.plan.readyTimeoutMs;
}

/** Operator override: skip the remaining steps. Refused while new instances are still starting. */
function promoteNow(state: DeploymentState, runner: StrategyRunner, now: number): EngineResult {
  if (state.phase === 'starting') {
    return { state: transition(state, { reason: 'promoteNow refused: new instances are not ready yet' }, now), actions: [] };
  }
  return promote(state, runner, `promoted by operator at ${runner.describeStep(state)}; remaining steps skipped`, now);
}

/** Resume a pause: the step's analysis starts afresh (clock and breach clocks reset). */
function resume(state: DeploymentState, runner: StrategyRunner, now: number): EngineResult {
  if (state.phase !== 'paused') return { state, actions: [] };
  const breachSince = Object.fromEntries(Object.keys(state.breachSince).map((id) => [id, null]));
  const reason = `resumed by operator; ${runner.describeStep(state)} analysed afresh`;
  return { state: transition(state, { phase: 'progressing', stepStartedAt: now, breachSince, reason }, now), actions: [] };
}

/**
 * An observation: rollback rules are checked in every phase where the new version serves traffic;
 * pauses and step advances only while progressing.
 */
function observe(state: DeploymentState, runner: StrategyRunner, observation: Observation, now: number): EngineResult {
  if (state.phase === 'starting' && state.replaced === 0) return { state, actions: [] };
  const analysis = analyseStep(state, observation, now, runner.candidate);
  const assessed = transition(state, { breachSince: analysis.breachSince, assessments: analysis.assessments }, now);
  const alerts = analysis.newAlerts.map((a) => ({
    kind: 'notify' as const,
    level: 'warning' as const,
    message: `${state.plan.service}: rule ${a.ruleId} failed: ${a.reason}`,
  }));
  const result = decide(assessed, runner, analysis, now);
  return { state: result.state, actions: [...alerts, ...result.actions] };
}

function decide(state: DeploymentState, runner: StrategyRunner, analysis: StepAnalysis, now: number): EngineResult {
  if (analysis.rollback) return rollBack(state, runner, `rule ${analysis.rollback.ruleId} failed: ${analysis.rollback.reason}`, now);
  if (state.phase !== 'progressing') return { state, actions: [] };
  if (analysis.pause) {
    const reason = `paused: rule ${analysis.pause.ruleId} failed: ${analysis.pause.reason}`;
    return {
      state: transition(state, { phase: 'paused', reason }, now),
      actions: [{ kind: 'notify', level: 'warning', message: `${state.plan.service}: ${reason}` }],
    };
  }
  const elapsed = now - (state.stepStartedAt ?? now);
  const needed = runner.stepDurationMs(state);
  if (elapsed >= needed && analysis.holding.length === 0) {
    return runner.nextStep(state, now) ?? promote(state, runner, `all ${state.plan.steps.length} steps passed their analysis`, now);
  }
  return { state: transition(state, { reason: holdReason(state, runner, analysis, elapsed, needed) }, now), actions: [] };
}

/** Why the step has not advanced yet: time left, and each rule that is not a pass. */
function holdReason(state: DeploymentState, runner: StrategyRunner, analysis: StepAnalysis, elapsed: number, needed: number): string {
  const clock = `${runner.describeStep(state)}: ${formatDuration(elapsed)} of ${formatDuration(needed)} analysed`;
  if (analysis.holding.length === 0) return clock;
  return `${clock}; held by ${analysis.holding.map((a) => `${a.ruleId} (${a.verdict}: ${a.reason})`).join('; ')}`;
}
