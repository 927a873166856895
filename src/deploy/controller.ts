// The controller loop: takes a deployment request, persists the engine's state before every
// action, carries the actions out through the driver and the router, feeds observations back to
// the engine on an interval, and ends with the lock released and an audit trail.
import { randomUUID } from 'node:crypto';
import { carryOut } from './actions.js';
import { readApprovals, writeApproval } from './approvals.js';
import { appendAudit, readAudit, type AuditEvent } from './audit.js';
import type { AuditInput } from './notify/events.js';
import {
  advance,
  analysisFrom,
  assessSignoffs,
  createPlan,
  planHash,
  holdForSignoffs,
  judgeRollback,
  promotes,
  recoverDeployment,
  refuseSignoff,
  requiredSignoffs,
  startDeployment,
  validationPassed,
  type PlanInput,
  type SignoffAssessment,
  type PromotedVersion,
  type PromotionEvidence,
  type Recovery,
  type RollbackGrant,
  type RollbackPolicy,
  type SignoffPolicy,
  type SignoffRole,
  type Signer,
  type Action,
  type DeploymentPlan,
  type DeploymentState,
  type EngineInput,
  type Track,
} from './engine/index.js';
import type { Driver } from './adapters/driver.js';
import type { Evidence } from './checks/index.js';
import type { MetricSource } from './adapters/metric-source.js';
import type { TrafficRouter } from './adapters/traffic-router.js';
import { acquireLock, releaseLock } from './lock.js';
import { ReleaseHolds } from './release-holds.js';
import { stableWorkers } from './release-start.js';
import { isActive, readCurrentVersion, readDeployment, readDeployments, writeCurrentVersion, writeDeployment, type ControllerDb, type DeploymentRow } from './store.js';

export interface ControllerPorts {
  db: ControllerDb;
  driver: Driver;
  router: TrafficRouter;
  metrics: MetricSource;
  /**
   * Smoke requests to a track before it gets real traffic (through the router, the way clients
   * come in). Resolves null when they pass, or the reason they failed.
   */
  /** The service's smoke journey against one track's instances: evidence, audited with the deployment. */
  smoke?: (service: string, track: Track) => Promise<Evidence>;
  clock?: () => number;
  log?: (message: string) => void;
  /** Told every audit event with the deployment's service: the notifier picks what people hear about. */
  notify?: (event: AuditInput, service: string | null) => void;
  /** Told each state the controller persists for a live deployment, with the one before (the deployment metrics count verdicts). */
  stateChanged?: (row: DeploymentRow, before: DeploymentState) => void;
}

export interface ControllerOptions {
  env: string;
  /** The version running when nothing was ever deployed (this build). */
  baseVersion: string;
  /** Analysis cadence. Default 1 s. */
  intervalMs?: number;
  /** Analysis window. Default 30 s. */
  windowMs?: number;
  /** How long a retired instance may finish its requests. Default 10 s. */
  drainMs?: number;
  /** Fault injection is refused in production. */
  production: boolean;
  /** Roles whose sign-off a promotion waits for. Default none. */
  signoffs?: readonly SignoffRole[];
  /** How long a sign-off stays valid. Default 24 h. */
  signoffTtlMs?: number;
  /** How long a promotion waits for missing sign-offs before rolling back. Default 4 h. */
  signoffTimeoutMs?: number;
  /** Whether one person may fill several sign-off roles. Default no. */
  signoffSharedRoles?: boolean;
  /** Which rollbacks skip the forward sign-offs. Default: to a version validated here within 30 days. */
  rollbackPolicy?: RollbackPolicy;
}

