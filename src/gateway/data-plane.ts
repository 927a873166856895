// Which data plane carries the proxied bytes (PITCHEY_DATA_PLANE), with `auto` decided on this machine.
import type { Config } from '../kit/index.js';
import { sharedLimitsOutOfReach } from '../kit/light.js';
import { luaModuleInstalled } from './nginx/process.js';

export type DataPlane = 'node' | 'nginx';

/**
 * `auto` is nginx where its Lua module is installed, unless the gateway shares rate limits with
 * other replicas (PITCHEY_GATEWAY_STATE) through a Redis its Lua cannot reach (TLS, a Unix socket,
 * a host name: see redisTcpTarget).
 */
export function resolveDataPlane(config: Pick<Config, 'dataPlane' | 'gatewayState' | 'rateLimit'>, luaInstalled: () => boolean = luaModuleInstalled): DataPlane {
  if (config.dataPlane !== 'auto') return config.dataPlane;
  return !sharedLimitsOutOfReach(config) && luaInstalled() ? 'nginx' : 'node';
}
