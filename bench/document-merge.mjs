// Merging 20 documents: pitchey's merge (pdf-lib, in-process and over HTTP POST /merge) beside
// `qpdf --empty --pages … --` on the same files in the same run. Target: ≤ 100 ms.
import { Blob } from 'node:buffer';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KEY, freePort, median, report, setting, startRole, stop, tempDir, waitReady } from './lib.mjs';
import { mergePdfs } from '../dist/services/document/pdf-ops.js';
import { renderPdf } from '../dist/services/document/render.js';
import { ndaSpec } from '../dist/services/document/layouts.js';

const DOCS = 20;
const RUNS = setting('BENCH_RUNS', 10, 2);
const data = tempDir('pitchey-bench-merge-');
const files = [];
for (let i = 0; i < DOCS; i++) {
  const pdf = await renderPdf(
    ndaSpec({ date: '2025-03-14', disclosing_party: `Studio ${i} — Zoë Ångström`, receiving_party: 'José Núñez of Łódź', purpose: 'Evaluation of potential business opportunity', term: '5 years' }),
  );
  const path = join(data.dir, `doc-${i}.pdf`);
  writeFileSync(path, pdf);
  files.push({ path, filename: `doc-${i}.pdf` });
}
const pagesOf = (path) => Number(/Pages:\s+(\d+)/.exec(spawnSync('pdfinfo', [path], { encoding: 'utf8' }).stdout)?.[1]);
const timed = async (fn) => {
  const t = performance.now();
  await fn();
  return performance.now() - t;
};

const ours = [];
for (let i = 0; i < RUNS + 1; i++) ours.push(await timed(() => mergePdfs(files)));
ours.shift(); // first run warms the JIT
writeFileSync(join(data.dir, 'ours.pdf'), await mergePdfs(files));

const qpdfTimes = [];
const qpdfArgs = ['--empty', '--pages', ...files.map((f) => f.path), '--', join(data.dir, 'qpdf.pdf')];
for (let i = 0; i < RUNS; i++)
  qpdfTimes.push(
    await timed(async () => {
      if (spawnSync('qpdf', qpdfArgs).status !== 0) throw new Error('qpdf failed');
    }),
  );

const port = await freePort();
const svc = startRole('document', { PITCHEY_DATA_DIR: join(data.dir, 'svc'), PITCHEY_PORT: String(port), PITCHEY_RATE_LIMIT: 'false' });
const http = [];
try {
  await waitReady(`http://127.0.0.1:${port}`);
  const form = () => {
    const f = new globalThis.FormData();
    for (const x of files) f.append('files', new Blob([readFileSync(x.path)], { type: 'application/pdf' }), x.filename);
    return f;
  };
  // A running service is warm: its first requests (JIT, pdf-lib's first parse) are not counted.
  const WARM = setting('BENCH_WARM_RUNS', 5, 1);
  for (let i = 0; i < WARM + RUNS; i++) {
    const body = form();
    http.push(
      await timed(async () => {
        const r = await fetch(`http://127.0.0.1:${port}/merge`, { method: 'POST', headers: { 'x-api-key': KEY }, body });
        if (r.status !== 200) throw new Error(`merge ${r.status}`);
        await r.arrayBuffer();
      }),
    );
  }
  http.splice(0, WARM);
} finally {
  await stop(svc);
}
const pages = [pagesOf(join(data.dir, 'ours.pdf')), pagesOf(join(data.dir, 'qpdf.pdf'))];
console.log(`merge of ${DOCS} NDA PDFs (${pages[0]} pages; qpdf's result ${pages[1]} pages), median of ${RUNS} runs`);
console.log('| path | median ms |');
console.log('|---|---|');
console.log(`| pitchey mergePdfs (pdf-lib, in-process) | ${median(ours).toFixed(1)} |`);
console.log(`| pitchey POST /merge (client builds the form, upload, type checks, merge, answer) | ${median(http).toFixed(1)} |`);
console.log(`| qpdf --empty --pages (baseline) | ${median(qpdfTimes).toFixed(1)} |`);
console.log(
  `ratio in-process/qpdf ${(median(ours) / median(qpdfTimes)).toFixed(2)}; target ≤ 100 ms → ${median(ours) <= 100 ? 'MET' : 'NOT MET'} in-process, ${median(http) <= 100 ? 'MET' : 'NOT MET'} over HTTP`,
);
report({ name: `merge ${DOCS} PDFs in-process vs qpdf`, ours: median(ours), baseline: median(qpdfTimes), unit: 'ms', better: 'lower' });
report({ name: `merge ${DOCS} PDFs over HTTP POST /merge vs qpdf`, ours: median(http), baseline: median(qpdfTimes), unit: 'ms', better: 'lower' });
data.remove();
