// Restart recovery of platform releases (release trains). Each deployment active when the controller
// stopped gets its own recovery first (engine/recovery.ts); a release member's is then judged by its
// release (engine/release-train.ts, recoverRelease), so the release resumes as a whole: the members
// not yet let go stay held, and a release whose member failed rolls back as a whole rather than
// restarting the others' canaries only to abort them.
import { recoverRelease, rollBackOnRecovery, type RecoveringMember, type Recovery } from './engine/index.js';
import { readLiveReleases, writeRelease, type ReleaseRow } from './release-store.js';
import { readDeployment, type ControllerDb, type DeploymentRow } from './store.js';

export interface ReleaseRecoveryPorts {
  db: ControllerDb;
  env: string;
  now: number;
  audit: (kind: string, data: Record<string, unknown>, releaseId: string) => void;
}

/**
 * Judges every release that was live when the controller stopped, over its members' recoveries
 * (`recoveries`, by deployment id: a member its release rolls back gets a roll-back in place of its
 * own decision). Stores and audits each decision; returns the deployments whose promotion stays held,
 * with their release.
 */
export function recoverReleases(p: ReleaseRecoveryPorts, stale: readonly DeploymentRow[], recoveries: Map<string, Recovery>): Map<string, string> {
  const holds = new Map<string, string>();
  for (const row of readLiveReleases(p.db, p.env)) {
    const members = row.members.map((m): RecoveringMember => {
      const recovery = m.deploymentId === null ? undefined : recoveries.get(m.deploymentId);
      const phase = m.deploymentId === null ? null : (recovery?.state.phase ?? readDeployment(p.db, m.deploymentId)?.state.phase ?? null);
      return { service: m.service, asked: m.asked, phase, why: recovery?.decision === 'roll-back' ? recovery.why : null, refused: m.refused !== null };
    });
    const decision = recoverRelease({ id: row.id, phase: row.phase === 'rolling-back' ? 'rolling-back' : 'running', failure: row.failure }, members);
    const member = (service: string): ReleaseRow['members'][number] => row.members.find((m) => m.service === service)!;
    if (decision.decision === 'resume') {
      for (const service of decision.hold) holds.set(member(service).deploymentId!, row.id);
    } else {
      const reason = `release ${row.id} rolled back: ${decision.failure}`;
      for (const service of decision.settle) {
        const m = member(service);
        const before = stale.find((d) => d.id === m.deploymentId)!;
        recoveries.set(before.id, rollBackOnRecovery(before.state, reason, p.now));
        m.asked ??= 'abort';
      }
      writeRelease(p.db, { ...row, phase: 'rolling-back', failure: decision.failure, reason: `rolling back: ${decision.failure}`, updatedAt: p.now });
    }
    p.audit('release.recovered', { ...decision }, row.id);
  }
  return holds;
}
