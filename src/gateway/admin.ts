// The admin API under `/_pitchey/admin/`: the traffic controls over HTTP for a deployment
// controller in another process. Every route needs the `admin` scope, but the web dashboard's
// reads: the pools, each track's time series and who the caller is, which any valid credential
// reads (the dashboard is read-only for every key, and shows actions only to those who may act).
import { ANY_CREDENTIAL, Type, isAdmin, type HttpApp, type ProblemCode, type TSchema } from '../kit/index.js';
import { isSignoffRole } from '../kit/roles.js';
import { DrainAnswer, InstanceAnswer, TrackSchema, PoolAnswer, PoolsAnswer, SeriesAnswer, StatsAnswer } from './admin-answers.js';
import { MAX_WINDOW_MS, type TrafficControl } from './traffic-control.js';

export const ADMIN_PREFIX = '/_pitchey/admin';

const admin = { auth: 'admin' } as const;
const Weight = Type.Optional(Type.Number({ minimum: 0 }));
const ServiceParams = Type.Object({ service: Type.String({ minLength: 1, maxLength: 64 }) });
const InstanceParams = Type.Object({ service: Type.String({ minLength: 1, maxLength: 64 }), id: Type.String({ minLength: 1, maxLength: 64 }) });
const Name = (description: string) => Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$', description });

const WeightsBody = Type.Object(
  {
    weights: Type.Object({ stable: Weight, canary: Weight, blue: Weight, green: Weight }, { additionalProperties: false }),
  },
  { additionalProperties: false },
);
const InstanceBody = Type.Object(
  {
    id: Name('instance id, unique in its service'),
    url: Type.String({ minLength: 1, maxLength: 2048, description: 'http(s) origin on loopback or a plain host' }),
    track: TrackSchema,
    version: Name('release version'),
  },
  { additionalProperties: false },
);

export const WhoamiAnswer = Type.Object({
  id: Type.String({ description: 'the credential, as audit logs name it (never the secret)' }),
  person: Type.Union([Type.String(), Type.Null()], { description: "the key's holder or the token's subject; null for a machine's key" }),
  admin: Type.Boolean({ description: 'may deploy, promote, abort, resume and roll back' }),
  roles: Type.Array(Type.String(), { description: 'the sign-off roles this person holds' }),
});

/** A traffic route's answer, typed and documented; every such route names a service it may not have (404). */
const answers = <T extends TSchema>(json: T, status = 200, problems: ProblemCode[] = []) => ({
  response: { [status]: json } as Record<number, T>,
  doc: { ok: { json, status }, problems: ['ROUTE_NOT_FOUND' as const, ...problems] },
});

/** Registers the admin routes on the gateway's app. */
export function registerAdminRoutes(app: HttpApp, control: TrafficControl): void {
  const tags = ['admin'];
  app.get(
    `${ADMIN_PREFIX}/pools`,
    {
      config: { auth: ANY_CREDENTIAL },
      schema: { tags, summary: 'Every service: weights, stickiness and instances (any valid credential)', response: { 200: PoolsAnswer }, doc: { ok: { json: PoolsAnswer } } },
    },
    () => ({
      pools: control.listPools(),
    }),
  );
  app.get(
    `${ADMIN_PREFIX}/whoami`,
    {
      config: { auth: ANY_CREDENTIAL },
      schema: { tags, summary: 'Who the credential is and what it may do (any valid credential)', response: { 200: WhoamiAnswer }, doc: { ok: { json: WhoamiAnswer } } },
    },
    (req) => {
      const p = req.principal!;
      return { id: p.id, person: p.person, admin: isAdmin(p), roles: p.person === null ? [] : p.scopes.filter(isSignoffRole) };
    },
  );
  app.get(
    `${ADMIN_PREFIX}/stats/:service/series`,
    {
      config: { auth: ANY_CREDENTIAL },
      schema: {
        tags,
        summary: 'Per-track error rate and p95 latency, one point per step since a time (any valid credential)',
        params: ServiceParams,
        querystring: Type.Object({
          sinceMs: Type.Integer({ minimum: 0, description: 'epoch ms; at most 15 minutes back is kept' }),
          stepMs: Type.Integer({ minimum: 1000, maximum: MAX_WINDOW_MS, default: 10_000 }),
        }),
        response: { 200: SeriesAnswer },
        doc: { ok: { json: SeriesAnswer }, problems: ['ROUTE_NOT_FOUND'] },
      },
    },
    (req) => control.readSeries(req.params.service, req.query.sinceMs, req.query.stepMs),
  );
  app.put(
    `${ADMIN_PREFIX}/pools/:service/weights`,
    {
      config: admin,
      schema: { tags, summary: 'Set track weights (next request on)', params: ServiceParams, body: WeightsBody, ...answers(PoolAnswer) },
    },
    (req) => control.setWeights(req.params.service, req.body.weights),
  );
  app.put(
    `${ADMIN_PREFIX}/pools/:service/sticky`,
    {
      config: admin,
      schema: { tags, summary: 'Turn sticky track assignment on or off', params: ServiceParams, body: Type.Object({ sticky: Type.Boolean() }), ...answers(PoolAnswer) },
    },
    (req) => control.setSticky(req.params.service, req.body.sticky),
  );
  app.post(
    `${ADMIN_PREFIX}/pools/:service/instances`,
    {
      config: admin,
      schema: { tags, summary: 'Add an instance (probed at once)', params: ServiceParams, body: InstanceBody, ...answers(InstanceAnswer, 201, ['UNPROCESSABLE']) },
    },
    async (req, reply) => reply.code(201).send(await control.addInstance(req.params.service, req.body)),
  );
  app.put(
    `${ADMIN_PREFIX}/pools/:service/instances/:id/track`,
    {
      config: admin,
      schema: { tags, summary: 'Move an instance to another track', params: InstanceParams, body: Type.Object({ track: TrackSchema }), ...answers(InstanceAnswer) },
    },
    (req) => control.retagInstance(req.params.service, req.params.id, req.body.track),
  );
  app.delete(
    `${ADMIN_PREFIX}/pools/:service/instances/:id`,
    {
      config: admin,
      schema: {
        tags,
        summary: 'Drain an instance, then remove it; answers when done',
        params: InstanceParams,
        querystring: Type.Object({ drainMs: Type.Integer({ minimum: 0, maximum: 600_000, default: 30_000 }) }),
        ...answers(DrainAnswer),
      },
    },
    async (req) => control.removeInstance(req.params.service, req.params.id, req.query.drainMs),
  );
  app.get(
    `${ADMIN_PREFIX}/stats/:service`,
    {
      config: admin,
      schema: {
        tags,
        summary: 'Per-track traffic over a window, and instance health per track',
        params: ServiceParams,
        querystring: Type.Object({ windowMs: Type.Integer({ minimum: 1000, maximum: MAX_WINDOW_MS, default: 60_000 }) }),
        ...answers(StatsAnswer),
      },
    },
    async (req) => control.readStats(req.params.service, req.query.windowMs),
  );
}
