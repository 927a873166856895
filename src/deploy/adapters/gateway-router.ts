// The traffic router for the built-in gateway, in process: weights, retagging and draining go
// through the gateway's traffic controls, so a switch takes effect for the very next request, on
// either data plane (with nginx carrying the routes, each change is pushed to it at once and a
// drain also waits for the requests nginx has in flight to the instance).
import { instanceHealth, type Gateway } from '../../gateway/index.js';
import type { TrafficRouter } from './traffic-router.js';

export function createGatewayRouter(gateway: Pick<Gateway, 'pools' | 'control'>): TrafficRouter {
  const pool = (service: string) => {
    const p = gateway.pools.get(service as never);
    if (p === undefined) throw new Error(`the gateway has no pool for "${service}"`);
    return p;
  };
  return {
    setWeights: (service, weights) => {
      gateway.control.setWeights(service, weights);
    },
    // An instance the pool no longer has (gone down meanwhile) has nothing to retag or drain.
    retag: (service, id, track) => {
      if (pool(service).get(id) !== undefined) gateway.control.retagInstance(service, id, track);
    },
    drain: async (service, id, timeoutMs) => {
      if (pool(service).get(id) !== undefined) await gateway.control.removeInstance(service, id, timeoutMs);
    },
    instances: (service) => instanceHealth(pool(service)),
    isHealthy: (service, id) => pool(service).get(id)?.healthy === true,
  };
}
