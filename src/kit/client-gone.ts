// A client that hangs up before its answer: the request's work stops (one signal per reply, for
// every route that waits), and the request is counted and logged as nginx's 499, not as a failure.
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Calls `gone` when the connection closes while the response is unfinished. */
export function onClientGone(reply: FastifyReply, gone: () => void): void {
  // 'finish' (everything handed to the OS) comes before 'close' on an answered request; an injected
  // one (light-my-request) finishes without ever reporting writableFinished.
  let finished = false;
  reply.raw.once('finish', () => (finished = true));
  reply.raw.once('close', () => {
    if (!finished && !reply.raw.writableFinished) gone();
  });
}

/**
 * Aborted when the client goes away before its answer is sent. `reason` becomes the signal's
 * reason; default an AbortError.
 */
export function clientGoneSignal(reply: FastifyReply, reason?: unknown): AbortSignal {
  const control = new AbortController();
  onClientGone(reply, () => control.abort(reason));
  return control.signal;
}

/** Whether the client has already closed its connection: nobody will read what is sent now. */
export function clientClosed(req: FastifyRequest, reply: FastifyReply): boolean {
  return reply.raw.destroyed || req.raw.socket?.destroyed === true;
}
