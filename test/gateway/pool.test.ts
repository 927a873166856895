import { describe, expect, it } from 'vitest';
import { InstancePool, stickyBucket, stickyTrack } from '../../src/gateway/index.js';

function seq(values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length] ?? 0;
}

describe('instance pool', () => {
  it('splits traffic between tracks by weight', () => {
    const pool = new InstancePool('video', seq([0.1, 0.5, 0.85, 0.95]));
    pool.setInstances(
      [
        { id: 's', url: 'http://s', track: 'stable', version: 'v1' },
        { id: 'c', url: 'http://c', track: 'canary', version: 'v2' },
      ],
      { healthy: true },
    );
    pool.setWeights({ stable: 90, canary: 10 });
    expect([1, 2, 3, 4].map(() => pool.pick()?.id)).toEqual(['s', 's', 's', 'c']);
  });
  it('sends nothing to a track with weight 0, or to unhealthy or draining instances', () => {
    const pool = new InstancePool('video');
    pool.setInstances([{ id: 'c', url: 'http://c', track: 'canary', version: 'v2' }], { healthy: true });
    expect(pool.pick()).toBeNull();
    pool.setInstances(
      [
        { id: 's1', url: 'http://s1', track: 'stable', version: 'v1' },
        { id: 's2', url: 'http://s2', track: 'stable', version: 'v1' },
      ],
      { healthy: true },
    );
    const [s1, s2] = pool.list();
    if (s1 === undefined || s2 === undefined) throw new Error('pool lost instances');
    s1.draining = true;
    expect(pool.pick()?.id).toBe('s2');
    s2.healthy = false;
    expect(pool.pick()).toBeNull();
  });
  it('prefers the instance with fewer requests in flight, and skips those already tried', () => {
    const pool = new InstancePool('video');
    pool.setInstances(
      [
        { id: 'a', url: 'http://a', track: 'stable', version: 'v1' },
        { id: 'b', url: 'http://b', track: 'stable', version: 'v1' },
      ],
      { healthy: true },
    );
    const a = pool.list()[0];
    if (a === undefined) throw new Error('no instance');
    a.inflight = 3;
    expect(pool.pick()?.id).toBe('b');
    expect(pool.pick({ exclude: new Set(['http://b']) })?.id).toBe('a');
    // Restarted under its id on another port (as the supervisor does): a target not yet tried.
    pool.setInstances([
      { id: 'a', url: 'http://a', track: 'stable', version: 'v1' },
      { id: 'b', url: 'http://b2', track: 'stable', version: 'v1' },
    ]);
    expect(pool.pick({ exclude: new Set(['http://b']) })?.id).toBe('b');
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

describe('instance pool traffic controls', () => {
  const specs = [
    { id: 's', url: 'http://s', track: 'stable', version: 'v1' },
    { id: 'c', url: 'http://c', track: 'canary', version: 'v2' },
  ] as const;
  it('pins a track on request, whatever its weight', () => {
    const pool = new InstancePool('video');
    pool.setInstances([...specs], { healthy: true });
    expect(pool.pick({ track: 'canary' })?.id).toBe('c');
    expect(pool.pick({ track: 'blue' })).toBeNull();
    expect(pool.pick({ track: 'canary', exclude: new Set(['http://c']) })).toBeNull();
  });
  it('keeps counting in flight across pool updates (a request releases the instance the pool still holds)', () => {
    const pool = new InstancePool('video');
    pool.setInstances([...specs], { healthy: true });
    const taken = pool.pick({ track: 'stable' });
    if (taken === null) throw new Error('no instance');
    taken.inflight++;
    pool.add({ id: 'x', url: 'http://x', track: 'stable', version: 'v1' });
    pool.setInstances([...specs, { id: 'x', url: 'http://x', track: 'stable', version: 'v1' }]);
    taken.inflight--;
    expect(pool.get('s')).toBe(taken);
    expect(pool.get('s')?.inflight).toBe(0);
  });
  it('maps a sticky key to a track by its hash against cumulative weights, new tracks first', () => {
    expect(stickyTrack({ stable: 100 }, 'anyone')).toBe('stable');
    expect(stickyTrack({ stable: 0, canary: 0 }, 'anyone')).toBeNull();
    const keys = Array.from({ length: 200 }, (_, i) => `client-${i}`);
    for (const key of keys) {
      const bucket = stickyBucket(key);
      expect(stickyTrack({ stable: 90, canary: 10 }, key)).toBe(bucket < 10 ? 'canary' : 'stable');
      // Growing the canary never moves a canary client back to stable.
      if (stickyTrack({ stable: 90, canary: 10 }, key) === 'canary') expect(stickyTrack({ stable: 50, canary: 50 }, key)).toBe('canary');
    }
    const canaries = keys.filter((k) => stickyTrack({ stable: 1, canary: 1 }, k) === 'canary').length;
    expect(canaries).toBeGreaterThan(60);
    expect(canaries).toBeLessThan(140);
  });
  it('keeps a sticky key on its track only when stickiness is on and the track can serve', () => {
    const pool = new InstancePool('video', () => 0.99);
    pool.setInstances([...specs], { healthy: true });
    pool.setWeights({ stable: 50, canary: 50 });
    const key = Array.from({ length: 100 }, (_, i) => `k${i}`).find((k) => stickyTrack(pool.weights(), k) === 'stable') ?? '';
    expect(pool.pick({ stickyKey: key })?.id).toBe('c'); // off: the random roll decides
    pool.setSticky(true);
    expect(pool.sticky).toBe(true);
    expect(pool.pick({ stickyKey: key })?.id).toBe('s');
    expect(pool.pick({ stickyKey: key, exclude: new Set(['http://s']) })?.id).toBe('c');
  });
  it('retags instances, reports weights as a copy', () => {
    const pool = new InstancePool('video');
    pool.setInstances([...specs], { healthy: true });
    pool.setWeights({ stable: 100, canary: 0 });
    expect(pool.retag('c', 'stable')).toBe(true);
    expect(pool.retag('nope', 'stable')).toBe(false);
    expect(pool.available().map((i) => i.track)).toEqual(['stable', 'stable']);
    const weights = pool.weights();
    weights.stable = 1;
    expect(pool.weights()).toEqual({ stable: 100, canary: 0 });
  });
  it('drains: no new requests, waits for in-flight ones, then removes; gives up at the timeout', async () => {
    const pool = new InstancePool('video');
    pool.setInstances([...specs, { id: 's2', url: 'http://s2', track: 'stable', version: 'v1' }], { healthy: true });
    const s = pool.get('s');
    if (s === undefined) throw new Error('no instance');
    s.inflight = 1;
    const drained = pool.drain('s', 5_000);
    expect(s.draining).toBe(true);
    expect(pool.pick()?.id).toBe('s2');
    setTimeout(() => {
      s.inflight = 0;
    }, 50);
    expect(await drained).toMatchObject({ id: 's', outcome: 'drained', abandoned: 0 });
    expect(pool.get('s')).toBeUndefined();
    const s2 = pool.get('s2');
    if (s2 === undefined) throw new Error('no instance');
    s2.inflight = 2;
    expect(await pool.drain('s2', 30)).toMatchObject({ outcome: 'timed-out', abandoned: 2 });
    expect(pool.list().map((i) => i.id)).toEqual(['c']);
    expect(await pool.drain('gone')).toMatchObject({ outcome: 'not-found' });
  });
});
