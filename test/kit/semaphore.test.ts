// createSemaphore: the limit, first come first served, the bounded line, and a waiter whose signal
// aborts leaving the line without ever holding a slot.
import { describe, expect, it } from 'vitest';
import { createSemaphore, SemaphoreFullError, type Release } from '../../src/kit/index.js';

const open = () => new AbortController().signal;
/** Lets every settled promise's callbacks run. */
const settle = () => new Promise((r) => setImmediate(r));

describe('createSemaphore', () => {
  it('grants up to the limit at once, then only after a release', async () => {
    const s = createSemaphore(2);
    const first = s.tryAcquire()!;
    await s.acquire(open());
    expect(s.tryAcquire()).toBeNull();
    expect(s.inFlight()).toBe(2);
    let third: Release | null = null;
    void s.acquire(open()).then((r) => {
      third = r;
    });
    await settle();
    expect([third, s.waiting()]).toEqual([null, 1]);
    first();
    first(); // a second call gives nothing back twice
    await settle();
    expect(third).not.toBeNull();
    expect([s.inFlight(), s.waiting()]).toEqual([2, 0]);
  });

  it('serves waiters in the order they came', async () => {
    const s = createSemaphore(1);
    const holder = s.tryAcquire()!;
    const order: number[] = [];
    const waiters = [1, 2, 3].map((i) =>
      s.acquire(open()).then((release) => {
        order.push(i);
        release();
      }),
    );
    holder();
    await Promise.all(waiters);
    expect(order).toEqual([1, 2, 3]);
    expect(s.inFlight()).toBe(0);
  });

  it("refuses a waiter beyond the line's bound at once, and queues again once the line moves", async () => {
    const s = createSemaphore(1, 1);
    const holder = s.tryAcquire()!;
    const queued = s.acquire(open());
    const refused = await s.acquire(open()).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(SemaphoreFullError);
    expect((refused as SemaphoreFullError).waiting).toBe(1);
    holder();
    (await queued)();
    await expect(s.acquire(open())).resolves.toBeTypeOf('function');
  });

  it('a waiter whose signal aborts leaves the line, frees its place and never runs', async () => {
    const s = createSemaphore(1, 1);
    const holder = s.tryAcquire()!;
    const gone = new AbortController();
    let ran = false;
    const abandoned = s.acquire(gone.signal).then((release) => {
      ran = true;
      release();
    });
    gone.abort(new Error('client went away'));
    await expect(abandoned).rejects.toThrow('client went away');
    expect(s.waiting()).toBe(0);
    const next = s.acquire(open()); // the freed place in a line of one
    holder();
    (await next)();
    await settle();
    expect(ran).toBe(false);
    expect(s.inFlight()).toBe(0);
  });

  it('refuses a signal that has already aborted, even with a slot free', async () => {
    const s = createSemaphore(1);
    await expect(s.acquire(AbortSignal.abort(new Error('gone before')))).rejects.toThrow('gone before');
    expect(s.inFlight()).toBe(0);
  });
});
