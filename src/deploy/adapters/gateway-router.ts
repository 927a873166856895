// The traffic router for the built-in gateway, in process: weights, retagging and draining act on
// its instance pools directly, so a switch takes effect for the very next request.
import { instanceHealth, type Gateway } from '../../gateway/index.js';
import type { TrafficRouter } from './traffic-router.js';

export function createGatewayRouter(gateway: Pick<Gateway, 'pools'>): TrafficRouter {
  const pool = (service: string) => {
    const p = gateway.pools.get(service as never);
    if (p === undefined) throw new Error(`the gateway has no pool for "${service}"`);
    return p;
  };
  return {
    setWeights: (service, weights) => pool(service).setWeights(weights),
    retag: (service, id, track) => {
      pool(service).retag(id, track);
    },
    drain: async (service, id, timeoutMs) => {
      await pool(service).drain(id, timeoutMs);
    },
    instances: (service) => instanceHealth(pool(service)),
    isHealthy: (service, id) => pool(service).get(id)?.healthy === true,
  };
}
