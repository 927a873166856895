// How the controller starts a release's processes and picks which of them take part in what: its
// instances (up once the gateway finds them healthy, smoke-tested on their track before real
// traffic) and its workers (`pitchey worker`, up once their job runner started; they take the
// jobs their release accepted, so a canary's workers run the canary's jobs). Traffic, drains and
// counted retirements concern instances only; a track's stop, promotion and rollback take both.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Driver, InstanceHandle } from './adapters/driver.js';
import type { TrafficRouter } from './adapters/traffic-router.js';
import type { Evidence } from './checks/index.js';
import type { Action, EngineInput, Track } from './engine/index.js';

export interface StartPorts {
  driver: Driver;
  router: TrafficRouter;
  smoke?: (service: string, track: Track) => Promise<Evidence>;
  audit: (kind: string, data: Record<string, unknown>) => void;
  now: () => number;
}

type StartAction = Extract<Action, { kind: 'startInstances' }>;

/**
 * How long past its drain bound a process may take to exit before it is SIGKILLed: a worker (or an
 * instance's runner) drains its jobs for the whole bound, then still hands the unfinished ones back.
 */
export const EXIT_MARGIN_MS = 2_000;

/**
 * Starts the action's instances and workers, waits for the instances to be healthy and passes the
 * smoke journey on a candidate track; answers what the engine is told. On any failure, whatever of
 * the track and version did start is stopped.
 */
export async function startRelease(ports: StartPorts, deploymentId: string, service: string, action: StartAction, timeoutMs: number): Promise<EngineInput> {
  const { driver, router } = ports;
  const deadline = ports.now() + timeoutMs;
  const spec = { service, track: action.track, version: action.version, faults: action.faults, deployment: deploymentId };
  try {
    // Both settle before any failure is acted on: a start still under way would leave behind what it starts after the cleanup.
    const [instances, workers] = await Promise.allSettled([
      driver.start({ ...spec, count: action.count }, timeoutMs),
      (action.workers ?? 0) > 0 ? driver.start({ ...spec, role: 'worker', count: action.workers ?? 0 }, timeoutMs) : Promise.resolve([]),
    ]);
    if (instances.status === 'rejected') throw instances.reason;
    if (workers.status === 'rejected') throw workers.reason;
    const handles = instances.value;
    while (!handles.every((h) => router.isHealthy(service, h.id))) {
      if (ports.now() > deadline) throw new Error(`instances of ${action.version} were not healthy within ${timeoutMs} ms`);
      await sleep(100);
    }
    const smoke = action.track === 'stable' || ports.smoke === undefined ? null : await ports.smoke(service, action.track);
    if (smoke !== null) ports.audit('smoke', { when: 'before-traffic', track: action.track, evidence: smoke });
    if (smoke?.status === 'fail') throw new Error(`smoke journey on ${action.track} failed: ${smoke.observed}`);
    return { kind: 'instancesStarted' };
  } catch (err) {
    const started = driver.list().filter((h) => h.service === service && h.track === action.track && h.version === action.version);
    await driver.stop(
      started.map((h) => h.id),
      0,
    );
    return { kind: 'instancesFailed', reason: (err as Error).message };
  }
}

/** Those that serve traffic (the router knows only these). */
export function instancesOnly(handles: readonly InstanceHandle[]): InstanceHandle[] {
  return handles.filter((h) => h.role === 'instance');
}

/**
 * What a stopInstances action stops of a track's processes: all of them (instances and workers),
 * or with a `count` (a rolling batch retiring old instances) that many instances and no worker —
 * the old release's workers keep its jobs running until the promotion retires them.
 */
export function toStop(handles: readonly InstanceHandle[], count: number | undefined): InstanceHandle[] {
  return count === undefined ? [...handles] : instancesOnly(handles).slice(0, count);
}

/** The workers stable runs for a service: a new release gets as many unless its plan says otherwise. */
export function stableWorkers(handles: readonly InstanceHandle[], service: string): number {
  return handles.filter((h) => h.service === service && h.track === 'stable' && h.role === 'worker').length;
}
