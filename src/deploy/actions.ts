// Carrying out the engine's actions: traffic weights through the router, a release's processes
// through the driver (started, retired after their requests drain, promoted to stable). The
// controller persists the state before it calls this, and audits each action.
import type { Driver, InstanceHandle } from './adapters/driver.js';
import type { Action, DeploymentPlan, EngineInput, Track } from './engine/index.js';
import { EXIT_MARGIN_MS, instancesOnly, startRelease, toStop, type StartPorts } from './release-start.js';

export interface ActionPorts extends StartPorts {
  /** How long a retired instance may finish its requests. */
  drainMs: number;
  log: (message: string) => void;
}

/** Carries out one action of a deployment; a start of instances answers what the engine is told next. */
export async function carryOut(ports: ActionPorts, deployment: { id: string; service: string; plan: DeploymentPlan }, action: Action): Promise<EngineInput | null> {
  const { service } = deployment;
  switch (action.kind) {
    case 'setWeights':
      ports.router.setWeights(service, action.weights);
      return null;
    case 'notify':
      ports.log(`[${action.level}] ${service}: ${action.message}`);
      return null;
    case 'stopInstances':
      await retire(ports, service, toStop(matching(ports.driver, service, action.track, action.version), action.count));
      return null;
    case 'promote':
      await promote(ports, service, action.from, deployment.plan.toVersion);
      return null;
    case 'startInstances':
      return startRelease(ports, deployment.id, service, action, deployment.plan.readyTimeoutMs);
  }
}

function matching(driver: Driver, service: string, track: Track, version?: string): InstanceHandle[] {
  return driver.list().filter((h) => h.service === service && h.track === track && (version === undefined || h.version === version));
}

/** Instances leave the router first (their requests drain); then they and any workers stop, workers handing back their jobs. */
async function retire(ports: ActionPorts, service: string, handles: InstanceHandle[]): Promise<void> {
  await Promise.all(instancesOnly(handles).map((h) => ports.router.drain(service, h.id, ports.drainMs)));
  await ports.driver.stop(
    handles.map((h) => h.id),
    ports.drainMs + EXIT_MARGIN_MS,
  );
}

/** The new release's instances and workers become stable; the old release's retire. */
async function promote(ports: ActionPorts, service: string, from: Track, version: string): Promise<void> {
  const old = ports.driver.list().filter((h) => h.service === service && h.track === 'stable' && h.version !== version);
  for (const h of matching(ports.driver, service, from)) {
    ports.driver.retag(h.id, 'stable');
    if (h.role === 'instance') ports.router.retag(service, h.id, 'stable');
  }
  ports.router.setWeights(service, { stable: 100 });
  await retire(ports, service, old);
}
