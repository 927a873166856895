// The controller's admin API on the gateway (scope `admin`): the CLI records wishes here and the
// controller acts. Deploy, inspect, abort/resume/promote, roll back, audit, lock, releases.
import type { FastifyRequest } from 'fastify';
import {
  AcknowledgedAnswer,
  ApprovalAnswer,
  AuditAnswer,
  DeploymentDetail,
  DeploymentList,
  DeploymentSummary,
  EmergencyRollbackAnswer,
  LockAnswer,
  LockReleasedAnswer,
  LogsAnswer,
  PlanReview,
  ReleasesAnswer,
} from './admin-api.js';
import { ANY_CREDENTIAL, MAX_WORKERS_PER_SERVICE, Problem, SIGNOFF_SCOPE, Type, holdsRole, type HttpApp, type RouteDoc, type Static } from '../kit/index.js';
import { readAudit, verifyAudit } from './audit.js';
import { PlanError, assessPromotionGate, planHash, type EffectiveConfig, type PromotionGate } from './engine/index.js';
import type { EnvironmentReader } from './adapters/environment-reader.js';
import { reviewPlan } from './plan-review.js';
import type { DeployRequest } from './controller.js';
import { Controller, DeployRefused } from './controller.js';
import { defaultChecksConfigPath, readChecksConfig, runChecks, type DeployTarget, type Evidence } from './checks/index.js';
import { readLock, releaseLock } from './lock.js';
import { readLogCursors, writeLogCursors } from './log-cursor.js';
import { checkSnapshot, keepSnapshot } from './evidence-store.js';
import { ACKNOWLEDGEMENTS, readRecord } from './record.js';
import { DeploymentRecordAnswer, RECORD_DOC } from './record-answer.js';
import { renderHtml } from './record-render.js';
import type { Driver } from './adapters/driver.js';
import { readDeployments, type DeploymentRow } from './store.js';

const admin = { auth: 'admin' } as const;
const TrackWeights = Type.Array(Type.Integer({ minimum: 1, maximum: 100 }), { minItems: 1, maxItems: 20 });
export const DeployBody = Type.Object({
  service: Type.String({ minLength: 1 }),
  version: Type.String({ minLength: 1, maxLength: 64 }),
  strategy: Type.Union([Type.Literal('canary'), Type.Literal('blue-green'), Type.Literal('rolling')]),
  steps: Type.Optional(TrackWeights),
  stepMs: Type.Optional(Type.Integer({ minimum: 100 })),
  bakeMs: Type.Optional(Type.Integer({ minimum: 0 })),
  warmupMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 600_000 })),
  instances: Type.Optional(Type.Integer({ minimum: 1, maximum: 20 })),
  workers: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_WORKERS_PER_SERVICE, description: '`pitchey worker` processes of the new version (default: as many as stable runs)' })),
  maxSurge: Type.Optional(Type.Integer({ minimum: 1, maximum: 20 })),
  maxUnavailable: Type.Optional(Type.Integer({ minimum: 0, maximum: 19 })),
  readyTimeoutMs: Type.Optional(Type.Integer({ minimum: 1000 })),
  faults: Type.Optional(Type.String({ maxLength: 200 })),
  env: Type.Optional(Type.String({ maxLength: 32 })),
  plan_hash: Type.Optional(Type.String({ maxLength: 64 })),
});
const RollbackBody = Type.Object({
  service: Type.String({ minLength: 1 }),
  emergency: Type.Optional(Type.Boolean()),
  to: Type.Optional(Type.String({ maxLength: 64 })),
  reason: Type.String({ minLength: 1, maxLength: 1000 }),
});
const IdParams = Type.Object({ id: Type.String({ pattern: '^dep-[0-9a-f]{8}$' }) });

export interface DeployApiOptions {
  controller: Controller;
  services: readonly string[];
  baseVersion: string;
  env: string;
  db: Parameters<typeof readDeployments>[0];
  /** Where instances run: what releases exist and may run, and instances' logs. */
  driver: Pick<Driver, 'resolve' | 'releases' | 'logs'>;
  dataDir: string;
  /** Failing pre-deployment checks refuse the deployment (production); otherwise they are only recorded. */
  enforceChecks: boolean;
  analysis: { intervalMs: number; windowMs: number };
  traffic: (service: string) => Promise<{ requestsPerSecond: number; overS: number }>;
  /** Releases are images on this engine (docker driver): the vulnerability check reads their own Trivy reports. */
  docker?: DeployTarget['docker'];
  /** The environment before this one in the promotion chain: its evidence gates deployments, its configuration is checked for drift. */
  chain?: { earlier: EnvironmentReader; driftAllow: readonly string[]; here: () => EffectiveConfig } | undefined;
}

