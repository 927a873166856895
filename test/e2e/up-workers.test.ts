// `pitchey up --workers video=2`: two `pitchey worker video` processes beside the platform (stable's
// workers, started through the driver), each restarted when it dies, and none left once `up` is
// stopped. Runs the built CLI.
import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { alive, exited, startUp, waitFor } from './platform.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()?.();
});

/** The pids of `up`'s children running `worker video`. */
function workerPids(upPid: number): number[] {
  const out = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(upPid)], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((line) => / worker video$/.test(line.trim()))
    .map((line) => Number(line.trim().split(/\s+/)[0]));
}

describe('pitchey up --workers', () => {
  it('supervises the extra workers and stops them with the platform', async () => {
    const up = await startUp({ args: ['--workers', 'video=2'] });
    cleanups.push(up.remove);
    const upPid = up.proc.pid ?? 0;
    // Each worker with the address its /metrics answers at.
    await waitFor('the workers line', () => (/workers +(video-worker-\S+-\d+ \(metrics http:\/\/127\.0\.0\.1:\d+\)(, )?){2}/.test(up.output()) ? true : undefined));
    const pids = await waitFor('two worker processes', () => {
      const found = workerPids(upPid);
      return found.length === 2 ? found : undefined;
    });
    cleanups.push(() => pids.filter(alive).forEach((pid) => process.kill(pid, 'SIGKILL')));
    process.kill(pids[0] ?? 0, 'SIGKILL');
    const again = await waitFor('the killed worker to be restarted', () => {
      const found = workerPids(upPid);
      return found.length === 2 && !found.includes(pids[0] ?? 0) ? found : undefined;
    });
    cleanups.push(() => again.filter(alive).forEach((pid) => process.kill(pid, 'SIGKILL')));
    up.proc.kill('SIGTERM');
    expect(await exited(up.proc)).toBe(0);
    expect(again.filter(alive)).toEqual([]);
  }, 120_000);
});
