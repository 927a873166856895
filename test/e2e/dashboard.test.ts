// The gateway's read-only web dashboard in a real headless Chromium, against a running platform
// with a live canary: the page asks for a key when it has none; given one (as `#key=`, which never
// leaves the browser) it shows every service's instances and health and the deployment with its
// versions, phase and step.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_KEY } from '../helpers.js';
import { renderedDom } from '../support/chromium.js';
import { CLI, startUp, type UpProcess } from './platform.js';

let up: UpProcess;
let deployment: string;

beforeAll(async () => {
  up = await startUp({ env: { PITCHEY_VERSION: 'v1' } });
  expect(spawnSync(process.execPath, [CLI, 'release', 'build', '--version', 'v2'], { env: up.env }).status).toBe(0);
  const started = spawnSync(
    process.execPath,
    [CLI, 'deploy', 'media', '--version', 'v2', '--strategy', 'canary', '--steps', '10,50,100', '--step-ms', '120000', '--gateway', up.gateway, '--as', 'alice'],
    {
      env: { ...up.env, PITCHEY_ADMIN_KEY: TEST_KEY },
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  expect(started.status, started.stderr).toBe(0);
  deployment = /^(\S+)/.exec(started.stdout)?.[1] ?? '';
}, 180_000);
afterAll(() => up?.remove());

describe('the web dashboard', () => {
  it('asks for a key and shows no data without one', async () => {
    const dom = await renderedDom(`${up.gateway}/dashboard`, 3_000);
    expect(dom).toMatch(/<form id="login">/);
    expect(dom).not.toContain('<td>video</td>');
  });

  it('shows every service, its instances and health, and the live canary with its versions and step', async () => {
    const dom = await renderedDom(`${up.gateway}/dashboard#key=${TEST_KEY}`, 5_000);
    expect(dom).toMatch(/<p id="status" class="">Updated /);
    for (const service of ['video', 'document', 'ai', 'media', 'code']) expect(dom).toMatch(new RegExp(`<tr class="healthy"><td>${service}</td>`));
    expect(dom).toContain(`data-id="${deployment}"`);
    expect(dom).toMatch(/<section class="deployment live" data-id="[^"]+"><h3>media v1 → v2 \(canary, /);
    expect(dom).toContain('step 1 of 3 (10 → 50 → 100 %)');
    // The key left the address bar, as typed keys never enter it.
    expect(dom).not.toContain(TEST_KEY);
  });
});
