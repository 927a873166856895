// The traffic controls with nginx carrying the routes: every change is pushed to nginx at once
// (the 100 ms sync would catch it too), in-flight counts include nginx's, and a drain waits for nginx's requests in flight to the
// instance, as well as the Node gateway's own, before it removes it. Before nginx runs (the
// gateway not yet listening) the controls act as they are.
import { setTimeout as sleep } from 'node:timers/promises';
import type { ServiceName } from '../../kit/index.js';
import type { InstancePool } from '../pool.js';
import type { TrafficControl } from '../traffic-control.js';
import type { NginxPlane } from './plane.js';

const DRAIN_POLL_MS = 20;

export function withDataPlane(control: TrafficControl, running: () => NginxPlane | null, pools: Map<ServiceName, InstancePool>, log: (m: string) => void): TrafficControl {
  const push = (): void =>
    void running()
      ?.sync()
      .catch((err: unknown) => log(`nginx data plane: pushing the pools failed: ${err instanceof Error ? err.message : String(err)}`));
  const pushed =
    <A extends unknown[], R>(f: (...args: A) => R) =>
    (...args: A): R => {
      const out = f(...args);
      push();
      return out;
    };
  return {
    ...control,
    // An instance's requests in flight: the Node gateway's own and nginx's (as of the last sync).
    listPools: () => {
      const plane = running();
      const pools = control.listPools();
      if (plane === null) return pools;
      return pools.map((p) => ({ ...p, instances: p.instances.map((i) => ({ ...i, inflight: i.inflight + plane.inflight(p.service, i.id) })) }));
    },
    setWeights: pushed((service, weights) => control.setWeights(service, weights)),
    setSticky: pushed((service, sticky) => control.setSticky(service, sticky)),
    retagInstance: pushed((service, id, track) => control.retagInstance(service, id, track)),
    async addInstance(service, spec) {
      const out = await control.addInstance(service, spec);
      await running()?.sync();
      return out;
    },
    async removeInstance(service, id, drainMs = 30_000) {
      const plane = running();
      const instance = pools.get(service as ServiceName)?.get(id);
      if (plane === null || instance === undefined) return control.removeInstance(service, id, drainMs);
      // nginx stops picking it once this push lands; what it already sent is counted in flight there.
      instance.draining = true;
      const started = Date.now();
      await plane.sync();
      while (plane.inflight(service, id) > 0 && Date.now() - started < drainMs) {
        await sleep(DRAIN_POLL_MS);
        await plane.sync();
      }
      const left = plane.inflight(service, id);
      const result = await control.removeInstance(service, id, Math.max(0, drainMs - (Date.now() - started)));
      push();
      const abandoned = result.abandoned + left;
      return { ...result, outcome: abandoned === 0 ? result.outcome : 'timed-out', abandoned, waitedMs: Date.now() - started };
    },
  };
}
