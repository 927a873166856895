// Which of a release's processes take part in what: traffic and counted retirements concern
// instances only; a track's stop takes its workers too; stable's workers size a new release's.
import { describe, expect, it } from 'vitest';
import type { InstanceHandle } from '../../src/deploy/adapters/driver.js';
import { instancesOnly, stableWorkers, toStop } from '../../src/deploy/release-start.js';

const handle = (id: string, role: InstanceHandle['role'], track: InstanceHandle['track'] = 'stable', service = 'video'): InstanceHandle => ({
  id,
  service,
  role,
  track,
  version: 'v1',
  url: role === 'instance' ? `http://127.0.0.1:1/${id}` : null,
  pid: 1,
});

const stable = [handle('i1', 'instance'), handle('w1', 'worker'), handle('i2', 'instance'), handle('w2', 'worker')];

describe('release processes', () => {
  it('routes instances only', () => {
    expect(instancesOnly(stable).map((h) => h.id)).toEqual(['i1', 'i2']);
  });

  it.each([
    { name: 'a whole track (rollback, abort): instances and workers', count: undefined, stopped: ['i1', 'w1', 'i2', 'w2'] },
    { name: 'a counted retirement (a rolling batch): instances only', count: 1, stopped: ['i1'] },
    { name: 'a count above the instances: every instance, still no worker', count: 5, stopped: ['i1', 'i2'] },
  ])('stops $name', ({ count, stopped }) => {
    expect(toStop(stable, count).map((h) => h.id)).toEqual(stopped);
  });

  it("counts stable's workers of the service (a new release gets as many by default)", () => {
    const all = [...stable, handle('w3', 'worker', 'canary'), handle('w4', 'worker', 'stable', 'document')];
    expect(stableWorkers(all, 'video')).toBe(2);
    expect(stableWorkers(all, 'document')).toBe(1);
    expect(stableWorkers(all, 'ai')).toBe(0);
  });
});
