// Fault injection, switched on only by PITCHEY_FAULTS (refused in production): a share of
// requests answer 500, every request waits a little longer, or the process dies after N requests;
// optionally only after the first N requests were served normally.
// Liveness, readiness and metrics stay honest so the instance stays in rotation, as a bad release does.
import type { FastifyInstance } from 'fastify';
import type { Faults } from './config.js';
import { Problem } from './problems.js';
import { setTimeout as sleep } from 'node:timers/promises';

const EXEMPT = new Set(['/health', '/ready', '/metrics']);

export function registerFaults(app: FastifyInstance, faults: Faults, random: () => number = Math.random): void {
  let served = 0;
  app.addHook('onRequest', async (req) => {
    if (EXEMPT.has(req.routeOptions.url ?? '')) return;
    served++;
    if (faults.crashAfter !== null && served >= faults.crashAfter) setImmediate(() => process.kill(process.pid, 'SIGKILL'));
    // A release that passes its smoke requests and fails under real load.
    if (served <= faults.after) return;
    if (faults.latencyMs > 0) await sleep(faults.latencyMs);
    if (random() < faults.errorRate) throw new Problem('INTERNAL_ERROR', 'Injected fault (PITCHEY_FAULTS).');
  });
}
