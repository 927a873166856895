// `pitchey smoke [--target URL] [--track T] [--service S] [--json]`: one critical journey per
// service through the gateway, timed; exit 1 when any fails.
import type { Evidence } from '../deploy/checks/index.js';
import { smokeAll } from '../deploy/smoke/index.js';
import { SERVICE_NAMES, loadConfig, type ServiceName } from '../kit/index.js';
import { adminKey, findGateway } from './admin-client.js';
import type { ArgsOf } from './commands.js';
import { emit } from './output.js';
import { formatTable } from './table.js';
import { CheckFailed, UsageError } from './usage.js';

export async function smoke(a: ArgsOf<'smoke'>): Promise<void> {
  const v = a.values;
  const config = loadConfig();
  const only = v.service;
  if (only !== undefined && !(SERVICE_NAMES as readonly string[]).includes(only)) throw new UsageError(`smoke: --service must be one of ${SERVICE_NAMES.join(', ')}`);
  const services: ServiceName[] = only === undefined ? [...SERVICE_NAMES] : [only as ServiceName];
  const baseUrl = findGateway(v.target ?? v.gateway, config).url;
  const timeoutMs = Number(v['timeout-ms'] ?? 120_000);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw new UsageError('smoke: --timeout-ms must be a positive whole number');
  const evidence = await smokeAll(services, { baseUrl, apiKey: adminKey(config.dataDir), track: v.track ?? null, timeoutMs }, timeoutMs);
  emit(v.json, { target: baseUrl, passed: evidence.every((e) => e.status === 'pass'), evidence }, () =>
    formatTable(
      ['journey', 'status', 'observed'],
      evidence.map((e: Evidence) => [e.check, e.status, e.observed]),
    ),
  );
  const failed = evidence.filter((e) => e.status === 'fail');
  if (failed.length > 0) throw new CheckFailed(`smoke failed: ${failed.map((e) => e.check).join(', ')}`);
}
