// Two platforms on one machine (own ports and data dirs) as staging and production, declared in one
// environments file: production refuses a version staging has not promoted and validated, accepts
// it once staging has (its record carrying staging's record hash), and reports configuration drift.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKS } from '../../src/deploy/checks/index.js';
import type { DeploymentRecord } from '../../src/deploy/record.js';
import { renderMarkdown } from '../../src/deploy/record-render.js';
import { buildRelease } from '../../src/deploy/releases.js';
import { dataPath } from '../../src/kit/data-dir.js';
import { TEST_KEY, makeTempDir } from '../helpers.js';
import { failed, startLoad } from './load.js';
import { ADMIN_HEADERS, CLI, exited, settled, startUp, waitFor, type UpProcess } from './platform.js';

/** Staging's read-only key: what production's controller reads staging with. */
const EVIDENCE_KEY = 'evidence-key-0123456789abcdef';
const PROJECT = new URL('../..', import.meta.url).pathname;

let staging: UpProcess | undefined;
let production: UpProcess | undefined;
const files = makeTempDir('pitchey-envs-');
const envsFile = join(files.dir, 'pitchey.environments.json');

function writeEnvironments(gateways: { staging: string; production: string }): void {
  const environments = {
    chain: ['staging', 'production'],
    environments: {
      staging: { gateway: gateways.staging, adminKey: { file: 'admin.key' }, readKey: { file: 'staging-evidence.key' } },
      production: { gateway: gateways.production, adminKey: { env: 'PRODUCTION_ADMIN_KEY' } },
    },
  };
  writeFileSync(envsFile, JSON.stringify(environments, null, 2));
}

/** Production's checks settings: every check but drift waived (this machine has no backups, CVE report, …). */
function writeProductionChecks(extra: Record<string, unknown> = {}): void {
  const waivers = Object.keys(CHECKS)
    .filter((c) => c !== 'environment-drift')
    .map((check) => ({ check, approver: 'e2e', reason: 'test machine', expires: '2099-01-01T00:00:00Z' }));
  writeFileSync(dataPath(production!.dataDir, 'checksConfig'), JSON.stringify({ waivers, ...extra }));
}

/** The CLI with the environments file: no gateway and no key given, `--env` finds both. */
const cliEnv = (): NodeJS.ProcessEnv => ({ ...process.env, PITCHEY_ENVIRONMENTS_FILE: envsFile, PRODUCTION_ADMIN_KEY: TEST_KEY, PITCHEY_ADMIN_KEY: '', PITCHEY_DATA_DIR: files.dir });

