// `pitchey smoke [--target URL] [--track T] [--service S] [--json]`: one critical journey per
// service through the gateway, timed; exit 1 when any fails.
import type { Evidence } from '../deploy/checks/index.js';
import { smokeAll } from '../deploy/smoke/index.js';
import { SERVICE_NAMES, loadConfig, type ServiceName } from '../kit/index.js';
import { adminKey, gatewayUrl, option } from './admin-client.js';
import { formatTable } from './table.js';
import { CheckFailed, UsageError } from './usage.js';

const WITH_VALUE = new Set(['--target', '--gateway', '--track', '--service', '--timeout-ms']);

export async function smoke(argv: string[]): Promise<void> {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--json') continue;
    if (!WITH_VALUE.has(argv[i] ?? '')) throw new UsageError(`smoke: unknown argument "${argv[i]}"`);
    i++;
  }
  const config = loadConfig();
  const only = option(argv, 'service');
  if (only !== undefined && !(SERVICE_NAMES as readonly string[]).includes(only)) throw new UsageError(`smoke: --service must be one of ${SERVICE_NAMES.join(', ')}`);
  const services: ServiceName[] = only === undefined ? [...SERVICE_NAMES] : [only as ServiceName];
  const baseUrl = gatewayUrl(argv, config.dataDir);
  const timeoutMs = Number(option(argv, 'timeout-ms') ?? 120_000);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw new UsageError('smoke: --timeout-ms must be a positive whole number');
  const evidence = await smokeAll(services, { baseUrl, apiKey: adminKey(config.dataDir), track: option(argv, 'track') ?? null, timeoutMs }, timeoutMs);
  if (argv.includes('--json')) console.log(JSON.stringify({ target: baseUrl, passed: evidence.every((e) => e.status === 'pass'), evidence }, null, 2));
  else
    console.log(
      formatTable(
        ['journey', 'status', 'observed'],
        evidence.map((e: Evidence) => [e.check, e.status, e.observed]),
      ),
    );
  const failed = evidence.filter((e) => e.status === 'fail');
  if (failed.length > 0) throw new CheckFailed(`smoke failed: ${failed.map((e) => e.check).join(', ')}`);
}
