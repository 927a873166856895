// A request's work stops when its client hangs up: one signal per reply, for every route that waits.
import type { FastifyReply } from 'fastify';

/**
 * Aborted when the client goes away before its answer is sent (the connection closes while the
 * response is unfinished). `reason` becomes the signal's reason; default an AbortError.
 */
export function clientGoneSignal(reply: FastifyReply, reason?: unknown): AbortSignal {
  const control = new AbortController();
  reply.raw.once('close', () => { if (!reply.raw.writableFinished) control.abort(reason); });
  return control.signal;
}
