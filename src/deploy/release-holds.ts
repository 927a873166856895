// The controller's side of a platform release (release train): which live deployments' promotions
// wait for their release, the environment lock a release holds for its members, and the release's
// say when the controller recovers them after a restart. The train itself (release-train.ts) decides
// when to let them go; this only carries the holds between its decisions and the controller's loop.
import { holdForRelease, type EngineResult, type Recovery } from './engine/index.js';
import { readLock } from './lock.js';
import { recoverReleases } from './release-recovery.js';
import type { ControllerDb, DeploymentRow } from './store.js';

export interface ReleaseHoldPorts {
  db: ControllerDb;
  env: string;
  audit: (kind: string, data: Record<string, unknown>, id: string) => void;
}

export class ReleaseHolds {
  /** Deployment id → the release its promotion waits for. */
  private readonly holds = new Map<string, string>();

  constructor(private readonly p: ReleaseHoldPorts) {}

  /** Why a member of `releaseId` may not deploy (its release does not hold the lock), or null. */
  lockRefusal(releaseId: string): string | null {
    return readLock(this.p.db, this.p.env)?.deploymentId === releaseId ? null : `release ${releaseId} does not hold the lock of ${this.p.env}`;
  }

  hold(deploymentId: string, releaseId: string): void {
    this.holds.set(deploymentId, releaseId);
  }

  /** Lets a member promote (at its next analysis that passes), or forgets one that ended. */
  letGo(deploymentId: string): void {
    this.holds.delete(deploymentId);
  }

  /**
   * A held member's promotion (`promotion`, what the engine returned from `row`'s state) held
   * instead: analysis goes on, only the promotion waits; audited when the wait begins. Null when
   * nothing holds the deployment.
   */
  holdPromotion(row: DeploymentRow, promotion: EngineResult, now: number): EngineResult | null {
    const release = this.holds.get(row.id);
    if (release === undefined) return null;
    const held = holdForRelease(row.state, promotion, release, now);
    if (row.state.releaseHeldSince == null) this.p.audit('release.held', { release, reason: held.state.reason }, row.id);
    return held;
  }

  /**
   * On start, after each stale deployment got its own recovery: the releases they belong to decide
   * over them (release-recovery.ts), and the members not yet let go are held again.
   */
  recover(stale: readonly DeploymentRow[], recoveries: Map<string, Recovery>, now: number): void {
    for (const [id, release] of recoverReleases({ ...this.p, now }, stale, recoveries)) this.holds.set(id, release);
  }
}
