// An answer sent before its request body was read whole (a refused upload, a body over a limit, an
// upstream that answered early) must not leave the rest of that body in the socket: the next
// request on the kept-alive connection would wait behind it (a poisoned connection), and closing at
// once resets a client that is still sending, which then never reads the answer. So, as nginx's
// lingering close: the answer says `Connection: close`, the rest of the body is read and dropped,
// and the socket closes once the client has sent it, or after a bounded time or size.
import type { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

/** How long, and how much, an unread body is drained after its answer before the socket is cut. */
export const LINGER = { ms: 5_000, bytes: 16 * 1024 * 1024 } as const;

/** Whether the request's body has not been received whole yet. */
export function bodyUnread(req: IncomingMessage): boolean {
  return !req.complete && !req.destroyed;
}

/** Drops the rest of the request's body as it arrives, closing the socket after the answer. */
export function lingerOnUnreadBody(req: IncomingMessage): void {
  const socket = req.socket;
  if (!(socket instanceof Socket)) return; // an injected request (tests) has no connection to keep
  req.unpipe();
  let dropped = 0;
  req.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > LINGER.bytes) socket.destroy();
  });
  req.on('error', () => undefined);
  req.resume();
  // Node ends a `Connection: close` answer with destroySoon(), which closes the socket (and resets
  // a client still sending) as soon as the answer is written: end our side only, keep reading.
  socket.destroySoon = function endWriteSide(this: typeof socket) {
    this.end();
  };
  const timer = setTimeout(() => socket.destroy(), LINGER.ms);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}

/** Every answer to a request whose body is still arriving closes its connection, lingering. */
export function registerLingeringClose(app: FastifyInstance): void {
  app.addHook('onSend', async (req, reply, payload) => {
    if (bodyUnread(req.raw)) {
      reply.header('connection', 'close');
      lingerOnUnreadBody(req.raw);
    }
    return payload;
  });
}
