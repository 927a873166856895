// Liveness and readiness: `/health` answers while the process lives; `/ready` is 503 until every
// readiness check passes and again while draining, with the failing checks named.
import type { FastifyInstance } from 'fastify';
import { Problem } from './problems.js';

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
  app.get('/health', { config: publicRoute, schema: { summary: 'Liveness: the process answers' } }, () => ({
    status: 'ok',
    service: state.service,
    version: state.version,
    track: state.track,
    pid: process.pid,
    uptime_s: Math.round((Date.now() - state.startedAt) / 1000),
  }));
  app.get('/ready', { config: publicRoute, schema: { summary: 'Readiness: every check passes and the process is not draining', doc: { problems: ['NOT_READY'] } } }, async () => {
    const checks = await runChecks(state.checks);
    if (state.draining) throw new Problem('DRAINING', 'The service is draining and takes no new work.', { extensions: { checks }, headers: { 'retry-after': '5' } });
    const failing = checks.filter((c) => !c.ok);
    if (failing.length > 0) {
      throw new Problem('NOT_READY', `Not ready: ${failing.map((c) => `${c.name} (${c.detail})`).join('; ')}`, { extensions: { checks }, headers: { 'retry-after': '5' } });
    }
    return { status: 'ready', service: state.service, version: state.version, checks };
  });
}