/**
 * The promotion chain's verdict on a version: what the earlier environment recorded of it. The
 * frozen record snapshot its hash covers is checked and kept here, so the carried hash stays verifiable.
 */
async function promotionGate(o: DeployApiOptions, service: string, version: string): Promise<PromotionGate> {
  const earlier = o.chain?.earlier ?? null;
  const answer = earlier === null ? null : checkSnapshot(await earlier.evidence(service, version));
  const gate = assessPromotionGate({ env: o.env, service, version, earlierEnv: earlier?.env ?? null, earlier: answer });
  if (gate.verdict === 'pass' && answer !== null && !('error' in answer)) keepSnapshot(o.db, answer, Date.now());
  return gate;
}

/** Refused, with the gate's reason and what is missing; audited, so the refusal is in the history. */
function refusePromotion(o: DeployApiOptions, gate: PromotionGate, request: DeployRequest): void {
  if (gate.verdict !== 'fail' && gate.verdict !== 'error') return;
  const missing = gate.verdict === 'fail' ? gate.missing : 'evidence';
  o.controller.audit('promotion.refused', request.author, { service: request.service, to: request.toVersion, environment: o.chain?.earlier.env, missing, reason: gate.reason });
  throw new Problem('DEPLOY_PROMOTION_MISSING', `${gate.reason}.`, { extensions: { environment: o.chain?.earlier.env ?? null, missing } });
}

/** The checklist's pre-deployment checks, run before every deployment and kept with it. */
async function preDeploymentChecks(o: DeployApiOptions, release: { service: string; version: string }): Promise<{ passed: boolean; enforced: boolean; evidence: Evidence[] }> {
  const target = { ...release, docker: o.docker ?? null };
  const chain = o.chain;
  const drift =
    chain === undefined
      ? undefined
      : { here: chain.here, allow: chain.driftAllow, there: { env: chain.earlier.env, source: `${chain.earlier.gateway}/_pitchey/admin/config`, read: () => chain.earlier.effectiveConfig() } };
  const result = await runChecks({ config: readChecksConfig(defaultChecksConfigPath(o.dataDir), false), env: o.env, dataDir: o.dataDir, now: new Date(), target, drift });
  if (o.enforceChecks && !result.passed) {
    const failing = result.evidence.filter((e) => e.status === 'fail');
    throw new Problem('DEPLOY_CHECKS_FAILED', `Failing: ${failing.map((e) => `${e.check} (${e.observed})`).join('; ')}.`, { extensions: { evidence: result.evidence } });
  }
  return { ...result, enforced: o.enforceChecks };
}

/** The controller's request from the API body: only what was given, so the engine's defaults apply. */
function requestOf(b: Static<typeof DeployBody>, author: string): DeployRequest {
  return {
    service: b.service,
    toVersion: b.version,
    strategy: b.strategy,
    author,
    ...(b.steps ? { steps: b.steps } : {}),
    ...(b.stepMs ? { stepMs: b.stepMs } : {}),
    ...(b.bakeMs !== undefined ? { bakeMs: b.bakeMs } : {}),
    ...(b.warmupMs !== undefined ? { warmupMs: b.warmupMs } : {}),
    ...(b.instances ? { instances: b.instances } : {}),
    ...(b.workers !== undefined ? { workers: b.workers } : {}),
    ...(b.maxSurge !== undefined ? { maxSurge: b.maxSurge } : {}),
    ...(b.maxUnavailable !== undefined ? { maxUnavailable: b.maxUnavailable } : {}),
    ...(b.readyTimeoutMs ? { readyTimeoutMs: b.readyTimeoutMs } : {}),
    ...(b.faults ? { faults: b.faults } : {}),
  };
}

/**
 * Who acts, for the audit log and a deployment's author: the credential's person when it names one
 * (a header cannot speak for someone else), else the `X-Pitchey-Actor` a machine's key sends, else the key's id.
 */
