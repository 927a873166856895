// Typesetting is CPU work: a small pool of worker threads (one per core, at most four) renders
// PDFs so that every core serves requests while the main thread keeps answering HTTP. Running
// from TypeScript sources (tests), where no compiled worker exists, renders in-thread instead.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { checkCoverage, renderPdf, type DocSpec } from './render.js';

interface Pending { resolve: (pdf: Buffer) => void; reject: (err: Error) => void }
interface Slot { worker: Worker; busy: number }

const WORKER_URL = new URL('./render-worker.js', import.meta.url);

export interface RenderPool { render(spec: DocSpec): Promise<Buffer>; close(): Promise<void>; threads: number }

export function createRenderPool(threads = Math.min(4, availableParallelism())): RenderPool {
  if (threads < 2 || !existsSync(fileURLToPath(WORKER_URL))) return { render: renderPdf, close: async () => undefined, threads: 0 };
  const pending = new Map<number, Pending>();
  let nextId = 0;
  const slots: Slot[] = [];
  const spawnSlot = (): Slot => {
    const slot: Slot = { worker: new Worker(WORKER_URL), busy: 0 };
    slot.worker.unref();
    slot.worker.on('message', (msg: { id: number; pdf?: Uint8Array; error?: string }) => {
      const p = pending.get(msg.id);
      pending.delete(msg.id);
      slot.busy--;
      if (msg.pdf !== undefined) p?.resolve(Buffer.from(msg.pdf.buffer, msg.pdf.byteOffset, msg.pdf.byteLength));
      else p?.reject(new Error(msg.error ?? 'render failed'));
    });
    slot.worker.on('error', (err) => {
      // A crashed thread fails what it held and is replaced.
      for (const [id, p] of pending) if ((p as Pending & { slot?: Slot }).slot === slot) { pending.delete(id); p.reject(err); }
      slots[slots.indexOf(slot)] = spawnSlot();
    });
    return slot;
  };
  return {
    threads,
    render(spec) {
      checkCoverage(spec);
      // Threads start on first use, so an idle service holds none.
      while (slots.length < threads) slots.push(spawnSlot());
      const slot = slots.reduce((a, b) => (b.busy < a.busy ? b : a));
      const id = nextId++;
      slot.busy++;
      return new Promise<Buffer>((resolve, reject) => {
        pending.set(id, Object.assign({ resolve, reject }, { slot }));
        slot.worker.postMessage({ id, spec });
      });
    },
    async close() { await Promise.all(slots.map((s) => s.worker.terminate())); },
  };
}
