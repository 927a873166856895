// A render thread: typesets the DocSpecs the pool hands it and sends the PDF bytes back.
import { parentPort } from 'node:worker_threads';
import { renderPdf, type DocSpec } from './render.js';

parentPort?.on('message', (msg: { id: number; spec: DocSpec }) => {
  renderPdf(msg.spec).then(
    (pdf) => {
      const bytes = new Uint8Array(pdf.buffer, pdf.byteOffset, pdf.byteLength).slice();
      parentPort?.postMessage({ id: msg.id, pdf: bytes }, [bytes.buffer]);
    },
    (err: unknown) => parentPort?.postMessage({ id: msg.id, error: (err as Error).message }),
  );
});