export function actor(req: FastifyRequest): string {
  if (req.principal?.person != null) return req.principal.person;
  const named = req.headers['x-pitchey-actor'];
  return typeof named === 'string' && /^[\w .@-]{1,64}$/.test(named) ? named : (req.principal?.id ?? 'unknown');
}

/** What `refusal` can answer: the problems of a deployment verb the controller refuses. */
const REFUSALS = ['DEPLOY_LOCK_HELD', 'DEPLOY_CONFLICT', 'DEPLOY_INVALID', 'DEPLOYMENT_NOT_FOUND'] as const;
/** What `checkTarget` can answer: an unknown service, a release that is missing or refused. */
const TARGET_PROBLEMS = ['DEPLOY_INVALID', 'RELEASE_NOT_FOUND', 'RELEASE_UNTRUSTED'] as const;

function refusal(err: unknown): never {
  if (!(err instanceof DeployRefused)) throw err;
  const code = { lock: 'DEPLOY_LOCK_HELD', conflict: 'DEPLOY_CONFLICT', invalid: 'DEPLOY_INVALID', 'not-found': 'DEPLOYMENT_NOT_FOUND' } as const satisfies Record<
    DeployRefused['reason'],
    (typeof REFUSALS)[number]
  >;
  throw new Problem(code[err.reason], err.message);
}

export function summarize(row: DeploymentRow, live: boolean): DeploymentSummary {
  const { state } = row;
  return {
    id: row.id,
    live,
    env: row.env,
    service: row.service,
    author: row.author,
    strategy: state.plan.strategy,
    from: state.plan.fromVersion,
    to: state.plan.toVersion,
    phase: state.phase,
    step: state.stepIndex,
    steps: state.plan.steps,
    reason: state.reason,
    assessments: state.assessments,
    created_at: new Date(row.createdAt).toISOString(),
    updated_at: new Date(row.updatedAt).toISOString(),
  };
}

/**
 * The service is known and the driver can run the version. A refused release (modified folder,
 * image whose signature does not verify) is a problem; for a request to deploy it, the refusal is
 * also recorded as a failed deployment (history, audit log, record).
 */
async function checkTarget(o: DeployApiOptions, service: string, version: string, refused?: DeployRequest): Promise<void> {
  if (!o.services.includes(service)) throw new Problem('DEPLOY_INVALID', `Unknown service "${service}"; one of ${o.services.join(', ')}.`);
  const resolution = await o.driver.resolve(service, version);
  if (resolution.status === 'missing') throw new Problem('RELEASE_NOT_FOUND', `No release ${version} of ${service}: ${resolution.reason}.`);
  if (resolution.status === 'ok') return;
  const row = refused === undefined ? null : recordRefusal(o, refused, resolution.reason);
  throw new Problem('RELEASE_UNTRUSTED', `${resolution.reason}.`, { extensions: row === null ? {} : { deployment: row.id } });
}

function recordRefusal(o: DeployApiOptions, request: DeployRequest, reason: string): DeploymentRow | null {
  try {
    return o.controller.refuse(request, reason);
  } catch (err) {
    if (!(err instanceof PlanError)) throw err;
    o.controller.audit('deployment.refused', request.author, { service: request.service, to: request.toVersion, reason });
    return null;
  }
}

/**
 * One deployment, the way every deployment starts: a release the driver can run, the promotion
 * chain's gate, the pre-deployment checks, then the controller. A release train starts its members here too.
 */
export async function startDeployment(o: DeployApiOptions, b: Static<typeof DeployBody>, author: string, release?: DeployRequest['release']): Promise<DeploymentRow> {
  if (b.env !== undefined && b.env !== o.env) throw new Problem('DEPLOY_INVALID', `This controller deploys to "${o.env}", not "${b.env}".`);
  await checkTarget(o, b.service, b.version, requestOf(b, author));
  const gate = await promotionGate(o, b.service, b.version);
  refusePromotion(o, gate, requestOf(b, author));
  const checks = await preDeploymentChecks(o, { service: b.service, version: b.version });
  try {
    return o.controller.deploy({
      ...requestOf(b, author),
      checks,
      ...(b.plan_hash ? { expectedPlanHash: b.plan_hash } : {}),
      ...(gate.verdict === 'pass' ? { promotion: gate.evidence } : {}),
      ...(release === undefined ? {} : { release }),
    });
  } catch (err) {
    return refusal(err);
  }
}

