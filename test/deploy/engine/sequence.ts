// Row-by-row expectations for engine sequences: each row is an input at a time and what must follow.
import { expect } from 'vitest';
import type { Action, EngineInput, EngineResult, Phase } from '../../../src/deploy/engine/index.js';
import { kinds, play } from './fixtures.js';

export interface Row {
  at: number;
  input: EngineInput;
  phase: Phase;
  /** Exact actions, in order. */
  actions?: Action[];
  /** Action kinds, in order. */
  kinds?: string[];
  step?: number;
  replaced?: number;
  reason?: RegExp;
}

/** Play the rows from `start` and check each; returns every result. */
export function expectRows(start: EngineResult, rows: Row[], t0 = 0): EngineResult[] {
  const results = play(
    start,
    rows.map((r) => [r.at, r.input]),
  );
  rows.forEach((row, i) => {
    const result = results[i]!;
    const where = `row ${i + 1} (${row.input.kind} at +${row.at - t0})`;
    expect(result.state.phase, where).toBe(row.phase);
    const previous = i === 0 ? start.state : results[i - 1]!.state;
    if (result.state !== previous) expect(result.state.updatedAt, `${where}: updatedAt`).toBe(row.at);
    if (row.actions) expect(result.actions, where).toEqual(row.actions);
    if (row.kinds) expect(kinds(result), where).toEqual(row.kinds);
    if (row.step !== undefined) expect(result.state.stepIndex, where).toBe(row.step);
    if (row.replaced !== undefined) expect(result.state.replaced, where).toBe(row.replaced);
    if (row.reason) expect(result.state.reason, where).toMatch(row.reason);
  });
  return results;
}
