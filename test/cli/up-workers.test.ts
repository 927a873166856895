// `pitchey up --workers`: what it accepts and what it refuses. The supervised processes themselves
// are in test/e2e/up-workers.test.ts.
import { describe, expect, it } from 'vitest';
import { parseWorkers } from '../../src/cli/up-workers.js';
import { UsageError } from '../../src/cli/usage.js';

describe('pitchey up --workers', () => {
  it('reads <service>=N pairs', () => {
    expect(parseWorkers(undefined)).toEqual(new Map());
    expect(parseWorkers('video=2, document=1')).toEqual(
      new Map([
        ['video', 2],
        ['document', 1],
      ]),
    );
  });
  it('refuses unknown services, bad counts and repeats with a usage error', () => {
    for (const bad of ['gateway=1', 'video', 'video=0', 'video=17', 'video=1.5', 'video=2=3', 'video=1,video=2', '']) {
      expect(() => parseWorkers(bad), bad).toThrow(UsageError);
    }
  });
});
