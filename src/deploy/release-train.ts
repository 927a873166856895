// The release train's loop: a platform release as one deployment of several services. It holds the
// environment's lock for all of them, starts each declared wave through the same path a single
// deployment takes, and on every tick carries out the engine's decision (release-train.ts there):
// start the next wave, let every member promote together, or abort and revert them all.
import { randomUUID } from 'node:crypto';
import { releaseDecision, type ReleaseMember } from './engine/index.js';
import type { Controller } from './controller.js';
import { acquireLock, releaseLock } from './lock.js';
import { readLiveReleases, readRelease, writeRelease, type ReleaseMemberRow, type ReleaseRow } from './release-store.js';
import type { ControllerDb, DeploymentRow } from './store.js';

export interface ReleaseTrainPorts {
  db: ControllerDb;
  env: string;
  controller: Controller;
  /** Starts one member's deployment (checks, gates, plan) as part of release `id`; throws a Problem when refused. */
  startMember: (service: string, version: string, author: string, releaseId: string) => Promise<DeploymentRow>;
  /** Starts the deployment reverting a promoted member to `to` (the rollback path). */
  revertMember: (service: string, to: string, reason: string, releaseId: string) => DeploymentRow;
  intervalMs: number;
  clock?: () => number;
  log?: (message: string) => void;
}

export class ReleaseRefused extends Error {
  constructor(
    message: string,
    readonly reason: 'not-found' | 'conflict',
  ) {
    super(message);
    this.name = 'ReleaseRefused';
  }
}

export class ReleaseTrains {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly busy = new Map<string, Promise<void>>();
  private readonly now: () => number;

  constructor(private readonly ports: ReleaseTrainPorts) {
    this.now = ports.clock ?? Date.now;
  }

  /** Takes the lock, stores the release and starts its loop; the first wave starts on the first tick. */
  start(request: { version: string; waves: string[][]; author: string; request: Record<string, unknown> }): ReleaseRow {
    const { db, env } = this.ports;
    const id = `rel-${randomUUID().slice(0, 8)}`;
    const at = this.now();
    acquireLock(db, { env, holder: request.author, reason: `release ${request.version} of ${request.waves.flat().join(', ')}`, deploymentId: id, acquiredAt: at });
    const members: ReleaseMemberRow[] = request.waves.flatMap((services, wave) => services.map((service) => ({ service, wave, deploymentId: null, asked: null, revertId: null, refused: null })));
    const row: ReleaseRow = {
      id,
      env,
      author: request.author,
      version: request.version,
      waves: request.waves,
      request: request.request,
      members,
      phase: 'running',
      failure: null,
      reason: 'starting',
      createdAt: at,
      updatedAt: at,
    };
    writeRelease(db, row);
    this.ports.controller.audit('release.started', request.author, { version: request.version, waves: request.waves }, id);
    this.loop(id);
    return row;
  }

  /**
   * Takes up the releases this environment was running when the controller stopped, once the
   * controller's recovery judged them (release-recovery.ts): held members stay held, a failed release rolls back.
   */
  resumeStored(): void {
    for (const row of readLiveReleases(this.ports.db, this.ports.env)) this.loop(row.id);
  }

  private loop(id: string): void {
    this.timers.set(
      id,
      setInterval(() => {
        if (!this.busy.has(id)) void this.run(id, () => this.tick(id)); // tick logs its own failures
      }, this.ports.intervalMs),
    );
  }

  /** One operation at a time per release (a tick, an operator's abort): answers the op's own outcome. */
  private run<T>(id: string, op: () => Promise<T>): Promise<T> {
    const result = (this.busy.get(id) ?? Promise.resolve()).then(op);
    const settled: Promise<void> = result
      .then(
        () => undefined,
        () => undefined,
      )
      .finally(() => {
        if (this.busy.get(id) === settled) this.busy.delete(id);
      });
    this.busy.set(id, settled);
    return result;
  }

  /**
   * An operator aborts the whole release: the roll-back a failed member causes (live members
   * aborted, promoted ones reverted to their previous version), decided now rather than at the next
   * tick. Answers once the aborts took effect and the reverts started; throws ReleaseRefused when
   * the release is not running.
   */
  abort(id: string, actor: string): Promise<ReleaseRow> {
    return this.run(id, async () => {
      const row = this.get(id);
      if (row === null) throw new ReleaseRefused(`no platform release ${id}`, 'not-found');
      if (!this.isLive(id) || row.phase !== 'running') throw new ReleaseRefused(`release ${id} is ${row.phase}, not running: nothing to abort`, 'conflict');
      const reason = `aborted by ${actor}`;
      this.ports.controller.audit('release.abort', actor, { reason }, id);
      await this.act({ ...row, failure: reason });
      return this.get(id)!;
    });
  }

