// The admin API of platform releases (release trains): `pitchey deploy all` starts one here. The
// members start through the same path as a single deployment (http.ts), the train's loop
// (release-train.ts) holds their promotions and rolls them all back when one fails.
import { Problem, Type, type HttpApp, type ProblemCode, type Static } from '../kit/index.js';
import { ReleaseList, ReleaseSummary, type ReleaseRecord } from './admin-api.js';
import { ReleaseRecordAnswer } from './record-answer.js';
import { readAudit } from './audit.js';
import { ReleaseOrderError, planReleaseOrder } from './engine/index.js';
import { DeployBody, actor, rollbackRequest, startDeployment, summarize, type DeployApiOptions } from './http.js';
import { LockHeld } from './lock.js';
import { readRecord } from './record.js';
import { readReleases, type ReleaseRow } from './release-store.js';
import { ReleaseRefused, ReleaseTrains } from './release-train.js';

const admin = { auth: 'admin' } as const;
const ServiceName = Type.String({ minLength: 1, maxLength: 40 });
/** What every member's deployment takes, as a single deployment does; `order` declares the waves. */
const ReleaseBody = Type.Composite([
  Type.Omit(DeployBody, ['service', 'plan_hash', 'faults']),
  Type.Object({
    order: Type.Optional(Type.Array(Type.Array(ServiceName, { minItems: 1, maxItems: 5 }), { minItems: 1, maxItems: 5 })),
    services: Type.Optional(Type.Array(ServiceName, { minItems: 1, maxItems: 5 })),
  }),
]);
/** What each member's deployment is made from: the release's request less its order. */
type MemberRequest = Omit<typeof ReleaseBody.static, 'order' | 'services'>;
const IdParams = Type.Object({ id: Type.String({ pattern: '^rel-[0-9a-f]{8}$' }) });
const START_PROBLEMS: ProblemCode[] = ['DEPLOY_INVALID', 'RELEASE_NOT_FOUND', 'RELEASE_UNTRUSTED', 'DEPLOY_CONFLICT', 'DEPLOY_LOCK_HELD'];
const NOT_FOUND: ProblemCode[] = ['RELEASE_TRAIN_NOT_FOUND'];

