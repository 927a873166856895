// nginx's request log reaches the gateway through a FIFO: nginx opens its logs by path, and what
// Node's spawn gives a child as its stdout is a socket, which opening /dev/stdout cannot reopen.
import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';

export interface FifoReader {
  /** Lets the FIFO end once its writers have closed it: call once nginx has opened it, or failed to start. */
  release(): void;
  /** Resolves once every writer has closed it and each line has been passed on. */
  done: Promise<void>;
}

/**
 * Makes a FIFO at `path` (replacing what is there) and passes on what is written to it, without
 * blocking: whole lines, as many as each read brings (one call per read, not per line: nginx
 * writes a line per request, and this side is the Node gateway's CPU).
 */
export function readFifo(path: string, onLines: (text: string) => void): FifoReader {
  rmSync(path, { force: true });
  execFileSync('mkfifo', ['-m', '600', path]);
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  // A FIFO that no writer holds reads as ended: this one holds it until nginx does.
  let holder: number | null = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
  const stream = new Socket({ fd, readable: true, writable: false });
  let partial = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const end = chunk.lastIndexOf('\n') + 1;
    if (end === 0) {
      partial += chunk;
      return;
    }
    onLines(partial + chunk.slice(0, end));
    partial = chunk.slice(end);
  });
  const done = new Promise<void>((resolve) => stream.once('close', () => resolve()));
  stream.once('error', () => stream.destroy());
  return {
    done,
    release() {
      if (holder !== null) closeSync(holder);
      holder = null;
    },
  };
}
