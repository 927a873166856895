// ops/grafana: the provisioned datasource is the compose stack's Prometheus, the dashboard
// provider reads the folder compose mounts, and each dashboard is sound — uid, title, panels laid
// out on the grid, every target on the provisioned datasource — with PromQL that promtool parses
// and that reads only metrics a real gateway exports (or rules ops/prometheus records).
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/gateway/index.js';
import { LABEL, createMetrics } from '../../src/kit/index.js';
import { TEST_KEY, makeTempDir, testConfig } from '../helpers.js';
import { OPS, readYaml, run } from './ops-files.js';

interface Target {
  expr?: string;
  refId?: string;
  datasource?: { type?: string; uid?: string };
}
interface Panel {
  id: number;
  type: string;
  title?: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { uid?: string };
  targets?: Target[];
}
interface Dashboard {
  uid?: string;
  title?: string;
  schemaVersion?: number;
  panels?: Panel[];
  templating?: { list: Array<{ name: string; datasource?: { uid?: string }; definition?: string }> };
}

const GRAFANA = join(OPS, 'grafana');
const DASHBOARDS = join(GRAFANA, 'dashboards');
const dashboards = readdirSync(DASHBOARDS)
  .filter((f) => f.endsWith('.json'))
  .map((f) => ({ file: f, json: JSON.parse(readFileSync(join(DASHBOARDS, f), 'utf8')) as Dashboard }));
const datasources = readYaml(join(GRAFANA, 'provisioning', 'datasources', 'prometheus.yaml')) as {
  apiVersion: number;
  datasources: Array<{ uid: string; type: string; url: string; isDefault?: boolean }>;
};

/** Grafana's own macros and this dashboard's variable, as Grafana substitutes them before Prometheus sees a query. */
const substitute = (expr: string): string => expr.replaceAll('$__rate_interval', '5m').replaceAll('$__interval', '1m').replaceAll('$service', '.*');

/** PromQL words that are not metric names: operators and modifiers. */
const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset', 'atan2', 'inf', 'nan']);

/** The metric (and recorded rule) names a PromQL expression reads: not functions, labels, strings or keywords. */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '')
    .replace(/\[[^\]]*\]/g, '');
  const names = [...bare.matchAll(/([A-Za-z_:][\w:]*)(\s*\()?/g)].filter((m) => m[2] === undefined).map((m) => m[1] as string);
  return [...new Set(names.filter((n) => !KEYWORDS.has(n)))];
}

/** The label names an expression groups or matches by. */
function groupingLabels(expr: string): string[] {
  return [...expr.matchAll(/\b(?:by|without|on|ignoring)\s*\(([^)]*)\)/g)].flatMap((m) =>
    (m[1] as string)
      .split(',')
      .map((l) => l.trim())
      .filter(Boolean),
  );
}

function allExpressions(d: Dashboard): Array<{ where: string; expr: string }> {
  return (d.panels ?? []).flatMap((p) => (p.targets ?? []).map((t) => ({ where: `${p.title ?? p.id} ${t.refId ?? ''}`, expr: t.expr ?? '' })));
}

