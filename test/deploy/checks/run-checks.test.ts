// runChecks end to end over a temp data dir with real HTTP servers for the services and
// Alertmanager: failures are reported with evidence, a throwing check becomes a fail, secrets never
// appear in the output, and waivers apply across the run.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CHECKS_CONFIG, runChecks, settleTasks, type ChecksConfig } from '../../../src/deploy/checks/index.js';
import { createRedactor } from '../../../src/deploy/checks/config-secrets.js';
import { makeTempDir } from '../../helpers.js';

const now = new Date('2025-03-04T10:00:00Z');
const tmp = makeTempDir('pitchey-run-checks-');
let server: Server;
let base = '';
let alerts: unknown = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/api/v2/alerts?active=true') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(alerts));
      return;
    }
    const ready = req.url?.startsWith('/up/') === true;
    res.statusCode = ready ? 200 : 503;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(ready ? { status: 'ready' } : { detail: 'ffmpeg missing' }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  tmp.remove();
});

const config = (over: Partial<ChecksConfig> = {}): ChecksConfig => ({ ...DEFAULT_CHECKS_CONFIG, timeoutMs: 2000, ...over });
const run = (over: Partial<Parameters<typeof runChecks>[0]>) => runChecks({ config: config(), env: 'production', dataDir: tmp.dir, processEnv: {}, now, ...over });