export interface DeployRequest extends Omit<PlanInput, 'id' | 'fromVersion'> {
  author: string;
  /** The pre-deployment checks run for this request: recorded with the deployment (and its record). */
  checks?: { passed: boolean; enforced: boolean; evidence: Evidence[] };
  /** The hash of the plan that was reviewed: the deployment is refused if the plan differs now. */
  expectedPlanHash?: string;
  /** What the environment before this one in the promotion chain recorded of the version: kept in the record. */
  promotion?: PromotionEvidence;
  /**
   * The platform release (release train) this deployment belongs to: it holds the environment's
   * lock for all its members, and the member's promotion waits until the release lets it go.
   */
  release?: { id: string; holdPromotion: boolean };
}

export class DeployRefused extends Error {
  constructor(
    message: string,
    readonly reason: 'lock' | 'invalid' | 'not-found' | 'conflict',
  ) {
    super(message);
    this.name = 'DeployRefused';
  }
}

interface Live {
  row: DeploymentRow;
  busy: Promise<void>;
  timer: NodeJS.Timeout | null;
}

/** The version `service` runs in `env`: the last promoted one, or the base version before any. */
export function currentVersionOf(db: ControllerDb, env: string, service: string, baseVersion: string): string {
  return readCurrentVersion(db, env, service)?.version ?? baseVersion;
}

export class Controller {
  private readonly live = new Map<string, Live>();
  private readonly promotedListeners: Array<(row: DeploymentRow) => void> = [];
  /** Deployments whose promotion waits for their release. */
  private readonly releases: ReleaseHolds;
  private readonly now: () => number;
  private readonly log: (m: string) => void;

  constructor(
    private readonly ports: ControllerPorts,
    private readonly options: ControllerOptions,
  ) {
    this.now = ports.clock ?? Date.now;
    this.log = ports.log ?? (() => undefined);
    this.releases = new ReleaseHolds({ db: ports.db, env: options.env, audit: (kind, data, id) => this.audit(kind, 'controller', data, id) });
  }

  /** The version stable runs for a service in this environment. */
  currentVersion(service: string): string {
    return currentVersionOf(this.ports.db, this.options.env, service, this.options.baseVersion);
  }

  /**
   * Whether a rollback of `service` to `target` waits for the forward sign-offs, and why: the engine
   * judges it from the versions this environment promoted and what their validation said.
   */
  judgeRollback(service: string, target: string): RollbackGrant {
    const history: PromotedVersion[] = readDeployments(this.ports.db, { env: this.options.env, limit: 1_000 })
      .filter((r) => r.service === service && r.state.plan.toVersion === target && r.state.phase === 'promoted')
      .map((r) => ({ version: target, promotedAt: r.updatedAt, validated: passedValidation(readAudit(this.ports.db, { deploymentId: r.id })) }));
    return judgeRollback({ target, current: this.currentVersion(service), previous: this.previousVersion(service), history, policy: this.rollbackPolicy(), now: this.now() });
  }

  rollbackPolicy(): RollbackPolicy {
    return this.options.rollbackPolicy ?? { signoffs: 'none', maxAgeMs: 30 * 86_400_000 };
  }

  previousVersion(service: string): string | null {
    return readCurrentVersion(this.ports.db, this.options.env, service)?.previous ?? null;
  }

  audit(kind: string, actor: string, data: Record<string, unknown>, deploymentId: string | null = null): void {
    const event: AuditInput = { at: this.now(), env: this.options.env, deploymentId, kind, actor, data };
    appendAudit(this.ports.db, event);
    this.ports.notify?.(event, deploymentId === null ? null : (this.get(deploymentId)?.service ?? null));
  }

