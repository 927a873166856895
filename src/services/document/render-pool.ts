// Typesetting is CPU work: a small pool of worker threads (one per core, at most four) renders
// PDFs so that every core serves requests while the main thread keeps answering HTTP. Running
// from TypeScript sources (tests), where no compiled worker exists, renders in-thread instead.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { DocSpec } from './render.js';

// pdfkit and the fonts load at the first render, not at the service's start (and not at all in a pool's threads' parent when it has threads).
const renderModule = () => import('./render.js');
const renderHere = async (spec: DocSpec): Promise<Buffer> => (await renderModule()).renderPdf(spec);

interface Slot {
  worker: Worker;
  busy: number;
  gone: boolean;
}
interface Pending {
  resolve: (pdf: Buffer) => void;
  reject: (err: Error) => void;
  slot: Slot;
}

const WORKER_URL = new URL('./render-worker.js', import.meta.url);

export interface RenderPool {
  render(spec: DocSpec): Promise<Buffer>;
  close(): Promise<void>;
  threads: number;
}

/** `workerUrl`: the compiled render thread (tests running from sources pass the built one). */
export function createRenderPool(threads = Math.min(4, availableParallelism()), workerUrl = WORKER_URL): RenderPool {
  if (threads < 2 || !existsSync(fileURLToPath(workerUrl))) return { render: renderHere, close: () => Promise.resolve(), threads: 0 };
  const pending = new Map<number, Pending>();
  let nextId = 0;
  let closing = false;
  const slots: Slot[] = [];
  /** A thread that failed or exited fails what it held and is replaced (on the next render). */
  const lose = (slot: Slot, err: Error): void => {
    if (slot.gone) return;
    slot.gone = true;
    for (const [id, p] of pending)
      if (p.slot === slot) {
        pending.delete(id);
        p.reject(err);
      }
    slots.splice(slots.indexOf(slot), 1);
  };
  const spawnSlot = (): Slot => {
    const slot: Slot = { worker: new Worker(workerUrl), busy: 0, gone: false };
    slot.worker.unref();
    slot.worker.on('message', (msg: { id: number; pdf?: Uint8Array; error?: string }) => {
      const p = pending.get(msg.id);
      pending.delete(msg.id);
      slot.busy--;
      if (msg.pdf !== undefined) p?.resolve(Buffer.from(msg.pdf.buffer, msg.pdf.byteOffset, msg.pdf.byteLength));
      else p?.reject(new Error(msg.error ?? 'render failed'));
    });
    slot.worker.on('error', (err) => lose(slot, err));
    slot.worker.on('exit', (code) => {
      if (!closing) lose(slot, new Error(`the render thread stopped (exit code ${code})`));
    });
    return slot;
  };
  return {
    threads,
    async render(spec) {
      (await renderModule()).checkCoverage(spec);
      // Threads start on first use, so an idle service holds none.
      while (slots.length < threads) slots.push(spawnSlot());
      const slot = slots.reduce((a, b) => (b.busy < a.busy ? b : a));
      const id = nextId++;
      slot.busy++;
      return new Promise<Buffer>((resolve, reject) => {
        pending.set(id, { resolve, reject, slot });
        slot.worker.postMessage({ id, spec });
      });
    },
    async close() {
      closing = true;
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}