  get(id: string): ReleaseRow | null {
    return readRelease(this.ports.db, id);
  }

  isLive(id: string): boolean {
    return this.timers.has(id);
  }

  async stop(): Promise<void> {
    for (const timer of this.timers.values()) clearInterval(timer);
    this.timers.clear();
    await Promise.all(this.busy.values());
  }

  /** The members as the engine judges them; a promoted member is still promoting while its last actions run. */
  private view(row: ReleaseRow): ReleaseMember[] {
    const { controller } = this.ports;
    return row.members.map((m) => {
      const dep = m.deploymentId === null ? null : controller.get(m.deploymentId);
      const revert = m.revertId === null ? null : controller.get(m.revertId);
      const phase = m.refused !== null ? 'failed' : (dep?.state.phase ?? null);
      const settling = phase === 'promoted' && controller.isLive(m.deploymentId!);
      return {
        service: m.service,
        wave: m.wave,
        phase: settling ? 'promoting' : phase,
        held: dep?.state.phase === 'progressing' && dep.state.releaseHeldSince != null,
        asked: m.asked,
        revertPhase: revert === null ? null : controller.isLive(revert.id) ? 'promoting' : revert.state.phase,
      };
    });
  }

  private async tick(id: string): Promise<void> {
    try {
      const row = this.get(id);
      if (row === null) return;
      await this.act(row);
    } catch (err) {
      this.ports.log?.(`release ${id}: ${(err as Error).stack ?? String(err)}`);
    }
  }

  private async act(row: ReleaseRow): Promise<void> {
    const { controller } = this.ports;
    const decision = releaseDecision(this.view(row), row.failure);
    const member = (service: string): ReleaseMemberRow => row.members.find((m) => m.service === service)!;
    switch (decision.kind) {
      case 'hold':
        if (decision.reason !== row.reason) this.write({ ...row, reason: decision.reason });
        return;
      case 'start-wave': {
        controller.audit('release.wave', 'controller', { wave: decision.wave + 1, services: decision.services }, row.id);
        const started = await Promise.allSettled(decision.services.map((s) => this.ports.startMember(s, row.version, row.author, row.id)));
        started.forEach((r, i) => {
          const m = member(decision.services[i]!);
          if (r.status === 'fulfilled') m.deploymentId = r.value.id;
          else m.refused = (r.reason as Error).message;
        });
        this.write({ ...row, reason: `wave ${decision.wave + 1}: ${decision.services.join(', ')}` });
        return;
      }
      case 'promote-all':
        for (const s of decision.services) member(s).asked = 'promote';
        this.write({ ...row, reason: `every canary passed: promoting ${decision.services.join(', ')} together` });
        controller.audit('release.promote', 'controller', { services: decision.services }, row.id);
        for (const s of decision.services) controller.releasePromotion(member(s).deploymentId!);
        return;
      case 'roll-back-all':
        return this.rollBackAll(row, decision);
      case 'done':
        this.write({ ...row, phase: decision.outcome, reason: decision.reason });
        clearInterval(this.timers.get(row.id));
        this.timers.delete(row.id);
        releaseLock(this.ports.db, row.env, row.id);
        controller.audit(`release.${decision.outcome}`, 'controller', { reason: decision.reason }, row.id);
    }
  }

  /** Stored first (the decision and what is asked), then the aborts and reverts are carried out. */
  private async rollBackAll(row: ReleaseRow, d: { reason: string; abort: string[]; revert: string[] }): Promise<void> {
    const { controller } = this.ports;
    const member = (service: string): ReleaseMemberRow => row.members.find((m) => m.service === service)!;
    for (const s of [...d.abort, ...d.revert]) member(s).asked = d.abort.includes(s) ? 'abort' : 'revert';
    const reason = `release ${row.id} rolled back: ${d.reason}`;
    Object.assign(row, { phase: 'rolling-back', failure: d.reason, reason: `rolling back: ${d.reason}` });
    this.write(row);
    controller.audit('release.rolling-back', 'controller', { reason: d.reason, abort: d.abort, revert: d.revert }, row.id);
    await Promise.all(d.abort.map((s) => controller.signal(member(s).deploymentId!, { kind: 'abort', reason }, 'release').catch(() => undefined)));
    for (const s of d.revert) {
      const m = member(s);
      const from = controller.get(m.deploymentId!)?.state.plan.fromVersion ?? null;
      try {
        if (from !== null) m.revertId = this.ports.revertMember(s, from, reason, row.id).id;
      } catch (err) {
        controller.audit('release.revert-refused', 'controller', { service: s, to: from, reason: (err as Error).message }, row.id);
      }
    }
    this.write(row);
  }

  private write(row: ReleaseRow): void {
    writeRelease(this.ports.db, { ...row, updatedAt: this.now() });
  }
}