  /** Plans, locks, persists and starts a deployment; the loop carries it on. */
  deploy(request: DeployRequest): DeploymentRow {
    const { env } = this.options;
    if (request.faults && this.options.production) throw new DeployRefused('fault injection is refused in production', 'invalid');
    if (readDeployments(this.ports.db, { env, activeOnly: true }).some((d) => d.service === request.service)) {
      throw new DeployRefused(`a deployment of ${request.service} is already in progress in ${env}`, 'conflict');
    }
    const fromVersion = this.currentVersion(request.service);
    if (fromVersion === request.toVersion) throw new DeployRefused(`${request.service} already runs ${request.toVersion}`, 'conflict');
    const id = `dep-${randomUUID().slice(0, 8)}`;
    let plan;
    try {
      plan = this.preview(request, id);
    } catch (err) {
      throw new DeployRefused((err as Error).message, 'invalid');
    }
    if (request.expectedPlanHash !== undefined && request.expectedPlanHash !== planHash(plan)) {
      throw new DeployRefused(`the plan changed since it was reviewed (reviewed ${request.expectedPlanHash}, now ${planHash(plan)}): plan again`, 'conflict');
    }
    this.lockFor(request, id);
    const result = startDeployment(plan, this.now());
    const row: DeploymentRow = { id, env, service: request.service, author: request.author, state: result.state, createdAt: this.now(), updatedAt: this.now() };
    writeDeployment(this.ports.db, row);
    this.audit('deployment.started', request.author, { service: request.service, from: fromVersion, to: request.toVersion, strategy: plan.strategy, planHash: planHash(plan) }, id);
    if (request.checks !== undefined) this.audit('checks.evaluated', 'controller', { ...request.checks }, id);
    if (request.promotion !== undefined) this.audit('promotion.evidence', 'controller', { ...request.promotion }, id);
    const live: Live = { row, busy: Promise.resolve(), timer: null };
    this.live.set(id, live);
    if (request.release?.holdPromotion === true) this.releases.hold(id, request.release.id);
    // Fire and forget: the queue logs an op's failure; callers wait only through \`busy\`.
    void this.enqueue(live, () => this.apply(live, result.actions));
    this.schedule(live);
    return row;
  }

  /** Takes the environment's lock for a deployment, or checks that its release holds it. */
  private lockFor(request: DeployRequest, id: string): void {
    const { env } = this.options;
    if (request.release !== undefined) {
      const refusal = this.releases.lockRefusal(request.release.id);
      if (refusal !== null) throw new DeployRefused(refusal, 'lock');
      return;
    }
    try {
      acquireLock(this.ports.db, { env, holder: request.author, reason: `deploy ${request.service} ${request.toVersion}`, deploymentId: id, acquiredAt: this.now() });
    } catch (err) {
      throw new DeployRefused((err as Error).message, 'lock');
    }
  }

  /** Lets a release member promote (at its next analysis that passes). */
  releasePromotion(id: string): void {
    this.releases.letGo(id);
  }

  /**
   * A deployment refused before anything ran (its release is missing its signature or no longer
   * matches its checksum): kept as a failed deployment with the reason, so the refusal is in the
   * history, the audit log and the deployment's record. Throws PlanError for a request that does not plan.
   */
  refuse(request: DeployRequest, reason: string): DeploymentRow {
    const id = `dep-${randomUUID().slice(0, 8)}`;
    const plan = this.preview(request, id);
    const at = this.now();
    const state: DeploymentState = { ...startDeployment(plan, at).state, phase: 'failed', reason, updatedAt: at };
    const row: DeploymentRow = { id, env: this.options.env, service: request.service, author: request.author, state, createdAt: at, updatedAt: at };
    writeDeployment(this.ports.db, row);
    this.audit('deployment.refused', request.author, { service: request.service, from: plan.fromVersion, to: plan.toVersion, reason }, id);
    return row;
  }

  /** Called with every deployment once it is promoted and its last actions are done. */
  onPromoted(listener: (row: DeploymentRow) => void): void {
    this.promotedListeners.push(listener);
  }

  /** True while the controller still acts on the deployment (its last actions included). */
  isLive(id: string): boolean {
    return this.live.has(id);
  }