export function registerReleaseApi(app: HttpApp, o: DeployApiOptions): ReleaseTrains {
  const base = '/_pitchey/admin/release-trains';
  const trains = new ReleaseTrains({
    db: o.db,
    env: o.env,
    controller: o.controller,
    intervalMs: o.analysis.intervalMs,
    startMember: (service, version, author, id) => {
      // Stored with the release: a controller restarted mid-release starts the later waves as asked.
      const request = trains.get(id)?.request as MemberRequest | undefined;
      if (request === undefined) throw new Error(`release ${id} has no stored request (written by an older version): start it again`);
      return startDeployment(o, { ...request, service, version }, author, { id, holdPromotion: true });
    },
    revertMember: (service, to, reason, id) => {
      const row = o.controller.deploy(rollbackRequest(o, service, to, 'controller', { id, holdPromotion: false }));
      o.controller.audit('rollback.to', 'controller', { service, to, reason }, row.id);
      return row;
    },
  });
  // Releases the controller was running when it stopped go on, as its recovery decided.
  trains.resumeStored();
  app.addHook('onClose', () => trains.stop());

  const answer = (row: ReleaseRow): ReleaseSummary => {
    const dep = (id: string | null) => {
      const d = id === null ? null : o.controller.get(id);
      return d === null ? null : summarize(d, o.controller.isLive(d.id));
    };
    return {
      id: row.id,
      live: trains.isLive(row.id),
      env: row.env,
      author: row.author,
      version: row.version,
      waves: row.waves,
      phase: row.phase,
      reason: row.reason,
      failure: row.failure,
      members: row.members.map((m) => ({ service: m.service, wave: m.wave, asked: m.asked, deployment: dep(m.deploymentId), revert: dep(m.revertId), refused: m.refused })),
      created_at: new Date(row.createdAt).toISOString(),
      updated_at: new Date(row.updatedAt).toISOString(),
    };
  };
  const find = (id: string): ReleaseRow => {
    const row = trains.get(id);
    if (row === null || row.env !== o.env) throw new Problem('RELEASE_TRAIN_NOT_FOUND', `No platform release ${id}.`);
    return row;
  };

  app.post(
    `${base}`,
    {
      config: admin,
      schema: {
        body: ReleaseBody,
        summary: 'Deploy several services as one release: canaries analysed, promoted together, rolled back together',
        doc: { ok: { json: ReleaseSummary, status: 201 }, problems: START_PROBLEMS },
      },
    },
    async (req, reply) => {
      const b = req.body;
      if (b.env !== undefined && b.env !== o.env) throw new Problem('DEPLOY_INVALID', `This controller deploys to "${o.env}", not "${b.env}".`);
      let waves: string[][];
      try {
        waves = planReleaseOrder(o.services, b.order, b.services);
      } catch (err) {
        if (err instanceof ReleaseOrderError) throw new Problem('DEPLOY_INVALID', `${err.message}.`);
        throw err;
      }
      // Refused before anything moves: a member that cannot run the version, or already runs it.
      for (const service of waves.flat()) {
        const resolution = await o.driver.resolve(service, b.version);
        if (resolution.status !== 'ok') throw new Problem(resolution.status === 'missing' ? 'RELEASE_NOT_FOUND' : 'RELEASE_UNTRUSTED', `${service} ${b.version}: ${resolution.reason}.`);
      }
      const already = waves.flat().filter((s) => o.controller.currentVersion(s) === b.version);
      if (already.length > 0) throw new Problem('DEPLOY_CONFLICT', `Already running ${b.version}: ${already.join(', ')}; declare the others with "services" or "order".`);
      try {
        const { order: _o, services: _s, ...request } = b;
        const row = trains.start({ version: b.version, waves, author: actor(req), request });
        return reply.code(201).header('location', `${base}/${row.id}`).send(answer(row));
      } catch (err) {
        if (err instanceof LockHeld) throw new Problem('DEPLOY_LOCK_HELD', err.message);
        throw err;
      }
    },
  );
  app.post(
    `${base}/:id/abort`,
    {
      config: admin,
      schema: {
        params: IdParams,
        summary: 'Abort the whole release: live members rolled back, promoted ones reverted to their previous version',
        doc: { ok: { json: ReleaseSummary }, problems: [...NOT_FOUND, 'DEPLOY_CONFLICT'] },
      },
    },
    async (req): Promise<ReleaseSummary> => {
      find(req.params.id);
      try {
        return answer(await trains.abort(req.params.id, actor(req)));
      } catch (err) {
        if (!(err instanceof ReleaseRefused)) throw err;
        throw new Problem(err.reason === 'not-found' ? 'RELEASE_TRAIN_NOT_FOUND' : 'DEPLOY_CONFLICT', `${err.message}.`);
      }
    },
  );
  app.get(`${base}`, { config: admin, schema: { summary: 'Platform releases in this environment', doc: { ok: { json: ReleaseList } } } }, (): Static<typeof ReleaseList> => ({
    releases: readReleases(o.db, o.env).map(answer),
  }));
  app.get(
    `${base}/:id`,
    { config: admin, schema: { params: IdParams, summary: 'One platform release: its waves and members', doc: { ok: { json: ReleaseSummary }, problems: NOT_FOUND } } },
    (req): ReleaseSummary => answer(find(req.params.id)),
  );
  const recordDoc = { ok: { json: ReleaseRecordAnswer }, problems: NOT_FOUND };
  app.get(
    `${base}/:id/record`,
    { config: admin, schema: { params: IdParams, summary: 'The record of a platform release: one section per service', doc: recordDoc } },
    (req): ReleaseRecord & Static<typeof ReleaseRecordAnswer> => {
      const row = find(req.params.id);
      const record = (id: string | null) => {
        const d = id === null ? null : o.controller.get(id);
        return d === null ? null : readRecord(o.db, d, { signoffs: o.controller.signoffPolicy(), now: Date.now() });
      };
      return {
        release: answer(row),
        sections: row.members.map((m) => ({ service: m.service, wave: m.wave, record: record(m.deploymentId), revert: record(m.revertId), refused: m.refused })),
        events: readAudit(o.db, { deploymentId: row.id }),
      };
    },
  );
  return trains;
}
