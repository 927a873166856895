// Request logging in which probes stay quiet: `/health` and `/ready` are asked every second or so
// (the gateway's checker, orchestrators, `pitchey health`), so at info they would bury everything
// else. They are logged at debug; every other request at info, exactly as Fastify does.
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

const PROBE = /^\/(health|ready)(\?|$)/;

export const isProbe = (url: string): boolean => PROBE.test(url);

export class ProbeQuietLogController extends LogController {
  override incomingRequest(request: FastifyRequest, reply: FastifyReply, metadata?: Record<string, unknown>): void {
    if (isProbe(request.url)) request.log.debug({ req: request }, 'incoming request');
    else super.incomingRequest(request, reply, metadata);
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply, metadata?: Record<string, unknown>): void {
    if (isProbe(request.url) && !error) reply.log.debug({ res: reply, responseTime: reply.elapsedTime }, 'request completed');
    else super.requestCompleted(error, request, reply, metadata);
  }
}
