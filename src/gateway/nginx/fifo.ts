// nginx's request log reaches the gateway through a FIFO: nginx opens its logs by path, and what
// Node's spawn gives a child as its stdout is a socket, which opening /dev/stdout cannot reopen.
import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { createInterface } from 'node:readline';

export interface FifoReader {
  /** Lets the FIFO end once its writers have closed it: call once nginx has opened it, or failed to start. */
  release(): void;
  /** Resolves once every writer has closed it and each line has been passed on. */
  done: Promise<void>;
}

/** Makes a FIFO at `path` (replacing what is there) and passes on each line written to it, without blocking. */
export function readFifo(path: string, onLine: (line: string) => void): FifoReader {
  rmSync(path, { force: true });
  execFileSync('mkfifo', ['-m', '600', path]);
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  // A FIFO that no writer holds reads as ended: this one holds it until nginx does.
  let holder: number | null = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
  const stream = new Socket({ fd, readable: true, writable: false });
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  lines.on('line', onLine);
  stream.once('error', () => lines.close());
  const done = new Promise<void>((resolve) => lines.once('close', resolve));
  return {
    done,
    release() {
      if (holder !== null) closeSync(holder);
      holder = null;
    },
  };
}
