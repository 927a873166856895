// Post-deployment validation of a promoted release: the immediate, extended and final phases each
// gather the service's traffic from the metric source, end in a verdict (the checklist's limits and
// the service level objectives) written to the audit log (and so to the record), and a breach in
// the immediate phase rolls back to the previous version.
import { addToPhase, assessPhase, validationPhases, type PhaseTraffic, type PhaseVerdict } from './engine/index.js';
import type { MetricSource } from './adapters/metric-source.js';
import type { DeploymentRow } from './store.js';

const MAX_LATENCIES = 20_000;

export interface ValidatorPorts {
  metrics: MetricSource;
  audit(kind: string, data: Record<string, unknown>, deploymentId: string): void;
  /** Called once when a phase that rolls back on breach fails. */
  rollback(row: DeploymentRow, verdict: PhaseVerdict): Promise<void>;
  log?: (message: string) => void;
}

export interface ValidatorOptions {
  /** Immediate, extended and final phase lengths. Default 15 min, 45 min, 23 h (the checklist's 0–15 min, 15–60 min, 24 h). */
  phasesMs?: [number, number, number];
  /** How often traffic is gathered (each read covers the time since the last). Default 5 s. */
  sampleMs?: number;
}

export class PostDeployValidator {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly ports: ValidatorPorts,
    private readonly options: ValidatorOptions = {},
  ) {}

  /** Starts the phases for a deployment that was just promoted. */
  start(row: DeploymentRow): void {
    const phases = validationPhases(this.options.phasesMs ?? [900_000, 2_700_000, 82_800_000]);
    const sampleMs = this.options.sampleMs ?? 5_000;
    let index = 0;
    let phaseStarted = Date.now();
    let traffic: PhaseTraffic = { requests: 0, errors: 0, latenciesMs: [] };
    this.ports.audit('validation.started', { phases: phases.map((p) => ({ name: p.name, durationMs: p.durationMs })) }, row.id);
    const tick = async (): Promise<void> => {
      const stable = (await this.ports.metrics.window(row.service, sampleMs, Date.now())).stable;
      if (stable !== undefined && stable.version === row.state.plan.toVersion) {
        traffic = addToPhase(traffic, stable, MAX_LATENCIES);
      }
      const phase = phases[index];
      if (phase === undefined || Date.now() - phaseStarted < phase.durationMs) return;
      const verdict = assessPhase(phase, traffic, undefined, { service: row.service, at: Date.now() });
      this.ports.audit('validation.phase', { ...verdict }, row.id);
      this.ports.log?.(`${row.id} ${phase.name} validation: ${verdict.status} (${verdict.observed})`);
      if (verdict.status === 'fail' && phase.rollbackOnBreach) {
        this.stop(row.id);
        await this.ports.rollback(row, verdict);
        return;
      }
      index++;
      phaseStarted = Date.now();
      traffic = { requests: 0, errors: 0, latenciesMs: [] };
      if (index >= phases.length) this.stop(row.id);
    };
    const timer = setInterval(() => {
      tick().catch((err: Error) => this.ports.log?.(`validation of ${row.id}: ${err.message}`));
    }, sampleMs);
    timer.unref();
    this.timers.set(row.id, timer);
  }

  stop(id?: string): void {
    for (const [key, timer] of this.timers)
      if (id === undefined || key === id) {
        clearInterval(timer);
        this.timers.delete(key);
      }
  }
}
