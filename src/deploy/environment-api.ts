// What one environment tells the next in the promotion chain (scope `evidence`, or admin): its
// record summary of a service's version — promoted? validated? the record's hash — and its
// effective configuration with secrets redacted, for the drift check.
import { createHash } from 'node:crypto';
import { EVIDENCE_SCOPE, SETTINGS, Type, type Config, type HttpApp } from '../kit/index.js';
import { readAudit } from './audit.js';
import { readChecksConfig, defaultChecksConfigPath } from './checks/index.js';
import type { Controller } from './controller.js';
import { canonicalJson, type EarlierRecordSummary, type EffectiveConfig } from './engine/index.js';
import { readRecord, type DeploymentRecord } from './record.js';
import { readDeployments, type ControllerDb } from './store.js';

const SECRET_FIELD = /secret|password|token|^key$|apikey/i;

/** Nested fields that name a secret (a receiver's HMAC secret) become "[redacted]". */
function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, SECRET_FIELD.test(k) && v !== null ? '[redacted]' : redact(v)]));
}

/** The settings minus every secret one, the versions stable runs, and the checks' settings. */
export function effectiveConfig(config: Config, controller: Pick<Controller, 'currentVersion'>, services: readonly string[]): EffectiveConfig {
  const settings = Object.fromEntries(SETTINGS.filter((s) => s.secret !== true).map((s) => [s.key, redact((config as Record<string, unknown>)[s.key])]));
  const checks = readChecksConfig(defaultChecksConfigPath(config.dataDir), false);
  return {
    env: config.deployEnv,
    settings,
    versions: Object.fromEntries(services.map((s) => [s, controller.currentVersion(s)])),
    checks: redact(JSON.parse(JSON.stringify(checks))) as Record<string, unknown>,
  };
}

/** sha256 of the record's canonical JSON: the later environment keeps it as evidence. */
export function recordHash(record: DeploymentRecord): string {
  return createHash('sha256').update(canonicalJson(record)).digest('hex');
}

export interface EnvironmentApiOptions {
  db: ControllerDb;
  env: string;
  controller: Controller;
  config: Config;
  services: readonly string[];
}

/** The newest deployment of the version here (a promoted one first), summarized for the gate. */
export function summarizeVersion(o: EnvironmentApiOptions, service: string, version: string, now: number): EarlierRecordSummary {
  const rows = readDeployments(o.db, { env: o.env, limit: 1_000 }).filter((r) => r.service === service && r.state.plan.toVersion === version);
  const row = rows.find((r) => r.state.phase === 'promoted') ?? rows[0];
  if (row === undefined) return { env: o.env, service, version, deploymentId: null, promoted: false, phases: [], recordHash: null };
  const phases = readAudit(o.db, { deploymentId: row.id })
    .filter((e) => e.kind === 'validation.phase')
    .map((e) => ({ phase: String(e.data.phase), status: String(e.data.status) }));
  const record = readRecord(o.db, row, { signoffs: o.controller.signoffPolicy(), now });
  return { env: o.env, service, version, deploymentId: row.id, promoted: row.state.phase === 'promoted', phases, recordHash: recordHash(record) };
}

export function registerEnvironmentApi(app: HttpApp, o: EnvironmentApiOptions): void {
  const base = '/_pitchey/admin';
  const config = { auth: EVIDENCE_SCOPE } as const;
  app.get(
    `${base}/evidence/:service/:version`,
    {
      config,
      schema: {
        params: Type.Object({ service: Type.String({ maxLength: 40 }), version: Type.String({ minLength: 1, maxLength: 64 }) }),
        summary: "This environment's record of a service's version: promoted, validation phases, record hash (the promotion chain's evidence)",
      },
    },
    (req): EarlierRecordSummary => summarizeVersion(o, req.params.service, req.params.version, Date.now()),
  );
  app.get(`${base}/config`, { config, schema: { summary: 'The effective configuration, secrets redacted: settings, service versions, checks settings' } }, (): EffectiveConfig =>
    effectiveConfig(o.config, o.controller, o.services),
  );
}