  /** The plan a request resolves to now, without side effects (`pitchey deploy plan`). Throws PlanError. */
  preview(request: DeployRequest, id = 'preview'): DeploymentPlan {
    const { checks: _checks, author: _author, expectedPlanHash: _hash, promotion: _promotion, release: _release, ...input } = request;
    // Rolling plans its batches around the old instances serving now.
    const stable = request.strategy === 'rolling' && input.stableInstances === undefined ? this.ports.router.instances(request.service).stable?.total : undefined;
    // The new release gets as many workers as stable runs, unless the request says.
    const workers = input.workers ?? stableWorkers(this.ports.driver.list(), request.service);
    return createPlan({ ...input, id, workers, fromVersion: this.currentVersion(request.service), ...(stable === undefined ? {} : { stableInstances: stable }) });
  }

  get(id: string): DeploymentRow | null {
    return this.live.get(id)?.row ?? readDeployment(this.ports.db, id);
  }

  /**
   * Feeds an operator event to a live deployment and answers once it has taken effect: an abort
   * answers rolled back, a promotion promoted, as `emergencyRollback` does. Actions queued before it
   * (an instance still starting) finish first, so a status read after the answer never shows the
   * deployment as if the operator had not spoken.
   */
  async signal(id: string, input: EngineInput, actor: string): Promise<DeploymentRow> {
    const live = this.live.get(id);
    if (live === undefined) throw new DeployRefused(`deployment ${id} is not in progress`, 'not-found');
    this.audit(`operator.${input.kind}`, actor, { input }, id);
    await this.enqueue(live, () => this.step(live, input)); // the queue logs a failure
    return live.row;
  }

  /**
   * Emergency rollback: stable gets all traffic now (in-process, before anything else), then every
   * live deployment of the service is aborted. Returns how long the switch took.
   */
  async emergencyRollback(service: string, reason: string, actor: string): Promise<{ switchMs: number; aborted: string[] }> {
    const started = performance.now();
    this.ports.router.setWeights(service, { stable: 100 });
    const switchMs = performance.now() - started;
    const targets = [...this.live.values()].filter((l) => l.row.service === service);
    this.audit('rollback.emergency', actor, { service, reason, switchMs, deployments: targets.map((t) => t.row.id) });
    await Promise.all(targets.map((live) => this.enqueue(live, () => this.step(live, { kind: 'abort', reason: `emergency rollback: ${reason}` }))));
    return { switchMs, aborted: targets.map((t) => t.row.id) };
  }

  private readonly recovered: Array<{ live: Live; actions: Action[] }> = [];
  private readonly recoveredPromotions: DeploymentRow[] = [];

  /**
   * On start: each deployment that was active when the controller stopped gets the engine's
   * decision (resume its step, keep waiting for sign-offs, roll back, or complete), stored and
   * audited with why; a release member's as its release decides (release-recovery.ts). Resumed ones are live at once (sign-offs can be given) and act once
   * {@link resumeRecovered} is called, when the platform can serve them.
   */
  recover(): Array<{ row: DeploymentRow; recovery: Recovery }> {
    const stale = readDeployments(this.ports.db, { env: this.options.env, activeOnly: true });
    const now = this.now();
    const recoveries = new Map(stale.map((d) => [d.id, recoverDeployment(d.state, now, { signoffTimeoutMs: this.signoffTimeoutMs() })]));
    // A release member resumes as its release decides: still held, or rolled back with the release.
    this.releases.recover(stale, recoveries, now);
    return stale.map((before) => {
      const recovery = recoveries.get(before.id)!;
      const row: DeploymentRow = { ...before, state: recovery.state, updatedAt: now };
      writeDeployment(this.ports.db, row);
      this.audit('deployment.recovered', 'controller', { decision: recovery.decision, why: recovery.why, was: { phase: before.state.phase, step: before.state.stepIndex } }, row.id);
      if (isActive(row.state.phase)) {
        const live: Live = { row, busy: Promise.resolve(), timer: null };
        this.live.set(row.id, live);
        this.recovered.push({ live, actions: recovery.actions });
      } else {
        // A promotion completed on restart is told about once the platform can serve (its validation and smoke journey).
        this.finish({ row, busy: Promise.resolve(), timer: null }, false);
        if (row.state.phase === 'promoted') this.recoveredPromotions.push(row);
      }
      return { row, recovery };
    });
  }

