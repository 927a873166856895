// The gateway admin API's answers as schemas: the document gives them and the handlers are typed
// by them (Fastify's `response`), so what a route answers and what its document says cannot drift.
import { Type, type TSchema } from '../kit/index.js';

export const TrackSchema = Type.Union([Type.Literal('stable'), Type.Literal('canary'), Type.Literal('blue'), Type.Literal('green')]);
/** One value per track, each optional (a service runs only some tracks). */
const PerTrack = <T extends TSchema>(schema: T) => Type.Object({ stable: Type.Optional(schema), canary: Type.Optional(schema), blue: Type.Optional(schema), green: Type.Optional(schema) });
const Nullable = (schema: ReturnType<typeof Type.Number>) => Type.Union([schema, Type.Null()]);

export const InstanceAnswer = Type.Object({
  id: Type.String(),
  url: Type.String({ description: 'the origin the gateway proxies to' }),
  track: TrackSchema,
  version: Type.String(),
  healthy: Type.Boolean({ description: 'passes its health checks' }),
  draining: Type.Boolean({ description: 'being removed: takes no new requests' }),
  inflight: Type.Integer({ description: 'requests proxied to it and not yet answered' }),
});

export const PoolAnswer = Type.Object({
  service: Type.String(),
  weights: PerTrack(Type.Number({ minimum: 0 })),
  sticky: Type.Boolean({ description: 'a client keeps the track it was first given' }),
  instances: Type.Array(InstanceAnswer),
});

export const PoolsAnswer = Type.Object({ pools: Type.Array(PoolAnswer) });

export const DrainAnswer = Type.Object({
  id: Type.String(),
  outcome: Type.Union([Type.Literal('drained'), Type.Literal('timed-out'), Type.Literal('not-found')], {
    description: '`drained`: nothing left in flight; `timed-out`: removed with requests still in flight',
  }),
  waitedMs: Type.Integer(),
  abandoned: Type.Integer({ description: 'requests still in flight when it was removed' }),
});

const Outcomes = Type.Object({ succeeded: Type.Integer(), failed: Type.Integer() });
const TrackWindow = Type.Object({
  version: Type.String(),
  requests: Type.Integer(),
  errors: Type.Integer({ description: '5xx answers and failed upstream attempts' }),
  authFailures: Type.Integer({ description: '401/403 answers' }),
  unavailable: Type.Integer({ description: '502/503/504 answers: no instance could serve' }),
  latenciesMs: Type.Array(Type.Number(), { description: 'latencies of the window, all or a uniform sample' }),
  outcomes: Type.Optional(Type.Record(Type.String(), Outcomes, { description: 'by operation the objectives judge' })),
  criticalLatenciesMs: Type.Optional(Type.Array(Type.Number(), { description: 'latencies on critical routes, all or a uniform sample' })),
});

export const StatsAnswer = Type.Object({
  service: Type.String(),
  at: Type.Integer({ description: 'end of the window, epoch ms' }),
  windowMs: Type.Integer(),
  tracks: PerTrack(TrackWindow),
  instances: PerTrack(Type.Object({ ready: Type.Integer({ description: 'healthy, not draining' }), total: Type.Integer() })),
});

const SeriesPoint = Type.Object({
  at: Type.Integer({ description: 'start of the step, epoch ms' }),
  requests: Type.Integer(),
  errors: Type.Integer({ description: 'answers with a status of 500 or above' }),
  errorRate: Nullable(Type.Number({ description: 'errors / requests; null without requests' })),
  p95Ms: Nullable(Type.Number({ description: '95th percentile latency of the sampled requests; null without requests' })),
});
export const SeriesAnswer = Type.Object({
  service: Type.String(),
  at: Type.Integer(),
  stepMs: Type.Integer(),
  tracks: PerTrack(Type.Array(SeriesPoint)),
});
