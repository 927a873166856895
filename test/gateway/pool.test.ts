import { describe, expect, it } from 'vitest';
import { InstancePool } from '../../src/gateway/index.js';

function seq(values: number[]): () => number { let i = 0; return () => values[i++ % values.length] ?? 0; }

describe('instance pool', () => {
  it('splits traffic between tracks by weight', () => {
    const pool = new InstancePool('video', seq([0.1, 0.5, 0.85, 0.95]));
    pool.setInstances([{ id: 's', url: 'http://s', track: 'stable', version: 'v1' }, { id: 'c', url: 'http://c', track: 'canary', version: 'v2' }], { healthy: true });
    pool.setWeights({ stable: 90, canary: 10 });
    expect([1, 2, 3, 4].map(() => pool.pick()?.id)).toEqual(['s', 's', 's', 'c']);
  });
  it('sends nothing to a track with weight 0, or to unhealthy or draining instances', () => {
    const pool = new InstancePool('video');
    pool.setInstances([{ id: 'c', url: 'http://c', track: 'canary', version: 'v2' }], { healthy: true });
    expect(pool.pick()).toBeNull();
    pool.setInstances([{ id: 's1', url: 'http://s1', track: 'stable', version: 'v1' }, { id: 's2', url: 'http://s2', track: 'stable', version: 'v1' }], { healthy: true });
    const [s1, s2] = pool.list();
    if (s1 === undefined || s2 === undefined) throw new Error('pool lost instances');
    s1.draining = true;
    expect(pool.pick()?.id).toBe('s2');
    s2.healthy = false;
    expect(pool.pick()).toBeNull();
  });
  it('prefers the instance with fewer requests in flight, and skips those already tried', () => {
    const pool = new InstancePool('video');
    pool.setInstances([{ id: 'a', url: 'http://a', track: 'stable', version: 'v1' }, { id: 'b', url: 'http://b', track: 'stable', version: 'v1' }], { healthy: true });
    const a = pool.list()[0];
    if (a === undefined) throw new Error('no instance');
    a.inflight = 3;
    expect(pool.pick()?.id).toBe('b');
    expect(pool.pick(new Set(['b']))?.id).toBe('a');
  });
  it('starts new instances unhealthy until checked, and keeps state across updates', () => {
    const pool = new InstancePool('video');
    pool.add({ id: 'a', url: 'http://a', track: 'stable', version: 'v1' });
    expect(pool.pick()).toBeNull();
    const a = pool.list()[0];
    if (a === undefined) throw new Error('no instance');
    a.healthy = true;
    pool.add({ id: 'b', url: 'http://b', track: 'stable', version: 'v1' });
    expect(pool.pick()?.id).toBe('a');
  });
});