  /** Carries out the actions of the deployments {@link recover} resumed, and takes up their analysis. */
  resumeRecovered(): void {
    for (const { live, actions } of this.recovered.splice(0)) {
      void this.enqueue(live, () => this.apply(live, actions)); // the queue logs a failure
      this.schedule(live);
    }
    for (const row of this.recoveredPromotions.splice(0)) for (const listener of this.promotedListeners) listener(row);
  }

  async stop(): Promise<void> {
    for (const live of this.live.values()) if (live.timer !== null) clearInterval(live.timer);
    await Promise.all([...this.live.values()].map((l) => l.busy));
  }

  private schedule(live: Live): void {
    live.timer = setInterval(() => {
      if (this.idle(live)) void this.enqueue(live, () => this.observe(live)); // a timer tick: the queue logs failures
    }, this.options.intervalMs ?? 1_000);
  }

  private pending = new WeakSet<Live>();

  private idle(live: Live): boolean {
    return !this.pending.has(live);
  }

  /** One operation at a time per deployment: ticks never overlap actions. */
  private enqueue(live: Live, op: () => Promise<void>): Promise<void> {
    this.pending.add(live);
    live.busy = live.busy
      .then(op)
      .catch((err: unknown) => this.log(`deployment ${live.row.id}: ${(err as Error).stack ?? String(err)}`))
      .finally(() => {
        this.pending.delete(live);
        // Finished only once every action of the final transition has run, never midway through.
        if (!isActive(live.row.state.phase) && this.live.has(live.row.id)) this.finish(live);
      });
    return live.busy;
  }

  private async observe(live: Live): Promise<void> {
    if (!['starting', 'progressing', 'paused'].includes(live.row.state.phase)) return;
    const now = this.now();
    // Never look back past this deployment's start (earlier traffic on a track was another release's),
    // nor, once the newest instances have warmed up, past the end of their warm-up.
    const windowMs = Math.max(1_000, Math.min(this.options.windowMs ?? 30_000, now - analysisFrom(live.row.state, now)));
    const tracks = await this.ports.metrics.window(live.row.service, windowMs, now);
    await this.step(live, { kind: 'observe', observation: { at: now, windowMs, tracks, instances: this.ports.router.instances(live.row.service) } });
  }

  private async step(live: Live, input: EngineInput): Promise<void> {
    if (!isActive(live.row.state.phase)) return;
    const now = this.now();
    const result = advance(live.row.state, input, now);
    if (!promotes(result)) return this.persistAndApply(live, result.state, result.actions);
    const held = this.releases.holdPromotion(live.row, result, now);
    if (held !== null) return this.persistAndApply(live, held.state, held.actions);
    // The engine holds a promotion for missing sign-offs; the wait's start is stored with the state.
    const missing = this.signoffs(live.row).missing;
    const hold = holdForSignoffs(live.row.state, result, missing, this.signoffTimeoutMs(), now);
    if (hold.began) this.audit('signoff.awaiting', 'controller', { missing, since: now, deadline: now + this.signoffTimeoutMs() }, live.row.id);
    await this.persistAndApply(live, hold.state, hold.actions);
  }

  private signoffTimeoutMs(): number {
    return this.options.signoffTimeoutMs ?? 14_400_000;
  }

  signoffPolicy(): SignoffPolicy {
    return { required: this.options.signoffs ?? [], sharedRoles: this.options.signoffSharedRoles ?? false };
  }

  /** Sign-offs the deployment's plan holds now. */
  signoffs(row: DeploymentRow): SignoffAssessment {
    return assessSignoffs({ ...this.signoffContext(row), required: requiredSignoffs(row.state.plan, this.signoffPolicy()), approvals: readApprovals(this.ports.db, row.id) });
  }

