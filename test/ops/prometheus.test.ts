// The Prometheus files under ops/: the config and the checklist's alert rules are valid, every
// alert fires past its threshold (promtool's own rule tests), and every pitchey_*
// metric the rules read is one a real gateway exports, in a form promtool's linter accepts.
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/gateway/index.js';
import { createMetrics } from '../../src/kit/index.js';
import { startUpstream, type Upstream } from '../gateway/upstream.js';
import { TEST_KEY, makeTempDir, testConfig } from '../helpers.js';

const OPS = fileURLToPath(new URL('../../ops/prometheus', import.meta.url));

function promtool(args: string[], input?: string): { status: number | null; out: string } {
  const r = spawnSync('promtool', args, { cwd: OPS, input, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('ops/prometheus', () => {
  const tmp = makeTempDir();
  let upstream: Upstream;
  let gateway: Gateway;
  let exposition: string;

  beforeAll(async () => {
    upstream = await startUpstream(tmp.dir, 'up', 'v1');
    gateway = await createGateway({ config: testConfig(tmp.dir, { PITCHEY_RATE_LIMIT: 'false' }), metrics: createMetrics({ defaultMetrics: false }), healthIntervalMs: 60_000 });
    gateway.pools.get('video')?.setInstances([{ id: 'video-a', url: upstream.url, track: 'stable', version: 'v1' }], { healthy: true });
    const base = `http://127.0.0.1:${await gateway.listen(0, '127.0.0.1')}`;
    expect((await fetch(`${base}/api/video/who`)).status).toBe(200);
    exposition = await (await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TEST_KEY}` } })).text();
  });
  afterAll(async () => {
    await gateway.close();
    await upstream.close();
    tmp.remove();
  });

  it('has a valid config whose rule files load', () => {
    // The scrape credential is the operator's secret: the config is checked beside a stand-in.
    const dir = join(tmp.dir, 'prometheus');
    cpSync(OPS, dir, { recursive: true });
    writeFileSync(join(dir, 'pitchey-metrics-key'), 'stand-in-metrics-key-0123456789\n', { mode: 0o600 });
    const r = promtool(['check', 'config', join(dir, 'prometheus.yml')]);
    expect(r.out).toContain('SUCCESS');
    expect(r.status, r.out).toBe(0);
  });

  it('has a valid compose config (ops/compose.yaml) that scrapes every role by service name at its home port', () => {
    const dir = join(tmp.dir, 'prometheus-compose');
    cpSync(OPS, dir, { recursive: true });
    const key = join(dir, 'pitchey-metrics-key');
    writeFileSync(key, 'stand-in-metrics-key-0123456789\n', { mode: 0o600 });
    const file = join(dir, 'prometheus-compose.yml');
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('credentials_file: /run/secrets/pitchey-metrics-key');
    writeFileSync(file, text.replace('/run/secrets/pitchey-metrics-key', key));
    const r = promtool(['check', 'config', file]);
    expect(r.out).toContain('SUCCESS');
    expect(r.status, r.out).toBe(0);
    const targets = [...text.matchAll(/'([a-z]+):(\d+)'/g)].map((m) => `${m[1]}:${m[2]}`);
    expect(targets).toEqual(expect.arrayContaining(['gateway:8080', 'video:8081', 'document:8082', 'ai:8083', 'media:8084', 'code:8085', 'alertmanager:9093']));
  });

  it('fires each checklist alert past its threshold, the error rates not at it', () => {
    const r = promtool(['test', 'rules', 'alerts.test.yml']);
    expect(r.status, r.out).toBe(0);
  });

  it('reads only metrics the gateway exports, with the labels the rules group by', () => {
    const rules = readFileSync(join(OPS, 'alerts.yml'), 'utf8');
    const used = [...new Set([...rules.matchAll(/\b(pitchey_[a-z_]+)/g)].map((m) => (m[1] as string).replace(/_bucket$/, '')))];
    expect(used.length).toBeGreaterThanOrEqual(3);
    for (const name of used) expect(exposition, name).toMatch(new RegExp(`^# TYPE ${name} `, 'm'));
    expect(exposition).toMatch(/^pitchey_gateway_upstream_requests_total\{service="video",[^}]*status_class="2xx"\} 1$/m);
    expect(exposition).toMatch(/^pitchey_gateway_upstream_healthy\{service="video",[^}]*\} 1$/m);
  });

  it("exports metrics promtool's linter accepts", () => {
    const r = promtool(['check', 'metrics'], exposition);
    expect(r.status, r.out).toBe(0);
  });
});
