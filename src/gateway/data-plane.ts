// Which data plane carries the proxied bytes (PITCHEY_DATA_PLANE), with `auto` decided on this machine.
import type { Config } from '../kit/index.js';
import { luaModuleInstalled } from './nginx/process.js';

export type DataPlane = 'node' | 'nginx';

/**
 * `auto` is nginx where its Lua module is installed, unless the gateway shares its state with
 * other replicas (PITCHEY_GATEWAY_STATE): nginx would count their rate limits each on its own.
 */
export function resolveDataPlane(config: Pick<Config, 'dataPlane' | 'gatewayState'>, luaInstalled: () => boolean = luaModuleInstalled): DataPlane {
  if (config.dataPlane !== 'auto') return config.dataPlane;
  return config.gatewayState === null && luaInstalled() ? 'nginx' : 'node';
}
