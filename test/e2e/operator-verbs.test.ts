// The operator's verbs from the CLI against a running platform (issue 17): `status --watch` follows
// a deployment live until it ends, `promote` skips to 100 % now, `abort` rolls back now, and a verb
// on a finished deployment is refused with the problem's words and exit 1.
import { spawn, spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_KEY } from '../helpers.js';
import { failed, startLoad } from './load.js';
import { CLI, exited, startUp, type UpProcess } from './platform.js';

let up: UpProcess;
const adminEnv = (): NodeJS.ProcessEnv => ({ ...up.env, PITCHEY_ADMIN_KEY: TEST_KEY });

function pitchey(...args: string[]): { status: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [CLI, ...args, '--gateway', up.gateway, '--as', 'alice'], { env: adminEnv(), encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

/** Starts a canary whose steps would take minutes, and returns its id. */
function slowCanary(version: string): string {
  const started = pitchey('deploy', 'media', '--version', version, '--strategy', 'canary', '--steps', '10,50,100', '--step-ms', '120000');
  expect(started.status, started.err).toBe(0);
  return /^(\S+)/.exec(started.out)![1]!;
}

beforeAll(async () => {
  up = await startUp({ env: { PITCHEY_VERSION: 'v1', PITCHEY_ANALYSIS_INTERVAL_MS: '250', PITCHEY_ANALYSIS_WINDOW_MS: '3000' } });
  for (const v of ['v2', 'v3']) expect(spawnSync(process.execPath, [CLI, 'release', 'build', '--version', v], { env: up.env }).status).toBe(0);
}, 120_000);
afterAll(() => up?.remove());

describe('operator verbs', () => {
  it('follows a deployment with status --watch while promote skips it to 100 %, then abort rolls the next one back', async () => {
    const load = startLoad(`${up.gateway}/api/media/quality-presets`, 30);
    const id = slowCanary('v2');
    const watch = spawn(process.execPath, [CLI, 'status', id, '--watch', '--gateway', up.gateway, '--as', 'alice'], { env: adminEnv() });
    let watched = '';
    watch.stdout.on('data', (c: Buffer) => {
      watched += c.toString();
    });
    await sleep(1_500);
    const promoted = pitchey('promote', id);
    expect(promoted.status, promoted.err).toBe(0);
    expect(await exited(watch), watched).toBe(0);
    expect(watched).toMatch(new RegExp(`${id}\\s+media\\s+v1 → v2\\s+canary\\s+(starting|progressing)`));
    expect(watched).toMatch(/promoted by operator/);

    const next = slowCanary('v3');
    const aborted = pitchey('abort', next);
    expect(aborted.status, aborted.err).toBe(0);
    // The answer comes once the abort has taken effect, even while the canary was still starting.
    expect(aborted.out).toMatch(/rolled-back/);
    expect(pitchey('status', next).out).toMatch(/rolled-back/);
    expect(failed(await load.stop())).toEqual([]);

    const refused = pitchey('resume', id);
    expect(refused.status).toBe(1);
    expect(refused.err).toMatch(/pitchey: .+/);
  }, 90_000);
});
