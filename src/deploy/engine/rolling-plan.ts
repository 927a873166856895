// The rolling schedule, worked out when the plan is made: each batch starts new instances beside
// the old ones (surge first), is analysed at the share its instances carry, and only then retires
// old instances, never below the target count minus maxUnavailable. So with one old instance and
// the defaults (surge 1, unavailable 0) the first new instance carries half the traffic, not all
// of it, until its analysis passes.
import type { RollingBatch, RollingPlan } from './types.js';

export interface RollingInput {
  /** New instances wanted (the target count). */
  instances: number;
  stableInstances: number;
  maxSurge: number;
  maxUnavailable: number;
}

export function planRolling(input: RollingInput): RollingPlan {
  const { instances, stableInstances, maxSurge, maxUnavailable } = input;
  const floor = Math.max(0, instances - maxUnavailable);
  const batches: RollingBatch[] = [];
  let fresh = 0;
  let old = stableInstances;
  while (fresh < instances) {
    const start = Math.min(maxSurge, instances - fresh);
    fresh += start;
    const last = fresh >= instances;
    const retireAfter = last ? old : Math.max(0, old - Math.max(0, floor - fresh));
    batches.push({ start, newInstances: fresh, oldInstances: old, retireAfter });
    old -= retireAfter;
  }
  return { stableInstances, maxSurge, maxUnavailable, batches };
}

/** The new version's traffic share (percent) with these instances serving. */
export function shareOf(newInstances: number, oldInstances: number): number {
  return newInstances + oldInstances === 0 ? 100 : Math.round((100 * newInstances) / (newInstances + oldInstances));
}
