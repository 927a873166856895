// A service's only instance killed with SIGKILL under a steady load of reads: the supervisor
// restarts it and the gateway holds idempotent requests meanwhile (PITCHEY_GATEWAY_WAIT_MS), so
// no reader sees an error; the longest hold is printed (with the wait at 0, 119-223 of the reads failed). Runs the built CLI (`npm test` builds before testing).
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { failed, startLoad } from './load.js';
import { readInstances, startUp, waitFor } from './platform.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()?.();
});

describe('an instance killed under load', () => {
  it('costs the readers of its only instance no failed request', async () => {
    // Bounds wide enough for a restart on a loaded machine: the claim is no failure, not its speed.
    const up = await startUp({ env: { PITCHEY_GATEWAY_WAIT_MS: '30000' } });
    cleanups.push(up.remove);
    const victim = readInstances(up.dataDir).find((i) => i.role === 'ai');
    if (victim === undefined) throw new Error('no ai instance');
    const load = startLoad(`${up.gateway}/api/ai/models`, 30, {}, 40_000);
    await sleep(1_000);
    process.kill(victim.pid, 'SIGKILL');
    const killedAt = Date.now();
    await waitFor('the ai instance to be restarted', () => readInstances(up.dataDir).find((i) => i.role === 'ai' && i.pid !== victim.pid));
    await sleep(1_500);
    const answers = await load.stop();
    const during = answers.filter((a) => a.at >= killedAt);
    expect(during.length).toBeGreaterThan(30);
    expect(failed(answers).map((a) => a.status)).toEqual([]);
    const gaps = answers
      .map((a) => a.at)
      .sort((x, y) => x - y)
      .map((at, i, all) => (i === 0 ? 0 : at - (all[i - 1] ?? at)));
    console.log(`instance crash: ${during.length} reads after the SIGKILL, none failed; longest gap between answers ${Math.max(...gaps)} ms`);
  }, 120_000);
});
