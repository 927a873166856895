// PITCHEY_DATA_PLANE, with `auto` resolved: nginx where its Lua module is installed and the
// gateway keeps its own state, node otherwise; an explicit choice always stands.
import { describe, expect, it } from 'vitest';
import { resolveDataPlane } from '../../src/gateway/index.js';

const SHARED = 'redis://127.0.0.1:6379/0';

describe('resolveDataPlane', () => {
  it.each([
    ['auto', null, true, 'nginx'],
    ['auto', null, false, 'node'],
    ['auto', SHARED, true, 'node'],
    ['auto', SHARED, false, 'node'],
    ['node', null, true, 'node'],
    ['nginx', null, false, 'nginx'],
    ['nginx', SHARED, true, 'nginx'],
  ] as const)('%s with shared state %s and the Lua module installed %s: %s', (dataPlane, gatewayState, installed, want) => {
    expect(resolveDataPlane({ dataPlane, gatewayState }, () => installed)).toBe(want);
  });
});
