// Statistics helpers against hand-computed and textbook values.
import { describe, expect, it } from 'vitest';
import { isSignificantlyWorse, mannWhitneyU, normalCdf, quantile, twoProportionTest } from '../../../src/deploy/engine/index.js';
import { latencies } from './fixtures.js';

describe('normalCdf', () => {
  it.each([
    { x: 0, want: 0.5 },
    { x: 1.959964, want: 0.975 },
    { x: -1.959964, want: 0.025 },
    { x: 3.090232, want: 0.999 },
    { x: -5, want: 2.8665157e-7 },
    { x: Infinity, want: 1 },
    { x: -Infinity, want: 0 },
  ])('Φ($x) = $want', ({ x, want }) => {
    const got = normalCdf(x);
    if (want === 0) expect(got).toBe(0);
    else expect(Math.abs(got - want) / want).toBeLessThan(1e-5);
  });
});

type Counts = [failA: number, nA: number, failB: number, nB: number];

describe('twoProportionTest (candidate A worse than baseline B)', () => {
  it.each<{ name: string; args: Counts; z: number; method: 'z' | 'fisher'; below?: number; above?: number }>([
    { name: '20 % vs 0 % at n = 50', args: [10, 50, 0, 50], z: 3.3333, below: 0.001, method: 'z' },
    { name: '3 % vs 1 % at n = 1000', args: [30, 1000, 10, 1000], z: 3.1944, below: 0.001, method: 'z' },
    { name: 'candidate better: no evidence of worse', args: [0, 50, 10, 50], z: -3.3333, above: 0.99, method: 'z' },
    { name: 'equal rates', args: [10, 1000, 10, 1000], z: 0, above: 0.4, method: 'z' },
  ])('$name', ({ args, z, method, below, above }) => {
    const r = twoProportionTest(...args);
    expect(r.z).toBeCloseTo(z, 3);
    expect(r.method).toBe(method);
    if (below !== undefined) expect(r.pValue).toBeLessThan(below);
    if (above !== undefined) expect(r.pValue).toBeGreaterThan(above);
  });

  it("uses Fisher's exact test with small counts (the tea-tasting table: p = 17/70)", () => {
    const r = twoProportionTest(3, 4, 1, 4);
    expect(r.method).toBe('fisher');
    expect(r.pValue).toBeCloseTo(17 / 70, 6);
  });

  it('one error among 30 against none among 300 is not evidence (z alone would say p < 0.001)', () => {
    const r = twoProportionTest(1, 30, 0, 300);
    expect(r.method).toBe('fisher');
    expect(r.pValue).toBeCloseTo(30 / 330, 6);
  });

  it.each<{ args: Counts }>([{ args: [0, 0, 0, 10] }, { args: [0, 10, 0, 0] }, { args: [0, 100, 0, 100] }, { args: [100, 100, 100, 100] }])('no evidence either way for $args', ({ args }) => {
    expect(twoProportionTest(...args)).toMatchObject({ z: 0, pValue: 1 });
  });
});

describe('mannWhitneyU (a stochastically greater than b)', () => {
  it.each([
    { name: 'complete separation', a: [4, 5, 6], b: [1, 2, 3], u: 9, z: 1.7457, p: 0.04043 },
    { name: 'ties share ranks and shrink the variance', a: [2, 2, 3], b: [1, 2], u: 5, z: 0.96825, p: 0.16646 },
    { name: 'a smaller than b', a: [1, 2, 3], b: [4, 5, 6], u: 0, z: -2.1822, p: 0.98545 },
  ])('$name', ({ a, b, u, z, p }) => {
    const r = mannWhitneyU(a, b);
    expect(r.u).toBe(u);
    expect(r.z).toBeCloseTo(z, 4);
    expect(r.pValue).toBeCloseTo(p, 4);
  });

  it.each([
    { name: 'empty a', a: [], b: [1] },
    { name: 'empty b', a: [1], b: [] },
    { name: 'all equal', a: [7, 7, 7], b: [7, 7] },
  ])('no evidence for $name', ({ a, b }) => {
    expect(mannWhitneyU(a, b)).toMatchObject({ z: 0, pValue: 1 });
  });

  it('detects a doubled latency distribution and not a same-distribution redraw', () => {
    expect(mannWhitneyU(latencies(200, 100, 7), latencies(200, 50, 8)).pValue).toBeLessThan(1e-10);
    expect(mannWhitneyU(latencies(200, 50, 7), latencies(200, 50, 8)).pValue).toBeGreaterThan(0.01);
  });
});

describe('quantile (type 7)', () => {
  it.each([
    { values: [1, 2, 3, 4, 5], q: 0.5, want: 3 },
    { values: [1, 2, 3, 4, 5], q: 0.95, want: 4.8 },
    { values: [5, 1, 3], q: 0.5, want: 3 },
    { values: [1, 2, 3, 4, 5], q: 0, want: 1 },
    { values: [1, 2, 3, 4, 5], q: 1, want: 5 },
    { values: [42], q: 0.95, want: 42 },
  ])('q=$q of $values is $want', ({ values, q, want }) => {
    expect(quantile(values, q)).toBeCloseTo(want, 10);
  });

  it('is NaN for no values, rejects q outside [0, 1], and does not sort its input', () => {
    expect(quantile([], 0.5)).toBeNaN();
    expect(() => quantile([1], 1.5)).toThrow(RangeError);
    const values = [3, 1, 2];
    quantile(values, 0.5);
    expect(values).toEqual([3, 1, 2]);
  });
});

describe('isSignificantlyWorse', () => {
  const limits = { alpha: 0.001, minDifference: 0.02 };
  it.each([
    { pValue: 0.0001, difference: 0.2, want: true },
    { pValue: 0.0001, difference: 0.01, want: false },
    { pValue: 0.01, difference: 0.2, want: false },
    { pValue: 0.001, difference: 0.2, want: false },
  ])('p=$pValue, difference=$difference → $want', ({ want, ...result }) => {
    expect(isSignificantlyWorse(result, limits)).toBe(want);
  });
});
