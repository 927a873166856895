// In production the checklist's gates are enforced: failing pre-deployment checks refuse the
// deployment, with the evidence in the answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRelease } from '../../src/deploy/releases.js';
import { TEST_KEY } from '../helpers.js';
import { startUp, type UpProcess } from './platform.js';

let up: UpProcess;

beforeAll(async () => {
  up = await startUp({ env: { PITCHEY_VERSION: 'v1', PITCHEY_DEPLOY_ENV: 'production' } });
  buildRelease({ projectRoot: new URL('../..', import.meta.url).pathname, releasesDir: `${up.dataDir}/releases`, version: 'v2' });
}, 120_000);
afterAll(() => up?.remove());

describe('production gates', () => {
  it('refuses a deployment whose pre-deployment checks fail, naming each failing check', async () => {
    const res = await fetch(`${up.gateway}/_pitchey/admin/deployments`, {
      method: 'POST',
      headers: { 'x-api-key': TEST_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ service: 'ai', version: 'v2', strategy: 'canary' }),
    });
    const body = (await res.json()) as { code: string; detail: string; evidence: Array<{ check: string; status: string }> };
    expect([res.status, body.code]).toEqual([422, 'DEPLOY_CHECKS_FAILED']);
    expect(body.detail).toContain('vulnerabilities');
    expect(body.detail).toContain('backups');
    expect(body.evidence.find((e) => e.check === 'service-health')?.status).toBe('pass');
    const list = (await (await fetch(`${up.gateway}/_pitchey/admin/deployments`, { headers: { 'x-api-key': TEST_KEY } })).json()) as { deployments: unknown[] };
    expect(list.deployments).toEqual([]);
  }, 60_000);
});
