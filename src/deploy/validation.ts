// Post-deployment validation of a promoted release: the immediate, extended and final phases each
// gather the service's traffic from the metric source and end in a verdict (the checklist's limits
// and the service level objectives) written to the audit log (and so to the record). The engine
// (advanceValidation) decides each sample; the progress is stored after every one, so a controller
// restarted mid-phase — 3 hours into the final one — resumes it. A breach in the immediate phase
// rolls back to the previous version.
import { advanceValidation, describeResumedValidation, sampleSeconds, startValidation, validationPhases, type AfterPromotion, type PhaseVerdict } from './engine/index.js';
import type { MetricSource } from './adapters/metric-source.js';
import { readDeployment, readRunningValidations, readValidation, writeValidation, type ControllerDb, type DeploymentRow } from './store.js';

const MAX_LATENCIES = 20_000;

export interface ValidatorPorts {
  db: ControllerDb;
  env: string;
  metrics: MetricSource;
  audit(kind: string, data: Record<string, unknown>, deploymentId: string): void;
  /** Carries out what a phase's verdict led to (a rollback to the previous version, an alert). */
  act(row: DeploymentRow, action: Exclude<AfterPromotion, { kind: 'none' }>, verdict: PhaseVerdict): void;
  clock?: () => number;
  log?: (message: string) => void;
}

export interface ValidatorOptions {
  /** Immediate, extended and final phase lengths. Default 15 min, 45 min, 23 h (the checklist's 0–15 min, 15–60 min, 24 h). */
  phasesMs?: [number, number, number];
  /** How often traffic is gathered (each read covers the whole seconds since the last). Default 5 s. */
  sampleMs?: number;
}

export class PostDeployValidator {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Deployments with a sample in flight: a slow metric source never has two samples write over each other. */
  private readonly busy = new Set<string>();
  private readonly now: () => number;

  constructor(
    private readonly ports: ValidatorPorts,
    private readonly options: ValidatorOptions = {},
  ) {
    this.now = ports.clock ?? Date.now;
  }

  /** Starts the phases for a deployment that was just promoted: stored first, then sampled. */
  start(row: DeploymentRow): void {
    const progress = startValidation(validationPhases(this.options.phasesMs ?? [900_000, 2_700_000, 82_800_000]), this.now());
    writeValidation(this.ports.db, row.id, this.ports.env, progress, this.now());
    this.ports.audit('validation.started', { phases: progress.phases.map((p) => ({ name: p.name, durationMs: p.durationMs })) }, row.id);
    this.sample(row);
  }

  /** On start: every validation still running when the controller stopped goes on where it was, on its stored schedule. */
  resume(): string[] {
    const ids = readRunningValidations(this.ports.db, this.ports.env);
    for (const id of ids) {
      const row = readDeployment(this.ports.db, id);
      const progress = readValidation(this.ports.db, id);
      if (row === null || progress === null) continue;
      this.ports.audit('validation.resumed', { phase: progress.phases[progress.index]?.name ?? null, why: describeResumedValidation(progress, this.now()) }, id);
      this.sample(row);
    }
    return ids;
  }

  private sample(row: DeploymentRow): void {
    const sampleMs = this.options.sampleMs ?? 5_000;
    const timer = setInterval(() => {
      if (this.busy.has(row.id)) return;
      this.busy.add(row.id);
      this.tick(row)
        .catch((err: Error) => this.ports.log?.(`validation of ${row.id}: ${err.message}`))
        .finally(() => this.busy.delete(row.id));
    }, sampleMs);
    timer.unref();
    this.timers.set(row.id, timer);
  }

  /** One sample: the engine's step over the stored progress, stored before its verdict and action are carried out. */
  private async tick(row: DeploymentRow): Promise<void> {
    const progress = readValidation(this.ports.db, row.id);
    if (progress === null) return this.stop(row.id);
    const span = sampleSeconds(progress, this.now());
    const window = span === null ? null : ((await this.ports.metrics.window(row.service, span.windowMs, span.end)).stable ?? null);
    const now = this.now();
    const step = advanceValidation(progress, { window, now, ...(span === null ? {} : { through: span.through }) }, row.state.plan, {
      maxLatencies: MAX_LATENCIES,
      objectives: { service: row.service },
    });
    writeValidation(this.ports.db, row.id, this.ports.env, step.progress, now);
    if (step.progress.status !== 'running') this.stop(row.id);
    if (step.verdict === null) return;
    this.ports.audit('validation.phase', { ...step.verdict }, row.id);
    this.ports.log?.(`${row.id} ${step.verdict.phase} validation: ${step.verdict.status} (${step.verdict.observed})`);
    if (step.action.kind !== 'none') this.ports.act(row, step.action, step.verdict);
  }

  stop(id?: string): void {
    for (const [key, timer] of this.timers)
      if (id === undefined || key === id) {
        clearInterval(timer);
        this.timers.delete(key);
      }
  }
}