describe('runChecks', () => {
  it('fails service health naming the instance that is not ready', async () => {
    const healthTargets = [
      { name: 'gateway', url: `${base}/up` },
      { name: 'video-1', url: `${base}/down` },
    ];
    const { evidence, passed } = await run({ only: ['service-health'], healthTargets });
    expect(passed).toBe(false);
    expect(evidence).toEqual([expect.objectContaining({ check: 'service-health', status: 'fail', observed: '1/2 ready; not ready: video-1 (ffmpeg missing)' })]);
    expect((await run({ only: ['service-health'], healthTargets: healthTargets.slice(0, 1) })).passed).toBe(true);
  });
  it('fails on a critical alert, passes on warnings only, fails when Alertmanager is unreachable, warns when not configured', async () => {
    alerts = [{ labels: { alertname: 'HighErrorRate', severity: 'critical' }, status: { state: 'active' } }, { labels: { alertname: 'DiskFilling', severity: 'warning' } }];
    const critical = await run({ only: ['alerts'], config: config({ alertmanagerUrl: base }) });
    expect(critical.evidence[0]).toMatchObject({ status: 'fail', observed: '1 critical firing: HighErrorRate', source: `${base}/api/v2/alerts?active=true` });
    alerts = [{ labels: { alertname: 'DiskFilling', severity: 'warning' } }];
    expect((await run({ only: ['alerts'], config: config({ alertmanagerUrl: base }) })).evidence[0]?.status).toBe('pass');
    expect((await run({ only: ['alerts'], config: config({ alertmanagerUrl: 'http://127.0.0.1:1' }) })).evidence[0]?.status).toBe('fail');
    const off = await run({ only: ['alerts'] });
    expect(off).toMatchObject({ passed: true, evidence: [{ status: 'warn', observed: 'not configured: no alertmanagerUrl, alerts not checked' }] });
  });
  it('judges secrets as production would, without ever printing them', async () => {
    const weakKey = 'short-but-valid-key-1234';
    const processEnv = { PITCHEY_API_KEYS: weakKey, PITCHEY_JWT_SECRET: 'changeme' };
    const { evidence } = await run({ only: ['config-env', 'config-valid', 'config-secrets'], processEnv, config: config({ requiredEnv: ['PITCHEY_API_KEYS', 'PITCHEY_ADMIN_KEY'] }) });
    expect(evidence.map((e) => [e.check, e.status])).toEqual([
      ['config-env', 'fail'],
      ['config-valid', 'pass'],
      ['config-secrets', 'fail'],
    ]);
    expect(evidence[0]?.observed).toBe('missing: PITCHEY_ADMIN_KEY');
    expect(evidence[2]?.observed).toContain('PITCHEY_JWT_SECRET: production needs a random secret');
    const printed = JSON.stringify(evidence);
    expect(printed).not.toContain(weakKey);
    expect(printed).not.toContain('changeme');
  });
  it('fails the config check with the kit’s issues when the target configuration does not validate', async () => {
    const { evidence } = await run({ only: ['config-valid', 'config-secrets'], processEnv: { PITCHEY_PORT: 'x' } });
    expect(evidence[0]).toMatchObject({ status: 'fail', observed: expect.stringContaining('PITCHEY_PORT: must be an integer') });
    expect(evidence[1]).toMatchObject({ status: 'fail', observed: 'not judged: the configuration does not validate' });
  });
  it('turns a check that throws into a failing Evidence with its message, and the run goes on', async () => {
    const evidence = await settleTasks(
      [
        {
          ids: ['dns'],
          source: 'resolver',
          run: () => {
            throw new Error('resolver exploded');
          },
        },
        { ids: ['backups'], source: 'x', run: () => Promise.reject(new Error('disk gone')) },
      ],
      now,
    );
    expect(evidence.map((e) => [e.check, e.status, e.observed, e.source])).toEqual([
      ['dns', 'fail', 'error: resolver exploded', 'resolver'],
      ['backups', 'fail', 'error: disk gone', 'x'],
    ]);
    const viaRun = await run({
      only: ['dns'],
      config: config({ dns: [{ name: 'a.example', addresses: ['10.0.0.1'], match: 'equal' }] }),
      resolve: () => {
        throw new Error('resolver exploded');
      },
    });
    expect(viaRun.evidence[0]).toMatchObject({ check: 'dns', status: 'fail', observed: 'error: resolver exploded' });
  });
  it('applies waivers across the run: waived fails warn and the run passes; an expired one keeps it failing', async () => {
    const waiver = (expires: string) => ({ check: 'vulnerabilities' as const, approver: 'Dana', reason: 'accepted until the base image update', expires });
    const waived = await run({ only: ['vulnerabilities'], config: config({ waivers: [waiver('2025-03-10T00:00:00Z')] }) });
    expect(waived).toMatchObject({ passed: true, evidence: [{ status: 'warn', waiver: { approver: 'Dana' } }] });
    const expired = await run({ only: ['vulnerabilities'], config: config({ waivers: [waiver('2025-03-01T00:00:00Z')] }) });
    expect(expired.passed).toBe(false);
  });
  it('runs every check by default with one Evidence or more each, all stamped with `now`', async () => {
    const { evidence, passed } = await run({ healthTargets: [{ name: 'gateway', url: `${base}/up` }], resolve: () => Promise.resolve([]) });
    expect(new Set(evidence.map((e) => e.check))).toEqual(
      new Set([
        'service-health',
        'capacity-cpu',
        'capacity-memory',
        'capacity-disk',
        'tls-expiry',
        'dns',
        'backups',
        'vulnerabilities',
        'config-env',
        'config-valid',
        'config-secrets',
        'alerts',
        'deploy-in-progress',
        'deploy-window',
        'error-budget',
      ]),
    );
    expect(evidence.every((e) => e.at === now.toISOString() && e.title.length > 0)).toBe(true);
    expect(passed).toBe(false); // no backups, no Trivy report, no production secrets
  });
});

describe('redaction', () => {
  it('scrubs secret values and each key of a list from any text', () => {
    const redact = createRedactor({ PITCHEY_API_KEYS: 'aaaa1111bbbb:video,cccc2222dddd', PITCHEY_PORT: '8080' });
    expect(redact('got aaaa1111bbbb and cccc2222dddd on 8080')).toBe('got [redacted] and [redacted] on 8080');
  });
});
