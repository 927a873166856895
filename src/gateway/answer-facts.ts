// What one answer means for the service level objectives, judged at the gateway where every
// answer passes: whether it settles an authentication or an inference, and whether its route is
// critical. A client's own mistakes (4xx for bad input) are neither successes nor failures.
import type { AnswerFacts } from './track-stats.js';
import type { GatewayRoute } from './routes.js';

/** Outcome keys, as the engine's objectives (OBJECTIVES in deploy/engine/slo.ts) name them. */
export const OPERATION = { auth: 'auth', inference: 'inference' } as const;

/** nginx's status for a client that hung up first: it says nothing about credentials. */
const CLIENT_CLOSED = 499;

export interface Asked {
  method: string;
  /** The request carried an API key or a bearer token. */
  credentialed: boolean;
}

/**
 * - auth: a request that presented credentials and got 401 failed authentication; any other answer
 *   but a 5xx (or 499, the client hung up) passed it (403 is authorization refusing a known caller). No credentials: no attempt.
 * - inference: a request of the route's operation (ai: POST) that got a 5xx failed; 2xx/3xx
 *   succeeded; 4xx is the client's (bad input, rate limit, credentials) and is not counted.
 */
export function answerFacts(route: GatewayRoute, asked: Asked, status: number): AnswerFacts {
  const outcomes: Record<string, 'success' | 'failure'> = {};
  if (asked.credentialed && status < 500 && status !== CLIENT_CLOSED) outcomes[OPERATION.auth] = status === 401 ? 'failure' : 'success';
  if (route.operation !== undefined && route.operation.methods.includes(asked.method) && (status < 400 || status >= 500)) {
    outcomes[route.operation.name] = status >= 500 ? 'failure' : 'success';
  }
  return { outcomes, critical: route.critical === true };
}

export function isCredentialed(headers: Record<string, string | string[] | undefined>): boolean {
  return headers['x-api-key'] !== undefined || /^bearer\s/i.test(String(headers.authorization ?? ''));
}
