// PITCHEY_DATA_PLANE, with `auto` resolved: nginx where its Lua module is installed and its Lua can
// count shared rate limits in the Redis named (plain TCP to an address), node otherwise; an
// explicit choice always stands. And which Redis URLs the Lua reaches.
import { describe, expect, it } from 'vitest';
import { resolveDataPlane } from '../../src/gateway/index.js';
import { redisTcpTarget } from '../../src/kit/index.js';

const SHARED = 'redis://127.0.0.1:6379/0';
const TLS = 'rediss://10.0.0.5:6380/0';

describe('resolveDataPlane', () => {
  it.each([
    ['auto', null, true, true, 'nginx'],
    ['auto', null, true, false, 'node'],
    ['auto', SHARED, true, true, 'nginx'],
    ['auto', SHARED, true, false, 'node'],
    ['auto', TLS, true, true, 'node'],
    ['auto', TLS, false, true, 'nginx'],
    ['node', null, true, true, 'node'],
    ['nginx', null, true, false, 'nginx'],
    ['nginx', SHARED, true, true, 'nginx'],
  ] as const)('%s with shared state %s, rate limits %s, the Lua module installed %s: %s', (dataPlane, gatewayState, rateLimit, installed, want) => {
    expect(resolveDataPlane({ dataPlane, gatewayState, rateLimit }, () => installed)).toBe(want);
  });
});

describe('redisTcpTarget', () => {
  it.each([
    ['redis://127.0.0.1:6379/0', { host: '127.0.0.1', port: 6379, db: 0, username: '', password: '' }],
    ['redis://localhost', { host: '127.0.0.1', port: 6379, db: 0, username: '', password: '' }],
    ['redis://:s%40cret@10.1.2.3:7000/3', { host: '10.1.2.3', port: 7000, db: 3, username: '', password: 's@cret' }],
    ['redis://gw:pw@[::1]:6379/1', { host: '::1', port: 6379, db: 1, username: 'gw', password: 'pw' }],
    ['rediss://127.0.0.1:6380/0', null],
    ['redis://redis.internal:6379/0', null],
    ['redis://127.0.0.1:6379/x', null],
    ['unix:///run/redis.sock', null],
  ])('%s', (url, want) => {
    expect(redisTcpTarget(url)).toEqual(want);
  });
});
