// OCR seconds per page: pitchey's extraction (tesseract behind the service's own code path, with
// confidence from the same run) beside the tesseract CLI on the same page, in the same run.
// Two inputs: a PNG scan (same image for both) and an image-only PDF (ours renders at 300 DPI
// with pdftoppm; the baseline runs pdftoppm + tesseract by hand). Target ratio ≤ 1.2.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { median, report, setting, tempDir } from './lib.mjs';
import { extractText } from '../dist/services/document/extract.js';
import { basicSpec } from '../dist/services/document/layouts.js';
import { renderPdf } from '../dist/services/document/render.js';

const RUNS = setting('BENCH_RUNS', 3, 1);
const TEXT = 'The quick brown fox jumps over the lazy dog while the producer reviews every scene of the new film. '.repeat(6);
const data = tempDir('pitchey-bench-ocr-');
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`${cmd} failed`);
};

const clean = await renderPdf(basicSpec({ title: 'Production Notes', sections: [{ heading: 'Scene list', content: TEXT }] }, true));
writeFileSync(join(data.dir, 'clean.pdf'), clean);
run('pdftoppm', ['-r', '150', '-png', '-singlefile', '-f', '1', '-l', '1', join(data.dir, 'clean.pdf'), join(data.dir, 'scan')]);
const png = join(data.dir, 'scan.png');
const doc = await PDFDocument.create();
const img = await doc.embedPng((await import('node:fs')).readFileSync(png));
doc.addPage([595.28, 841.89]).drawImage(img, { x: 0, y: 0, width: 595.28, height: 841.89 });
const scanPdf = join(data.dir, 'scan.pdf');
writeFileSync(scanPdf, await doc.save());

const work = join(data.dir, 'work');
mkdirSync(work);
const opts = { method: 'ocr', language: 'eng', maxPages: 100, ocrMaxPages: 10, timeoutMs: 300_000, workDir: work };
const timed = async (fn) => {
  const t = performance.now();
  await fn();
  return (performance.now() - t) / 1000;
};
const rows = [];
for (const [name, ours, cli] of [
  ['PNG scan (150 DPI)', () => extractText({ path: png, filename: 'scan.png', mime: 'image/png' }, opts), () => run('tesseract', [png, join(data.dir, 'cli'), '-l', 'eng', 'txt'])],
  [
    'image-only PDF page (rendered at 300 DPI)',
    () => extractText({ path: scanPdf, filename: 'scan.pdf', mime: 'application/pdf' }, opts),
    () => {
      run('pdftoppm', ['-r', '300', '-gray', '-png', '-singlefile', '-f', '1', '-l', '1', scanPdf, join(data.dir, 'cli-page')]);
      run('tesseract', [join(data.dir, 'cli-page.png'), join(data.dir, 'cli'), '-l', 'eng', 'txt']);
    },
  ],
]) {
  const a = [];
  const b = [];
  for (let i = 0; i < RUNS; i++) {
    a.push(await timed(ours));
    b.push(await timed(cli));
  }
  rows.push([name, median(a), median(b)]);
}
console.log(`OCR seconds per page, median of ${RUNS} runs (ours alternating with the CLI)`);
console.log('| input | pitchey s/page | tesseract CLI s/page | ratio |');
console.log('|---|---|---|---|');
for (const [name, a, b] of rows) console.log(`| ${name} | ${a.toFixed(2)} | ${b.toFixed(2)} | ${(a / b).toFixed(2)} |`);
console.log(`target ratio ≤ 1.2 → ${rows.every(([, a, b]) => a / b <= 1.2) ? 'MET' : 'NOT MET'} (ours also returns word confidences: tsv output in the same tesseract run)`);
for (const [name, a, b] of rows) report({ name: `OCR ${name}, pitchey vs tesseract CLI`, ours: a, baseline: b, unit: 's/page', better: 'lower' });
data.remove();