describe('ops/grafana', () => {
  const tmp = makeTempDir('pitchey-grafana-');
  let gateway: Gateway;
  let exposition: string;

  beforeAll(async () => {
    // A real gateway with the process metrics on, as `pitchey serve gateway` runs: every name in the catalogue is exported.
    gateway = await createGateway({ config: testConfig(tmp.dir, { PITCHEY_RATE_LIMIT: 'false' }), metrics: createMetrics(), healthIntervalMs: 60_000 });
    const base = `http://127.0.0.1:${await gateway.listen(0, '127.0.0.1')}`;
    exposition = await (await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TEST_KEY}` } })).text();
  });
  afterAll(async () => {
    await gateway.close();
    tmp.remove();
  });

  it('provisions one default Prometheus datasource: the compose service, by a fixed uid', () => {
    expect(datasources.apiVersion).toBe(1);
    expect(datasources.datasources).toHaveLength(1);
    expect(datasources.datasources[0]).toMatchObject({ uid: 'pitchey-prometheus', type: 'prometheus', url: 'http://prometheus:9090', isDefault: true });
  });

  it("provisions the dashboards from the folder compose mounts them at, and Grafana's home dashboard is one of them", () => {
    const providers = readYaml(join(GRAFANA, 'provisioning', 'dashboards', 'pitchey.yaml')) as { apiVersion: number; providers: Array<{ type: string; options: { path: string } }> };
    expect(providers.apiVersion).toBe(1);
    const compose = readFileSync(join(OPS, 'compose.yaml'), 'utf8');
    for (const p of providers.providers) {
      expect(p.type).toBe('file');
      expect(compose).toContain(`./grafana/dashboards:${p.options.path}:ro`);
    }
    const home = /GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH: (\S+)/.exec(compose)?.[1] ?? '';
    expect(dashboards.map((d) => join(providers.providers[0]?.options.path ?? '', d.file))).toContain(home);
  });

  it.each(dashboards)('$file: uid, title, panels on the grid, every target on the provisioned datasource', ({ json }) => {
    expect(json.uid).toMatch(/^[\w-]{1,40}$/);
    expect(json.title).toBeTruthy();
    expect(json.schemaVersion).toBeGreaterThanOrEqual(30);
    const panels = json.panels ?? [];
    expect(panels.filter((p) => p.type !== 'row').length).toBeGreaterThanOrEqual(8);
    expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
    const uid = datasources.datasources[0]?.uid;
    for (const p of panels.filter((q) => q.type !== 'row')) {
      expect(p.targets?.length ?? 0, p.title).toBeGreaterThan(0);
      expect(p.datasource?.uid, p.title).toBe(uid);
      for (const t of p.targets ?? []) {
        expect(t.datasource?.uid, p.title).toBe(uid);
        expect(t.expr, p.title).toBeTruthy();
      }
    }
    for (const v of json.templating?.list ?? []) expect(v.datasource?.uid, v.name).toBe(uid);
    // Laid out on Grafana's 24-column grid without two panels on one cell.
    const cells = new Set<string>();
    for (const { gridPos: g, title } of panels) {
      expect(g.x + g.w, title).toBeLessThanOrEqual(24);
      for (let x = g.x; x < g.x + g.w; x++)
        for (let y = g.y; y < g.y + g.h; y++) {
          expect(cells.has(`${x},${y}`), `${title} overlaps at ${x},${y}`).toBe(false);
          cells.add(`${x},${y}`);
        }
    }
  });

  it('shows request rate, error rate and p95 per service and track, jobs, and instance health', () => {
    const exprs = dashboards.flatMap((d) => allExpressions(d.json).map((e) => e.expr)).join('\n');
    expect(exprs).toMatch(/sum by \(service, track\) \(rate\(pitchey_gateway_upstream_requests_total/);
    expect(exprs).toMatch(/status_class=~"5xx\|error\|timeout"/);
    expect(exprs).toMatch(/histogram_quantile\(0\.95, sum by \(service, track, le\) \(rate\(pitchey_gateway_upstream_duration_seconds_bucket/);
    expect(exprs).toContain('pitchey_jobs_active');
    expect(exprs).toContain('pitchey_jobs_settled_total');
    expect(exprs).toContain('pitchey_gateway_upstream_healthy');
  });

  it('has PromQL that promtool parses (each expression checked as a recording rule)', () => {
    const exprs = dashboards.flatMap((d) => allExpressions(d.json));
    const rules = { groups: [{ name: 'dashboards', rules: exprs.map((e, i) => ({ record: `dashboard:expr_${i}`, expr: substitute(e.expr) })) }] };
    const file = join(tmp.dir, 'dashboard-exprs.yml');
    writeFileSync(file, JSON.stringify(rules));
    const r = run('promtool', ['check', 'rules', file]);
    expect(r.out).toContain(`SUCCESS: ${exprs.length} rules found`);
    expect(r.status, r.out).toBe(0);
  });

  it('reads only metrics the platform exports, rules ops/prometheus records, and labels the catalogue defines', () => {
    const recorded = new Set([...readFileSync(join(OPS, 'prometheus', 'alerts.yml'), 'utf8').matchAll(/^\s*- record: (\S+)/gm)].map((m) => m[1]));
    const exported = new Set(
      [...exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)].flatMap((m) => {
        const [, name, type] = m as unknown as [string, string, string];
        return type === 'histogram' ? [name, `${name}_bucket`, `${name}_sum`, `${name}_count`] : [name];
      }),
    );
    const labels = new Set<string>([...Object.values(LABEL), 'le', 'instance', 'job', 'role']);
    const variables = dashboards.flatMap((d) => (d.json.templating?.list ?? []).map((v) => ({ where: `variable ${v.name}`, expr: /label_values\((\w+)/.exec(v.definition ?? '')?.[1] ?? '' })));
    const checked: string[] = [];
    for (const { where, expr } of [...dashboards.flatMap((d) => allExpressions(d.json)), ...variables]) {
      const names = metricNames(substitute(expr));
      expect(names.length, where).toBeGreaterThan(0);
      for (const name of names) {
        const known = name.includes(':') ? recorded.has(name) : name === 'up' || exported.has(name);
        expect(known, `${where}: ${name}`).toBe(true);
        checked.push(name);
      }
      for (const label of groupingLabels(expr)) expect(labels.has(label), `${where}: label ${label}`).toBe(true);
    }
    expect(new Set(checked).size).toBeGreaterThanOrEqual(10);
  });

  it('finds metric names the way Prometheus reads an expression', () => {
    expect(metricNames('sum by (service, le) (rate(a_b_bucket{x="y{z}"}[5m])) / ignoring (version) group_left sum(c:d:e)')).toEqual(['a_b_bucket', 'c:d:e']);
    expect(metricNames('histogram_quantile(0.95, x) > bool 3 and on (service) up')).toEqual(['x', 'up']);
  });
});