  private signoffContext(row: DeploymentRow): { planHash: string; author: string; now: number; sharedRoles: boolean } {
    return { planHash: planHash(row.state.plan), author: row.author, now: this.now(), sharedRoles: this.signoffPolicy().sharedRoles };
  }

  /**
   * Records a sign-off for a live deployment, bound to its plan hash and to the person the
   * credential authenticated (the engine's refuseSignoff says who may sign).
   */
  approve(id: string, request: { role: string; signer: Signer; credential: string; comment: string | null }): SignoffAssessment {
    const live = this.live.get(id);
    if (live === undefined) throw new DeployRefused(`deployment ${id} is not in progress`, 'not-found');
    const approvals = readApprovals(this.ports.db, id);
    const refusal = refuseSignoff({ ...this.signoffContext(live.row), role: request.role, signer: request.signer, approvals });
    if (refusal !== null) throw new DeployRefused(refusal, 'invalid');
    const role = request.role as SignoffRole;
    const name = request.signer.person!;
    const at = this.now();
    const hash = planHash(live.row.state.plan);
    writeApproval(this.ports.db, {
      deploymentId: id,
      role,
      name,
      credential: request.credential,
      comment: request.comment,
      planHash: hash,
      at,
      expiresAt: at + (this.options.signoffTtlMs ?? 86_400_000),
    });
    this.audit('signoff.given', name, { role, credential: request.credential, comment: request.comment, planHash: hash }, id);
    return this.signoffs(live.row);
  }

  private async persistAndApply(live: Live, state: DeploymentState, actions: Action[]): Promise<void> {
    const previous = live.row.state;
    const before = previous.phase;
    live.row = { ...live.row, state, updatedAt: this.now() };
    writeDeployment(this.ports.db, live.row);
    this.ports.stateChanged?.(live.row, previous);
    if (state.phase !== before) this.audit('deployment.phase', 'controller', { from: before, to: state.phase, reason: state.reason, assessments: state.assessments }, live.row.id);
    await this.apply(live, actions);
  }

  private finish(live: Live, tellListeners = true): void {
    if (live.timer !== null) clearInterval(live.timer);
    this.live.delete(live.row.id);
    this.releases.letGo(live.row.id);
    const { state } = live.row;
    if (state.phase === 'promoted') writeCurrentVersion(this.ports.db, this.options.env, live.row.service, state.plan.toVersion, this.now(), state.plan.fromVersion);
    releaseLock(this.ports.db, this.options.env, live.row.id);
    this.audit(`deployment.${state.phase}`, 'controller', { reason: state.reason }, live.row.id);
    this.log(`deployment ${live.row.id} ${state.phase}: ${state.reason ?? ''}`);
    if (state.phase === 'promoted' && tellListeners) for (const listener of this.promotedListeners) listener(live.row);
  }

  private async apply(live: Live, actions: Action[]): Promise<void> {
    const ports = {
      ...this.ports,
      now: this.now,
      log: this.log,
      drainMs: this.options.drainMs ?? 10_000,
      audit: (kind: string, data: Record<string, unknown>) => this.audit(kind, 'controller', data, live.row.id),
    };
    for (const action of actions) {
      this.audit(`action.${action.kind}`, 'controller', { action }, live.row.id);
      const next = await carryOut(ports, { id: live.row.id, service: live.row.service, plan: live.row.state.plan }, action);
      if (next !== null) await this.step(live, next);
    }
  }
}

/** A promotion's validation passed: the engine judges its recorded phases. */
function passedValidation(events: readonly AuditEvent[]): boolean {
  return validationPassed(events.filter((e) => e.kind === 'validation.phase').map((e) => ({ phase: String(e.data.phase), status: String(e.data.status) })));
}
