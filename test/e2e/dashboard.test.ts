// The gateway's read-only web dashboard in a real headless Chromium, against a running platform
// with a live canary: the page asks for a key when it has none; given one (as `#key=`, which never
// leaves the browser) it shows every service's instances and health and the deployment with its
// versions, phase and step — for a client key as for an admin key, which alone may act. The
// gateway's /metrics carries the controller's deployment metrics (promtool-clean), following the
// canary from progressing to rolled back.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_KEY, VIDEO_ONLY_KEY } from '../helpers.js';
import { lintMetrics } from '../ops/ops-files.js';
import { renderedDom } from '../support/chromium.js';
import { CLI, startUp, waitFor, type UpProcess } from './platform.js';

let up: UpProcess;
let deployment: string;

beforeAll(async () => {
  up = await startUp({ env: { PITCHEY_VERSION: 'v1', PITCHEY_API_KEYS: `${TEST_KEY},${VIDEO_ONLY_KEY}:video` } });
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

  it('shows the same to a key without the admin scope, which may read and not act', async () => {
    const dom = await renderedDom(`${up.gateway}/dashboard#key=${VIDEO_ONLY_KEY}`, 5_000);
    expect(dom).toMatch(/<p id="status" class="">Updated /);
    expect(dom).toMatch(/<tr class="healthy"><td>media<\/td>/);
    expect(dom).toContain(`data-id="${deployment}"`);
    const client = { 'x-api-key': VIDEO_ONLY_KEY, 'content-type': 'application/json' };
    for (const path of ['/pools', '/deployments']) expect((await fetch(`${up.gateway}/_pitchey/admin${path}`, { headers: client })).status).toBe(200);
    const acts = [
      fetch(`${up.gateway}/_pitchey/admin/deployments/${deployment}/abort`, { method: 'POST', headers: client, body: '{}' }),
      fetch(`${up.gateway}/_pitchey/admin/pools/media/weights`, { method: 'PUT', headers: client, body: JSON.stringify({ weights: { stable: 100 } }) }),
      fetch(`${up.gateway}/_pitchey/admin/deployments/${deployment}`, { headers: client }),
    ];
    for (const res of await Promise.all(acts)) expect([res.status, ((await res.json()) as { code: string }).code]).toEqual([403, 'SCOPE_MISSING']);
  });
});

describe("the controller's deployment metrics on the gateway's /metrics", () => {
  const scrape = async (): Promise<string> => (await fetch(`${up.gateway}/metrics`, { headers: { authorization: `Bearer ${TEST_KEY}` } })).text();

  it('show the live canary with its labels, step and weight, and pass promtool', async () => {
    const text = await scrape();
    expect(text).toContain(`pitchey_deployment_info{service="media",deployment="${deployment}",strategy="canary",version="v2",phase="progressing"} 1`);
    expect(text).toContain('pitchey_deployment_phase{service="media",phase="progressing"} 1');
    expect(text).toContain('pitchey_deployment_step{service="media"} 1');
    expect(text).toContain('pitchey_deployment_canary_weight{service="media"} 10');
    expect(lintMetrics(text)).toBe('');
  });

  it('follow the deployment to rolled back when it is aborted', async () => {
    const abort = await fetch(`${up.gateway}/_pitchey/admin/deployments/${deployment}/abort`, { method: 'POST', headers: { 'x-api-key': TEST_KEY, 'content-type': 'application/json' }, body: '{}' });
    expect(abort.status).toBeLessThan(300);
    const text = await waitFor(
      'the rolled-back phase in /metrics',
      async () => {
        const t = await scrape();
        return t.includes('pitchey_deployment_phase{service="media",phase="rolled-back"} 1') ? t : undefined;
      },
      30_000,
    );
    expect(text).toContain('pitchey_deployment_phase{service="media",phase="progressing"} 0');
    expect(text).toContain('pitchey_deployment_canary_weight{service="media"} 0');
  });
});
