// `pitchey smoke` against the whole platform: every service's critical journey really runs
// (a probed clip, a JPEG, a PDF read back, a classification, an HLS playlist, a sandboxed 42), and
// a deployment's record shows the journeys run before traffic and after the promotion.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Evidence } from '../../src/deploy/checks/evidence.js';
import type { DeploymentRecord } from '../../src/deploy/record.js';
import { TEST_KEY } from '../helpers.js';
import { failed, startLoad } from './load.js';
import { CLI, startUp, waitFor, type UpProcess } from './platform.js';

let up: UpProcess;

function pitchey(...args: string[]): { status: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [CLI, ...args, '--gateway', up.gateway], { env: { ...up.env, PITCHEY_ADMIN_KEY: TEST_KEY }, encoding: 'utf8', timeout: 180_000 });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

async function admin<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${up.gateway}/_pitchey/admin${path}`, {
    method,
    headers: { 'x-api-key': TEST_KEY, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return (await res.json()) as T;
}

beforeAll(async () => {
  up = await startUp({ env: { PITCHEY_VERSION: 'v1', PITCHEY_ANALYSIS_INTERVAL_MS: '250', PITCHEY_ANALYSIS_WINDOW_MS: '3000' } });
}, 120_000);
afterAll(() => up?.remove());

describe('pitchey smoke', () => {
  it('runs one real journey per service through the gateway and reports each step with its time', () => {
    const r = pitchey('smoke', '--json');
    const report = JSON.parse(r.out) as { passed: boolean; evidence: Evidence[] };
    expect(
      report.evidence.filter((e) => e.status !== 'pass').map((e) => `${e.check}: ${e.observed}`),
      r.err,
    ).toEqual([]);
    expect(r.status).toBe(0);
    expect(report.evidence.map((e) => e.check)).toEqual(['smoke-video', 'smoke-document', 'smoke-ai', 'smoke-media', 'smoke-code']);
    const steps = (e: Evidence | undefined): string[] => ((e?.details?.steps ?? []) as Array<{ name: string; ok: boolean }>).filter((s) => s.ok).map((s) => s.name);
    expect(steps(report.evidence[0])).toEqual(['analyze', 'thumbnail']);
    expect(steps(report.evidence[1])).toEqual(['generate-pdf', 'extract-text']);
    expect(steps(report.evidence[4])).toEqual(['execute']);
  }, 180_000);

  it('fails, with the reason and exit 1, when a journey cannot be made (no instances on the asked track)', () => {
    const r = pitchey('smoke', '--service', 'ai', '--track', 'canary');
    expect(r.status).toBe(1);
    expect(r.out).toMatch(/smoke-ai\s+fail\s+POST \/api\/ai\/classify answered 5\d\d/);
    expect(r.err).toContain('smoke failed: smoke-ai');
  }, 60_000);

  it('smoke-tests a blue-green release before it takes traffic and after its promotion, in the record', async () => {
    // The bake's analysis needs traffic (no data is never a pass): clients keep calling.
    const r = spawnSync(process.execPath, [CLI, 'release', 'build', '--version', 'v2'], { env: up.env, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const load = startLoad(`${up.gateway}/api/code/languages`, 40);
    const d = await admin<{ id: string }>('POST', '/deployments', { service: 'code', version: 'v2', strategy: 'blue-green', bakeMs: 500 });
    let last: DeploymentRecord | undefined;
    const record = await waitFor(
      'the after-deploy smoke journey',
      async () => {
        last = await admin<DeploymentRecord>('GET', `/deployments/${d.id}/record`);
        return last.smoke?.length === 2 ? last : undefined;
      },
      90_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}: ${JSON.stringify({ d, outcome: last?.outcome, reason: last?.reason, timeline: last?.timeline })}`);
    });
    expect(failed(await load.stop())).toEqual([]);
    expect(record.outcome).toBe('promoted');
    expect(record.smoke.map((s) => [s.when, s.track, s.evidence.check, s.evidence.status])).toEqual([
      ['before-traffic', 'green', 'smoke-code', 'pass'],
      ['after-deploy', 'stable', 'smoke-code', 'pass'],
    ]);
  }, 120_000);
});
