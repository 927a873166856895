// A service's only instance killed with SIGKILL under a steady load of reads: the supervisor
// restarts it and the gateway holds idempotent requests meanwhile (PITCHEY_GATEWAY_WAIT_MS), so
// no reader sees an error. Runs the built CLI (`npm test` builds before testing).
import { afterEach, describe, expect, it } from 'vitest';
import { failed, startLoad } from './load.js';
import { readInstances, startUp, waitFor } from './platform.js';

const cleanups: Array<() => void> = [];
afterEach(() => { while (cleanups.length > 0) cleanups.pop()?.(); });

describe('an instance killed under load', () => {
  it('costs the readers of its only instance no failed request', async () => {
    const up = await startUp();
    cleanups.push(up.remove);
    const victim = readInstances(up.dataDir).find((i) => i.role === 'ai');
    if (victim === undefined) throw new Error('no ai instance');
    const load = startLoad(`${up.gateway}/api/ai/models`, 30);
    await new Promise((r) => setTimeout(r, 1_000));
    process.kill(victim.pid, 'SIGKILL');
    const killedAt = Date.now();
    await waitFor('the ai instance to be restarted', () => readInstances(up.dataDir).find((i) => i.role === 'ai' && i.pid !== victim.pid));
    await new Promise((r) => setTimeout(r, 1_500));
    const answers = await load.stop();
    const during = answers.filter((a) => a.at >= killedAt);
    expect(during.length).toBeGreaterThan(30);
    expect(failed(answers).map((a) => a.status)).toEqual([]);
  }, 120_000);
});
