// Every /metrics the platform serves — the gateway's and each service's, process metrics included —
// passes promtool's linter (Prometheus naming: counters alone end in `_total`, units as suffixes,
// no double prefix) and keeps the scrape's own labels free: no series carries `instance` or `job`,
// which Prometheus would rename to `exported_instance` / `exported_job`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICE_NAMES } from '../../src/kit/index.js';
import { startFiveServices, type FiveServices } from '../gateway/five-services.js';
import { TEST_KEY, makeTempDir } from '../helpers.js';
import { lintMetrics } from './ops-files.js';

describe('/metrics of every role', () => {
  const tmp = makeTempDir();
  let platform: FiveServices;
  const expositions = new Map<string, string>();
  const scrape = async (url: string): Promise<string> => (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${TEST_KEY}` } })).text();

  beforeAll(async () => {
    platform = await startFiveServices(tmp.dir);
    // Traffic through the gateway first, so the labelled series exist: answers, a refusal, a health check.
    for (const name of SERVICE_NAMES) await (await fetch(`${platform.base}/api/${name}/queue/status`, { headers: { 'x-api-key': TEST_KEY } })).text();
    await (await fetch(`${platform.base}/api/video/queue/status`)).text();
    await platform.gateway.checkHealth();
    expositions.set('gateway', await scrape(platform.base));
    for (const name of SERVICE_NAMES) expositions.set(name, await scrape(platform.direct(name)));
  }, 60_000);
  afterAll(async () => {
    await platform.close();
    tmp.remove();
  });

  it.each(['gateway', ...SERVICE_NAMES])("%s: promtool check metrics finds nothing", (role) => {
    const text = expositions.get(role) ?? '';
    expect(text).toMatch(/^process_cpu_seconds_total /m);
    expect(text).toMatch(/^pitchey_http_requests_total\{/m);
    expect(lintMetrics(text)).toBe('');
  });

  it.each(['gateway', ...SERVICE_NAMES])('%s: no series carries a label the scrape sets (instance, job)', (role) => {
    const labels = [...(expositions.get(role) ?? '').matchAll(/[{,](\w+)="/g)].map((m) => m[1]);
    expect(labels.length).toBeGreaterThan(0);
    expect(labels).not.toContain('instance');
    expect(labels).not.toContain('job');
  });

  it("names the gateway's upstream instance upstream_instance", () => {
    expect(expositions.get('gateway')).toMatch(/^pitchey_gateway_upstream_requests_total\{service="video",[^}]*upstream_instance="video-1"[^}]*\} \d+$/m);
    expect(expositions.get('gateway')).toMatch(/^pitchey_gateway_upstream_healthy\{[^}]*upstream_instance="code-1"\} 1$/m);
  });
});
