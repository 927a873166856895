// Smoke tests: one critical journey per service, timed, each ending in the same evidence shape as
// the pre-deployment checks. Run by `pitchey smoke`, before a new track takes traffic (canary and
// blue-green) and after every promotion.
import type { ServiceName } from '../../kit/index.js';
import type { Evidence } from '../checks/index.js';
import { SmokeClient, type SmokeTarget } from './client.js';
import { JOURNEYS } from './journeys.js';

export { JOURNEYS } from './journeys.js';
export type { SmokeTarget } from './client.js';

/** Runs one service's journey against the target; never throws — a failure is evidence too. */
export async function smokeService(service: ServiceName, target: SmokeTarget, budgetMs = 120_000): Promise<Evidence> {
  const journey = JOURNEYS[service];
  const client = new SmokeClient(target);
  const started = performance.now();
  let failure: string | null = null;
  try {
    await journey.run(client, budgetMs);
  } catch (err) {
    failure = (err as Error).message;
  }
  const totalMs = Math.round(performance.now() - started);
  return {
    check: `smoke-${service}`,
    title: journey.title,
    status: failure === null ? 'pass' : 'fail',
    observed: failure ?? `${client.steps.map((s) => `${s.name} ${s.ms} ms`).join(', ')} (${totalMs} ms)`,
    threshold: 'every step answers 2xx with a real result',
    source: `${target.baseUrl}${target.track === null ? '' : ` (track ${target.track})`}`,
    at: new Date().toISOString(),
    details: { steps: client.steps, totalMs },
  };
}

/** Every named service's journey, one after another (they share two cores with the services). */
export async function smokeAll(services: readonly ServiceName[], target: SmokeTarget, budgetMs?: number): Promise<Evidence[]> {
  const out: Evidence[] = [];
  for (const s of services) out.push(await smokeService(s, target, budgetMs));
  return out;
}
