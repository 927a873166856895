// Every panel of every dashboard in ops/grafana/dashboards shows data from a running platform: the
// five services behind a gateway, with a video canary that fails a share of its requests, scraped
// by a real Prometheus (Debian's, on loopback, with ops/prometheus/alerts.yml's recording rules),
// while requests of every kind (public, refused, a job) flow. Each panel's query is sent to
// Prometheus as Grafana would send it, until it returns a series or the bound passes.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICE_NAMES, createService, type RunningService } from '../../src/kit/index.js';
import { loadService } from '../../src/services/index.js';
import { startFiveServices, type FiveServices } from '../gateway/five-services.js';
import { TEST_KEY, freePort, makeTempDir, testConfig, until } from '../helpers.js';
import { OPS } from './ops-files.js';

interface Panel {
  title: string;
  type: string;
  targets?: Array<{ expr: string }>;
}
const DIR = join(OPS, 'grafana', 'dashboards');
const panels = readdirSync(DIR).flatMap((file) =>
  ((JSON.parse(readFileSync(join(DIR, file), 'utf8')) as { panels: Panel[] }).panels ?? [])
    .filter((p) => p.type !== 'row')
    .flatMap((p) => (p.targets ?? []).map((t, i) => ({ where: `${file}: ${p.title} #${i}`, expr: t.expr }))),
);
/** As Grafana sends a query: its rate window (4 scrapes at 1 s, with margin) and the variable at All. */
const asSent = (expr: string): string => expr.replaceAll('$__rate_interval', '10s').replaceAll('$service', '.*');
/** Public catalogues, one per service: answered by every instance, stable and canary. */
const CATALOGUES = ['/api/video/formats', '/api/document/templates', '/api/ai/models', '/api/code/languages', '/api/media/quality-presets'];

describe('dashboards against a real Prometheus', () => {
  const tmp = makeTempDir('pitchey-dash-');
  const canaryTmp = makeTempDir('pitchey-dash-canary-');
  let platform: FiveServices;
  let canary: RunningService;
  let prometheus: ChildProcess;
  let promUrl: string;
  let pdf: Uint8Array;

  beforeAll(async () => {
    platform = await startFiveServices(tmp.dir);
    // A canary of video that answers 30 % of its requests 500, as a bad release does.
    canary = await createService(await loadService('video'), { config: testConfig(canaryTmp.dir, { PITCHEY_FAULTS: 'errors=0.3', PITCHEY_VERSION: '2.0.0', PITCHEY_TRACK: 'canary', PITCHEY_RATE_LIMIT: 'false' }) });
    const canaryUrl = `http://127.0.0.1:${await canary.listen(0, '127.0.0.1')}`;
    const pool = platform.gateway.pools.get('video');
    pool?.setInstances([...(pool.list() ?? []), { id: 'video-canary', url: canaryUrl, track: 'canary', version: '2.0.0' }], { healthy: true });
    pool?.setWeights({ stable: 50, canary: 50 });
    const targets = [platform.base, canaryUrl, ...SERVICE_NAMES.map((s) => platform.direct(s))].map((u) => new URL(u).host);
    const port = await freePort();
    promUrl = `http://127.0.0.1:${port}`;
    const config = join(tmp.dir, 'prometheus.yml');
    writeFileSync(
      config,
      JSON.stringify({
        global: { scrape_interval: '1s', evaluation_interval: '1s' },
        rule_files: [join(OPS, 'prometheus', 'alerts.yml')],
        scrape_configs: [{ job_name: 'pitchey', authorization: { credentials: TEST_KEY }, static_configs: [{ targets }] }],
      }),
    );
    prometheus = spawn('prometheus', [`--config.file=${config}`, `--storage.tsdb.path=${join(tmp.dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: 'ignore' });
    const doc = await PDFDocument.create();
    doc.addPage().drawText('Pitchey dashboards', { x: 50, y: 700, size: 24, font: await doc.embedFont(StandardFonts.Helvetica) });
    pdf = await doc.save();
  }, 60_000);

  afterAll(async () => {
    if (prometheus.exitCode === null && prometheus.signalCode === null) {
      const exited = new Promise((resolve) => prometheus.once('exit', resolve));
      prometheus.kill('SIGTERM');
      await exited;
    }
    await platform.close();
    await canary.drain();
    tmp.remove();
    canaryTmp.remove();
  });

  /** One round of traffic: every catalogue (both video tracks), a request refused for its missing key. */
  async function traffic(): Promise<void> {
    const answers = [];
    for (let i = 0; i < 4; i++) for (const path of CATALOGUES) answers.push(fetch(`${platform.base}${path}`).then((r) => r.arrayBuffer()));
    answers.push(fetch(`${platform.base}/api/video/analyze`, { method: 'POST' }).then((r) => r.arrayBuffer()));
    await Promise.all(answers);
  }

  /** A job (OCR runs as one; native extraction answers at once), so the job panels have one to show. */
  async function job(): Promise<void> {
    const form = new FormData();
    form.append('file', new Blob([pdf], { type: 'application/pdf' }), 'd.pdf');
    form.append('method', 'ocr');
    const res = await fetch(`${platform.base}/api/document/extract-text?async=true`, { method: 'POST', body: form, headers: { 'x-api-key': TEST_KEY } });
    expect([200, 202], await res.clone().text()).toContain(res.status);
    const { check_status_url: status } = (await res.json()) as { check_status_url: string };
    await until('the job to finish', async () => {
      const s = (await (await fetch(`${platform.base}${status}`, { headers: { 'x-api-key': TEST_KEY } })).json()) as { status: string };
      return s.status === 'completed' || s.status === 'failed' ? s : undefined;
    }, 60_000, 200);
  }

  async function hasData(expr: string): Promise<boolean> {
    const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(asSent(expr))}`).catch(() => null);
    if (res === null || !res.ok) return false;
    const body = (await res.json()) as { data: { result: unknown[] } };
    return body.data.result.length > 0;
  }

  it('every panel of every dashboard returns data', async () => {
    expect(panels.length).toBeGreaterThan(20);
    await job();
    let missing = panels;
    // Scrapes every second and rate windows of 10 s: data comes within seconds; bounded at 90 s.
    const deadline = Date.now() + 90_000;
    while (missing.length > 0 && Date.now() < deadline) {
      await traffic();
      const answered = await Promise.all(missing.map(async (p) => ({ p, ok: await hasData(p.expr) })));
      missing = answered.filter((a) => !a.ok).map((a) => a.p);
    }
    expect(missing.map((p) => `${p.where}: ${p.expr}`)).toEqual([]);
  }, 150_000);
});