function pitchey(...args: string[]): { status: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [CLI, ...args, '--as', 'alice'], { env: cliEnv(), encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

/** The CLI without blocking this process (its load keeps running meanwhile). */
async function pitcheyAsync(...args: string[]): Promise<{ status: number | null; out: string }> {
  const child = spawn(process.execPath, [CLI, ...args, '--as', 'alice'], { env: cliEnv() });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  return { status: await exited(child), out };
}

const shared = {
  PITCHEY_VERSION: 'v1',
  PITCHEY_SIGNOFFS: 'none',
  PITCHEY_ANALYSIS_INTERVAL_MS: '250',
  PITCHEY_ANALYSIS_WINDOW_MS: '3000',
  PITCHEY_VALIDATION_PHASES_MS: '2000,1000,1000',
  PITCHEY_ENVIRONMENTS_FILE: envsFile,
};

beforeAll(async () => {
  writeFileSync(join(files.dir, 'admin.key'), `${TEST_KEY}\n`);
  writeFileSync(join(files.dir, 'staging-evidence.key'), `${EVIDENCE_KEY}\n`);
  writeEnvironments({ staging: 'http://127.0.0.1:1', production: 'http://127.0.0.1:1' });
  staging = await startUp({ env: { ...shared, PITCHEY_DEPLOY_ENV: 'staging', PITCHEY_API_KEYS: `${TEST_KEY},${EVIDENCE_KEY}:evidence` } });
  // Production's controller reads staging's address from the file when it starts.
  writeEnvironments({ staging: staging.gateway, production: 'http://127.0.0.1:1' });
  production = await startUp({ env: { ...shared, PITCHEY_DEPLOY_ENV: 'production' } });
  writeEnvironments({ staging: staging.gateway, production: production.gateway });
  writeProductionChecks();
  for (const up of [staging, production]) buildRelease({ projectRoot: PROJECT, releasesDir: dataPath(up.dataDir, 'releases'), version: 'v2' });
}, 180_000);
afterAll(() => {
  staging?.remove();
  production?.remove();
  files.remove();
});

const deployBody = JSON.stringify({ service: 'media', version: 'v2', strategy: 'blue-green', bakeMs: 500 });
const post = (gateway: string, headers: Record<string, string> = ADMIN_HEADERS): Promise<Response> => fetch(`${gateway}/_pitchey/admin/deployments`, { method: 'POST', headers, body: deployBody });

describe('staging before production', () => {
  it('refuses in production a version staging has not promoted, in the API, the CLI and the plan', async () => {
    const res = await post(production!.gateway);
    const problem = (await res.json()) as { code: string; detail: string; environment: string; missing: string };
    expect([res.status, problem.code, problem.environment, problem.missing]).toEqual([409, 'DEPLOY_PROMOTION_MISSING', 'staging', 'promotion']);
    expect(problem.detail).toContain('media v2 was never deployed to staging');
    const plan = pitchey('deploy', 'plan', 'media', '--version', 'v2', '--strategy', 'blue-green', '--env', 'production');
    expect(plan.status, plan.err).toBe(0);
    expect(plan.out).toContain('promotion chain: REFUSED: media v2 was never deployed to staging');
    const cli = pitchey('deploy', 'media', '--version', 'v2', '--strategy', 'blue-green', '--env', 'production');
    expect(cli.status).toBe(1);
    expect(cli.err).toContain('DEPLOY_PROMOTION_MISSING');
  }, 60_000);

  it("staging's read key may read its evidence but not deploy", async () => {
    const res = await post(staging!.gateway, { 'x-api-key': EVIDENCE_KEY, 'content-type': 'application/json' });
    expect(((await res.json()) as { code: string }).code).toBe('SCOPE_MISSING');
    const evidence = await fetch(`${staging!.gateway}/_pitchey/admin/evidence/media/v2`, { headers: { 'x-api-key': EVIDENCE_KEY } });
    expect(await evidence.json()).toMatchObject({ env: 'staging', deploymentId: null, promoted: false });
  });

  it("accepts it once staging promoted and validated it, keeping staging's record hash", async () => {
    const load = startLoad(`${staging!.gateway}/api/media/quality-presets`, 40);
    const deployed = await pitcheyAsync('deploy', 'media', '--version', 'v2', '--strategy', 'blue-green', '--bake-ms', '500', '--wait', '--env', 'staging');
    expect(deployed.status, deployed.out).toBe(0);
    type Evidence = { deploymentId: string; promoted: boolean; phases: Array<{ phase: string; status: string }>; recordHash: string };
    const readEvidence = async (): Promise<Evidence> => (await (await fetch(`${staging!.gateway}/_pitchey/admin/evidence/media/v2`, { headers: { 'x-api-key': EVIDENCE_KEY } })).json()) as Evidence;
    // Settled: every phase ended and the after-deploy smoke journey recorded, so the record (and its hash) no longer changes.
    const settledRecord = async (): Promise<boolean> => {
      const { deploymentId, phases } = await readEvidence();
      const record = (await (await fetch(`${staging!.gateway}/_pitchey/admin/deployments/${deploymentId}/record`, { headers: ADMIN_HEADERS })).json()) as DeploymentRecord;
      return phases.length === 3 && record.smoke.some((x) => x.when === 'after-deploy');
    };
    await waitFor('staging to validate media v2', async () => ((await settledRecord()) ? true : undefined), 60_000);
    const validated = await readEvidence();
    expect(failed(await load.stop())).toEqual([]);
    expect(validated.phases.map((p) => p.phase)).toEqual(['immediate', 'extended', 'final']);
    expect(validated.phases[0]!.status).toBe('pass');
    expect(validated.phases.filter((p) => p.status === 'fail')).toEqual([]);
    const plan = pitchey('deploy', 'plan', 'media', '--version', 'v2', '--strategy', 'blue-green', '--env', 'production');
    expect(plan.out).toContain(`promotion chain: ok: media v2 was promoted and validated in staging (${validated.deploymentId}`);
    const productionLoad = startLoad(`${production!.gateway}/api/media/quality-presets`, 40);
    const res = await post(production!.gateway);
    const started = (await res.json()) as { id: string; env: string };
    expect([res.status, started.env]).toEqual([201, 'production']);
    expect((await settled(production!.gateway, started.id)).phase).toBe('promoted');
    expect(failed(await productionLoad.stop())).toEqual([]);
    const record = (await (await fetch(`${production!.gateway}/_pitchey/admin/deployments/${started.id}/record`, { headers: ADMIN_HEADERS })).json()) as DeploymentRecord;
    expect(record.promotion).toEqual({ env: 'staging', deploymentId: validated.deploymentId, recordHash: validated.recordHash, phases: validated.phases });
    expect(record.checks?.find((c) => c.check === 'environment-drift')).toMatchObject({ status: 'pass' });
    expect(renderMarkdown(record)).toContain(`Promoted and validated in **staging** first: deployment ${validated.deploymentId}, record sha256 \`${validated.recordHash}\`.`);

    // Staging's record changes afterwards (an acknowledgement): its hash now is another, yet the
    // snapshot the carried hash was computed over is kept, byte for byte, by both environments.
    const ack = await fetch(`${staging!.gateway}/_pitchey/admin/deployments/${validated.deploymentId}/acknowledgements`, {
      method: 'POST',
      headers: ADMIN_HEADERS,
      body: JSON.stringify({ item: 'change-ticket', name: 'alice', note: 'CHG-1' }),
    });
    expect(ack.status).toBe(201);
    expect((await readEvidence()).recordHash).not.toBe(validated.recordHash);
    const readers: Array<[string, Record<string, string>]> = [
      [production!.gateway, ADMIN_HEADERS],
      [staging!.gateway, { 'x-api-key': EVIDENCE_KEY }],
    ];
    for (const [gateway, headers] of readers) {
      const snapshot = await fetch(`${gateway}/_pitchey/admin/evidence/snapshots/${validated.recordHash}`, { headers });
      expect(snapshot.status, gateway).toBe(200);
      const bytes = Buffer.from(await snapshot.arrayBuffer());
      expect(createHash('sha256').update(bytes).digest('hex'), gateway).toBe(validated.recordHash);
      expect((JSON.parse(bytes.toString('utf8')) as DeploymentRecord).id).toBe(validated.deploymentId);
    }
    const unknown = await fetch(`${production!.gateway}/_pitchey/admin/evidence/snapshots/${'0'.repeat(64)}`, { headers: ADMIN_HEADERS });
    expect(((await unknown.json()) as { code: string }).code).toBe('EVIDENCE_SNAPSHOT_NOT_FOUND');
  }, 180_000);

  it('reports configuration drift from staging as a failing pre-deployment check', async () => {
    writeProductionChecks({ capacity: { cpuPercent: 95 } });
    const res = await post(production!.gateway);
    const problem = (await res.json()) as { code: string; evidence: Array<{ check: string; status: string; observed: string; details: { differences: Array<{ path: string; allowed: boolean }> } }> };
    expect([res.status, problem.code], JSON.stringify(problem)).toEqual([422, 'DEPLOY_CHECKS_FAILED']);
    const drift = problem.evidence.find((e) => e.check === 'environment-drift')!;
    expect(drift.status).toBe('fail');
    expect(drift.observed).toContain('1 difference from staging: checks.capacity.cpuPercent: production 95, staging 70');
    expect(drift.details.differences.filter((d) => !d.allowed).map((d) => d.path)).toEqual(['checks.capacity.cpuPercent']);
    // The same check from an operator's machine: both configurations read through their gateways.
    const checked = spawnSync(process.execPath, [CLI, 'check', '--env', 'production', '--json'], { env: cliEnv(), encoding: 'utf8', timeout: 60_000 });
    const fromCli = (JSON.parse(checked.stdout) as { evidence: Array<{ check: string; status: string; observed: string }> }).evidence.find((e) => e.check === 'environment-drift');
    expect(fromCli).toMatchObject({ status: 'fail', observed: drift.observed });
  }, 60_000);
});
