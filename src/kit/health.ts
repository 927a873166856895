// Liveness and readiness: `/health` answers while the process lives; `/ready` is 503 until every
// readiness check passes and again while draining, with the failing checks named.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { Problem } from './problems.js';

/** `GET /health`'s answer (documentation and the handler's type, declared once). */
export const HealthAnswer = Type.Object({
  status: Type.Literal('ok'),
  service: Type.String(),
  version: Type.String({ description: 'The release this process runs' }),
  track: Type.String({ description: 'stable, canary, blue or green' }),
  pid: Type.Integer(),
  uptime_s: Type.Integer({ minimum: 0 }),
});

const CheckResult = Type.Object({ name: Type.String(), ok: Type.Boolean(), detail: Type.String() });

/** `GET /ready`'s answer when ready; when not, a NOT_READY or DRAINING problem carries the same `checks`. */
export const ReadyAnswer = Type.Object({ status: Type.Literal('ready'), service: Type.String(), version: Type.String(), checks: Type.Array(CheckResult) });

export interface ReadinessResult {
  ok: boolean;
  detail: string;
}
export interface ReadinessCheck {
  name: string;
  check: () => ReadinessResult | Promise<ReadinessResult>;
}

export interface HealthState {
  service: string;
  version: string;
  track: string;
  startedAt: number;
  draining: boolean;
  checks: ReadinessCheck[];
}

async function runChecks(checks: ReadinessCheck[]): Promise<Array<{ name: string } & ReadinessResult>> {
  return Promise.all(
    checks.map(async (c) => {
      try {
        return { name: c.name, ...(await c.check()) };
      } catch (err) {
        return { name: c.name, ok: false, detail: (err as Error).message };
      }
    }),
  );
}

export function registerHealthRoutes(app: FastifyInstance, state: HealthState): void {
  const publicRoute = { auth: 'public', rateLimit: false } as const;
  app.get('/health', { config: publicRoute, schema: { summary: 'Liveness: the process answers', doc: { ok: { json: HealthAnswer } } } }, (): Static<typeof HealthAnswer> => ({
    status: 'ok',
    service: state.service,
    version: state.version,
    track: state.track,
    pid: process.pid,
    uptime_s: Math.round((Date.now() - state.startedAt) / 1000),
  }));
  const readyDoc = { ok: { json: ReadyAnswer }, problems: ['NOT_READY' as const] };
  app.get('/ready', { config: publicRoute, schema: { summary: 'Readiness: every check passes and the process is not draining', doc: readyDoc } }, async (): Promise<Static<typeof ReadyAnswer>> => {
    const checks = await runChecks(state.checks);
    if (state.draining) throw new Problem('DRAINING', 'The service is draining and takes no new work.', { extensions: { checks }, headers: { 'retry-after': '5' } });
    const failing = checks.filter((c) => !c.ok);
    if (failing.length > 0) {
      throw new Problem('NOT_READY', `Not ready: ${failing.map((c) => `${c.name} (${c.detail})`).join('; ')}`, { extensions: { checks }, headers: { 'retry-after': '5' } });
    }
    return { status: 'ready', service: state.service, version: state.version, checks };
  });
}