/** The rollback path: one switch back to a known-good version, no analysis; the rollback policy says whether sign-offs wait. */
export function rollbackRequest(o: DeployApiOptions, service: string, to: string, author: string, release?: DeployRequest['release']): DeployRequest {
  const grant = o.controller.judgeRollback(service, to);
  return { service, toVersion: to, strategy: 'blue-green', steps: [100], bakeMs: 0, rules: [], author, rollback: grant, ...(release === undefined ? {} : { release }) };
}

export function registerDeployApi(app: HttpApp, o: DeployApiOptions): void {
  const base = '/_pitchey/admin';
  const releaseExists = async (service: string, version: string): Promise<boolean> => (await o.driver.resolve(service, version)).status === 'ok';
  const startProblems = [...TARGET_PROBLEMS, 'DEPLOY_PROMOTION_MISSING', 'DEPLOY_CHECKS_FAILED', ...REFUSALS] as const;
  app.post(
    `${base}/deployments`,
    { config: admin, schema: { body: DeployBody, summary: 'Start a deployment', doc: { ok: { json: DeploymentSummary, status: 201 }, problems: [...startProblems] } } },
    async (req, reply) => {
      const row = await startDeployment(o, req.body, actor(req));
      const answer: DeploymentSummary = summarize(row, o.controller.isLive(row.id));
      return reply.code(201).header('location', `${base}/deployments/${row.id}`).send(answer);
    },
  );
  const planDoc: RouteDoc = { ok: { json: PlanReview }, problems: [...TARGET_PROBLEMS] };
  app.post(
    `${base}/plans`,
    { config: admin, schema: { body: DeployBody, summary: 'The resolved plan of a deployment request, with its hash; nothing is changed', doc: planDoc } },
    async (req): Promise<PlanReview> => {
      const b = req.body;
      if (b.env !== undefined && b.env !== o.env) throw new Problem('DEPLOY_INVALID', `This controller deploys to "${o.env}", not "${b.env}".`);
      await checkTarget(o, b.service, b.version);
      try {
        return await reviewPlan(
          {
            controller: o.controller,
            enforceChecks: o.enforceChecks,
            analysis: o.analysis,
            traffic: o.traffic,
            releaseExists: (v) => releaseExists(b.service, v),
            promotion: await promotionGate(o, b.service, b.version),
          },
          requestOf(b, actor(req)),
          o.services.indexOf(b.service) + 1,
        );
      } catch (err) {
        if (err instanceof PlanError) throw new Problem('DEPLOY_INVALID', err.message);
        throw err;
      }
    },
  );
  // Read by the web dashboard, which any valid credential may open; acting on a deployment stays admin.
  app.get(
    `${base}/deployments`,
    { config: { auth: ANY_CREDENTIAL }, schema: { summary: 'The last 50 deployments in this environment, newest first', doc: { ok: { json: DeploymentList } } } },
    (): DeploymentList => ({
      deployments: readDeployments(o.db, { env: o.env, limit: 50 }).map((r) => summarize(r, o.controller.isLive(r.id))),
    }),
  );
  app.get(
    `${base}/deployments/:id`,
    { config: admin, schema: { params: IdParams, summary: 'One deployment: its state, plan hash and sign-offs', doc: { ok: { json: DeploymentDetail }, problems: ['DEPLOYMENT_NOT_FOUND'] } } },
    (req) => {
      const row = o.controller.get(req.params.id);
      if (row === null) throw new Problem('DEPLOYMENT_NOT_FOUND', `No deployment ${req.params.id}.`);
      const signoffs = o.controller.signoffs(row);
      const detail: DeploymentDetail = {
        ...summarize(row, o.controller.isLive(row.id)),
        plan_hash: planHash(row.state.plan),
        signoffs: { complete: signoffs.complete, missing: signoffs.missing, approvals: signoffs.valid, rejected: signoffs.rejected },
      };
      return detail;
    },
  );
  const verbs = { abort: 'Abort: roll the canary back', resume: 'Resume a paused deployment', promote: 'Promote now, skipping the remaining steps' } as const;
  for (const kind of ['abort', 'resume', 'promote'] as const) {
    const doc: RouteDoc = { ok: { json: DeploymentSummary }, problems: [...REFUSALS] };
    app.post(`${base}/deployments/:id/${kind}`, { config: admin, schema: { params: IdParams, summary: verbs[kind], doc } }, async (req) => {
      const input = kind === 'abort' ? { kind, reason: `aborted by ${actor(req)}` } : kind === 'resume' ? { kind } : { kind: 'promoteNow' as const };
      try {
        const row = await o.controller.signal(req.params.id, input, actor(req));
        return summarize(row, o.controller.isLive(row.id));
      } catch (err) {
        return refusal(err);
      }
    });
  }
  app.post(
    `${base}/deployments/:id/approvals`,
    {
      config: { auth: SIGNOFF_SCOPE },
      schema: {
        summary: "Sign off a deployment in a role, with the signer's own credential",
        doc: { ok: { json: ApprovalAnswer, status: 201 }, problems: [...REFUSALS] },
        params: IdParams,
        // `name` is optional and, when given, must be the authenticated person's own.
        body: Type.Object({
          role: Type.String({ minLength: 1, maxLength: 40 }),
          name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
          comment: Type.Optional(Type.String({ maxLength: 2000 })),
        }),
      },
    },
    async (req, reply) => {
      const principal = req.principal!;
      const signer = { person: principal.person, holdsRole: holdsRole(principal, req.body.role), named: req.body.name ?? null };
      try {
        const assessment = o.controller.approve(req.params.id, { role: req.body.role, signer, credential: principal.id, comment: req.body.comment ?? null });
        const answer: ApprovalAnswer = { complete: assessment.complete, missing: assessment.missing, approvals: assessment.valid, rejected: assessment.rejected };
        return reply.code(201).send(answer);
      } catch (err) {
        return refusal(err);
      }
    },
  );
  // JSON, or the rendered page for `Accept: text/html` (the web dashboard shows it as the CLI renders it).
  app.get(
    `${base}/deployments/:id/record`,
    { config: admin, schema: { params: IdParams, summary: 'The filled-in checklist of one deployment (JSON, or HTML for Accept: text/html)', doc: RECORD_DOC } },
    (req, reply) => {
      const row = o.controller.get(req.params.id);
      if (row === null) throw new Problem('DEPLOYMENT_NOT_FOUND', `No deployment ${req.params.id}.`);
      const record = readRecord(o.db, row, { signoffs: o.controller.signoffPolicy(), now: Date.now() });
      const answer: Static<typeof DeploymentRecordAnswer> = record;
      return req.headers.accept?.startsWith('text/html') ? reply.type('text/html; charset=utf-8').send(renderHtml(record)) : answer;
    },
  );
  app.post(
    `${base}/deployments/:id/acknowledgements`,
    {
      config: admin,
      schema: {
        summary: "Record a person's acknowledgement of a checklist item on the deployment's record",
        doc: { ok: { json: AcknowledgedAnswer, status: 201 }, problems: ['DEPLOYMENT_NOT_FOUND', 'DEPLOY_INVALID'] },
        params: IdParams,
        body: Type.Object({ item: Type.String({ maxLength: 60 }), name: Type.String({ minLength: 1, maxLength: 100 }), note: Type.Optional(Type.String({ maxLength: 2000 })) }),
      },
    },
    async (req, reply) => {
      if (o.controller.get(req.params.id) === null) throw new Problem('DEPLOYMENT_NOT_FOUND', `No deployment ${req.params.id}.`);
      if (!Object.hasOwn(ACKNOWLEDGEMENTS, req.body.item)) throw new Problem('DEPLOY_INVALID', `Unknown item "${req.body.item}"; one of ${Object.keys(ACKNOWLEDGEMENTS).join(', ')}.`);
      o.controller.audit('acknowledgement', actor(req), { item: req.body.item, name: req.body.name, note: req.body.note ?? null }, req.params.id);
      const answer: Static<typeof AcknowledgedAnswer> = { recorded: req.body.item };
      return reply.code(201).send(answer);
    },
  );
  const emergency = { status: 200, json: EmergencyRollbackAnswer, description: 'With `emergency`: every request switched to the stable track at once' };
  app.post(
    `${base}/rollback`,
    {
      config: admin,
      schema: {
        body: RollbackBody,
        summary: 'Roll a service back (to its previous version, or `to`); `emergency` switches at once',
        doc: { ok: { json: DeploymentSummary, status: 201, otherwise: emergency }, problems: [...TARGET_PROBLEMS, ...REFUSALS] },
      },
    },
    async (req, reply) => {
      const b = req.body;
      if (b.emergency) {
        if (!o.services.includes(b.service)) throw new Problem('DEPLOY_INVALID', `Unknown service "${b.service}".`);
        const answer: EmergencyRollbackAnswer = await o.controller.emergencyRollback(b.service, b.reason, actor(req));
        return answer;
      }
      const to = b.to ?? o.controller.previousVersion(b.service);
      if (to === null) throw new Problem('DEPLOY_INVALID', `${b.service} has no previous version to roll back to.`);
      // The rollback policy: a known-good target skips the forward sign-offs, and the plan says why.
      const request = rollbackRequest(o, b.service, to, actor(req));
      const grant = request.rollback!;
      await checkTarget(o, b.service, to, request);
      try {
        // The fast path: the target is the known-good previous version, so one switch and no analysis
        // (which would otherwise wait for traffic before finishing).
        const row = o.controller.deploy(request);
        o.controller.audit('rollback.to', actor(req), { service: b.service, to, reason: b.reason, signoffsWaived: grant.signoffsWaived, why: grant.why }, row.id);
        const answer: DeploymentSummary = summarize(row, o.controller.isLive(row.id));
        return reply.code(201).send(answer);
      } catch (err) {
        return refusal(err);
      }
    },
  );
  app.get(
    `${base}/audit`,
    {
      config: admin,
      schema: {
        summary: 'The audit log (of one deployment with `deployment`) and whether its hash chain verifies',
        querystring: Type.Object({ deployment: Type.Optional(Type.String()) }),
        doc: { ok: { json: AuditAnswer } },
      },
    },
    (req): AuditAnswer => ({
      verified: verifyAudit(o.db) === null,
      broken: verifyAudit(o.db),
      events: readAudit(o.db, req.query.deployment ? { deploymentId: req.query.deployment } : {}),
    }),
  );
  app.get(`${base}/lock`, { config: admin, schema: { summary: 'Who holds the deploy lock of this environment, if anyone', doc: { ok: { json: LockAnswer } } } }, (): LockAnswer => ({
    lock: readLock(o.db, o.env),
  }));
  app.delete(`${base}/lock`, { config: admin, schema: { summary: 'Release the deploy lock (audited)', doc: { ok: { json: LockReleasedAnswer } } } }, (req): Static<typeof LockReleasedAnswer> => {
    const released = releaseLock(o.db, o.env);
    o.controller.audit('lock.released', actor(req), { released });
    return { released };
  });
  app.get(
    `${base}/releases`,
    { config: admin, schema: { summary: 'Versions the driver can run, and the base version', doc: { ok: { json: ReleasesAnswer } } } },
    async (): Promise<Static<typeof ReleasesAnswer>> => ({ base: o.baseVersion, releases: await o.driver.releases() }),
  );
  app.get(
    `${base}/logs/:service`,
    {
      config: admin,
      schema: {
        params: Type.Object({ service: Type.String({ maxLength: 40 }) }),
        querystring: Type.Object({
          tail: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
          after: Type.Optional(Type.String({ maxLength: 8192, description: "an earlier answer's `next`: only the lines written since (`pitchey logs -f`)" })),
        }),
        summary: 'The last lines of each instance of a service, whichever driver runs it',
        doc: { ok: { json: LogsAnswer }, problems: ['ROUTE_NOT_FOUND'] },
      },
    },
    async (req): Promise<Static<typeof LogsAnswer>> => {
      const { service } = req.params;
      if (!o.services.includes(service)) throw new Problem('ROUTE_NOT_FOUND', `Unknown service "${service}"; one of ${o.services.join(', ')}.`);
      const instances = await o.driver.logs(service, req.query.tail ?? 100, req.query.after === undefined ? undefined : readLogCursors(req.query.after));
      return { service, instances, next: writeLogCursors(instances) };
    },
  );
}
