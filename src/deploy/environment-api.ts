// What one environment tells the next in the promotion chain (scope `evidence`, or admin): its
// record summary of a service's version — promoted? validated? the record's hash and the frozen
// snapshot it covers (also served by hash) — and its
// effective configuration with secrets redacted, for the drift check.
import { EVIDENCE_SCOPE, Nullable, Problem, SETTINGS, Type, type Config, type HttpApp, type Static } from '../kit/index.js';
import { readAudit } from './audit.js';
import { readChecksConfig, defaultChecksConfigPath } from './checks/index.js';
import type { Controller } from './controller.js';
import { type EarlierRecordSummary, type EffectiveConfig } from './engine/index.js';
import { freezeRecord, readSnapshot, storeSnapshot } from './evidence-store.js';
import { readRecord } from './record.js';
import { DeploymentRecordAnswer } from './record-answer.js';
import { readDeployments, type ControllerDb } from './store.js';

/** `GET /evidence/:service/:version`: what the gate of the next environment reads. */
export const EvidenceAnswer = Type.Object({
  env: Type.String(),
  service: Type.String(),
  version: Type.String(),
  deploymentId: Nullable(Type.String({ description: 'The newest deployment of the version here, promoted or not; null when it was never deployed' })),
  promoted: Type.Boolean(),
  phases: Type.Array(Type.Object({ phase: Type.String(), status: Type.String() }), { description: 'Validation phases that have ended, in order' }),
  recordHash: Nullable(Type.String({ description: "sha256 of the deployment's record as it stood when asked" })),
  recordSnapshot: Type.Optional(Nullable(Type.String({ description: 'The exact text (canonical JSON) `recordHash` was computed over' }))),
});

/** `GET /config`: the effective configuration the drift check compares, secrets redacted. */
export const ConfigAnswer = Type.Object({
  env: Type.String(),
  settings: Type.Record(Type.String(), Type.Unknown(), { description: 'Every setting but the secret ones; nested secrets "[redacted]"' }),
  versions: Type.Record(Type.String(), Type.String(), { description: 'The version stable runs, per service' }),
  checks: Type.Record(Type.String(), Type.Unknown(), { description: "The pre-deployment checks' settings" }),
});

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

export interface EnvironmentApiOptions {
  db: ControllerDb;
  env: string;
  controller: Controller;
  config: Config;
  services: readonly string[];
}

/** The newest deployment of the version here (a promoted one first), summarized for the gate. */
export function summarizeVersion(
  o: Pick<EnvironmentApiOptions, 'db' | 'env'> & { controller: Pick<Controller, 'signoffPolicy'> },
  service: string,
  version: string,
  now: number,
): EarlierRecordSummary {
  const rows = readDeployments(o.db, { env: o.env, limit: 1_000 }).filter((r) => r.service === service && r.state.plan.toVersion === version);
  const row = rows.find((r) => r.state.phase === 'promoted') ?? rows[0];
  if (row === undefined) return { env: o.env, service, version, deploymentId: null, promoted: false, phases: [], recordHash: null };
  const phases = readAudit(o.db, { deploymentId: row.id })
    .filter((e) => e.kind === 'validation.phase')
    .map((e) => ({ phase: String(e.data.phase), status: String(e.data.status) }));
  // Frozen and kept here: the record changes after this answer, the snapshot the hash covers does not.
  const snapshot = freezeRecord(o.env, row.id, readRecord(o.db, row, { signoffs: o.controller.signoffPolicy(), now }));
  storeSnapshot(o.db, snapshot, now);
  return { env: o.env, service, version, deploymentId: row.id, promoted: row.state.phase === 'promoted', phases, recordHash: snapshot.hash, recordSnapshot: snapshot.body };
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
        doc: { ok: { json: EvidenceAnswer } },
      },
    },
    (req): EarlierRecordSummary & Static<typeof EvidenceAnswer> => summarizeVersion(o, req.params.service, req.params.version, Date.now()),
  );
  app.get(
    `${base}/evidence/snapshots/:hash`,
    {
      config,
      schema: {
        params: Type.Object({ hash: Type.String({ pattern: '^[0-9a-f]{64}$' }) }),
        summary: 'A frozen record snapshot by its sha256, byte for byte: what a promotion-chain record hash was computed over',
        // The stored bytes are sent as they are (the hash covers them): the record as it stood.
        doc: { ok: { json: DeploymentRecordAnswer }, problems: ['EVIDENCE_SNAPSHOT_NOT_FOUND'] },
      },
    },
    (req, reply) => {
      const snapshot = readSnapshot(o.db, req.params.hash);
      if (snapshot === null) throw new Problem('EVIDENCE_SNAPSHOT_NOT_FOUND', `No record snapshot with sha256 ${req.params.hash} is kept here.`);
      return reply.header('content-type', 'application/json; charset=utf-8').header('x-pitchey-evidence', `${snapshot.env} ${snapshot.deploymentId}`).send(snapshot.body);
    },
  );
  app.get(
    `${base}/config`,
    { config, schema: { summary: 'The effective configuration, secrets redacted: settings, service versions, checks settings', doc: { ok: { json: ConfigAnswer } } } },
    (): EffectiveConfig & Static<typeof ConfigAnswer> => effectiveConfig(o.config, o.controller, o.services),
  );
}
