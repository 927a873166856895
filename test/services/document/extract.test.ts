import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_KEY, makeTempDir } from '../../helpers.js';
import { NDA, form, labelledPdf, makeDocx, pngBomb, pngToPdf, scanToPng, startDocService, wordAccuracy, type DocClient } from '../../support/document-fixtures.js';

const tmp = makeTempDir('pitchey-doc-extract-');
let doc: DocClient;

const KNOWN =
  'The quick brown fox jumps over the lazy dog while the producer reviews every scene of the new film. ' +
  'Our studio will deliver the final script before the end of March, and the budget covers three weeks of shooting in Madrid.';
let scannedPng: Buffer;
let scannedPdf: Buffer;

beforeAll(async () => {
  doc = await startDocService(join(tmp.dir, 'data'));
  const clean = await doc.generate('basic', { title: 'Production Notes', sections: [{ content: KNOWN }] });
  scannedPng = scanToPng(clean, tmp.dir, 150);
  scannedPdf = await pngToPdf(scannedPng);
});
afterAll(async () => {
  await doc.svc.drain();
  tmp.remove();
});

const file = (data: Buffer | string, filename: string, type = 'application/octet-stream'): { name: string; filename: string; type: string; data: Buffer | string } => ({
  name: 'file',
  filename,
  type,
  data,
});
type Extracted = {
  text: string;
  pages: Array<{ page: number; method: string; text: string }>;
  page_count: number;
  word_count: number;
  character_count: number;
  method: string;
  average_confidence?: number;
  language?: string;
  filename: string;
};

describe('extract-text', () => {
  it('reads native text per page, with Unicode names surviving generate → extract', async () => {
    const nda = await doc.generate('nda', NDA);
    const r = await doc.post('/extract-text', [file(nda, 'nda.pdf'), { name: 'method', data: 'native' }]);
    expect(r.status).toBe(200);
    const body = r.json() as unknown as Extracted;
    expect(body.method).toBe('native');
    expect(body.page_count).toBe(body.pages.length);
    expect(body.text).toContain('Zoë Ångström Films Ltd');
    expect(body.text).toContain('José Núñez of Łódź');
    expect(body.word_count).toBeGreaterThan(300);
    expect(body.character_count).toBe(body.text.length);
    expect(body.pages[0]?.text).toContain('Mutual Non-Disclosure Agreement');
  });

  it('OCRs a scanned PDF page (no text layer) with word accuracy ≥ 95 % in auto mode, with confidence and language', async () => {
    const r = await doc.post('/extract-text', [file(scannedPdf, 'scan.pdf')]);
    expect(r.status).toBe(200);
    const body = r.json() as unknown as Extracted;
    expect(body.pages.map((p) => p.method)).toEqual(['ocr']);
    expect(wordAccuracy(KNOWN, body.text)).toBeGreaterThanOrEqual(0.95);
    expect(body.language).toBe('eng');
    expect(body.average_confidence).toBeGreaterThan(80);
  });

  it('falls back to OCR only for the pages without text (auto), and OCRs a PNG directly', async () => {
    const { PDFDocument } = await import('pdf-lib');
    const mixed = await PDFDocument.create();
    const [a, b] = await Promise.all([PDFDocument.load(await labelledPdf(['NATIVE-PAGE-TEXT'])), PDFDocument.load(scannedPdf)]);
    for (const [src, i] of [
      [a, 0],
      [b, 0],
    ] as const)
      mixed.addPage((await mixed.copyPages(src, [i]))[0]);
    const r = await doc.post('/extract-text', [file(Buffer.from(await mixed.save()), 'mixed.pdf'), { name: 'method', data: 'auto' }]);
    const body = r.json() as unknown as Extracted;
    expect(body.pages.map((p) => p.method)).toEqual(['native', 'ocr']);
    expect(body.method).toBe('auto (native + ocr)');
    expect(body.pages[0]?.text).toBe('NATIVE-PAGE-TEXT');
    expect(wordAccuracy(KNOWN, body.pages[1]?.text ?? '')).toBeGreaterThanOrEqual(0.95);
    const png = await doc.post('/extract-text', [file(scannedPng, 'scan.png')]);
    expect(wordAccuracy(KNOWN, (png.json() as unknown as Extracted).text)).toBeGreaterThanOrEqual(0.95);
  });

  it('runs long OCR as a job with progress when asked (?async=true)', async () => {
    const r = await doc.post('/extract-text', [file(scannedPdf, 'scan.pdf'), { name: 'method', data: 'ocr' }], '?async=true');
    expect(r.status).toBe(202);
    const statusUrl = `${doc.base}${String(r.json().check_status_url)}`;
    let job: Record<string, unknown> = {};
    for (let i = 0; i < 300; i++) {
      job = (await (await fetch(statusUrl, { headers: { 'x-api-key': TEST_KEY } })).json()) as Record<string, unknown>;
      if (job.status === 'completed' || job.status === 'failed') break;
      await sleep(100);
    }
    expect([job.status, job.error]).toEqual(['completed', undefined]);
    expect(job.progress).toBe(100);
    expect(wordAccuracy(KNOWN, String((job.result as Extracted).text))).toBeGreaterThanOrEqual(0.95);
  });

  it('reads plain text and DOCX', async () => {
    const txt = await doc.post('/extract-text', [file('Hello Zoë\nsecond line', 'a.txt', 'text/plain')]);
    expect([txt.status, (txt.json() as unknown as Extracted).text, (txt.json() as unknown as Extracted).word_count]).toEqual([200, 'Hello Zoë\nsecond line', 4]);
    const docx = await doc.post('/extract-text', [file(await makeDocx(['Treatment by José Núñez', 'Second paragraph']), 'a.docx')]);
    expect(docx.status).toBe(200);
    expect((docx.json() as unknown as Extracted).text).toMatch(/Treatment by José Núñez\s+Second paragraph/);
  });

  it('refuses a DOCX whose ZIP directory declares more than it may unpack (zip bomb), before unpacking', async () => {
    const bomb = await makeDocx(['x']);
    for (let at = bomb.indexOf('PK\x01\x02', 0, 'latin1'); at >= 0; at = bomb.indexOf('PK\x01\x02', at + 4, 'latin1')) bomb.writeUInt32LE(400 * 1024 * 1024, at + 24);
    const r = await doc.post('/extract-text', [file(bomb, 'bomb.docx')]);
    expect([r.status, r.json().code]).toEqual([422, 'DOCUMENT_TOO_COMPLEX']);
  });

  it('answers a clear 422 for a language that is not installed, listing the installed ones', async () => {
    const r = await doc.post('/extract-text', [file(scannedPng, 'scan.png'), { name: 'language', data: 'klingon' }]);
    expect([r.status, r.json().code]).toEqual([422, 'LANGUAGE_UNAVAILABLE']);
    expect(r.json().installed).toContain('eng');
  });

  it('refuses an image bomb from its header, before decoding, and native text from an image', async () => {
    const started = Date.now();
    const r = await doc.post('/extract-text', [file(pngBomb(100_000, 100_000), 'bomb.png')]);
    expect([r.status, r.json().code, r.json().width]).toEqual([422, 'DOCUMENT_TOO_COMPLEX', 100_000]);
    expect(Date.now() - started).toBeLessThan(5_000);
    const native = await doc.post('/extract-text', [file(scannedPng, 'scan.png'), { name: 'method', data: 'native' }]);
    expect([native.status, native.json().code]).toEqual([422, 'UNPROCESSABLE']);
  });

  it('stops the OCR tools when the client hangs up', async () => {
    const tesseracts = (): string[] =>
      execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(process.pid)], { encoding: 'utf8' })
        .split('\n')
        .filter((l) => l.includes('tesseract'));
    const f = form([file(scannedPng, 'scan.png')]);
    const ac = new AbortController();
    const pending = fetch(`${doc.base}/extract-text`, { method: 'POST', headers: { 'content-type': f.type, 'x-api-key': TEST_KEY }, body: f.body, signal: ac.signal }).catch(() => null);
    for (let i = 0; i < 100 && tesseracts().length === 0; i++) await sleep(50);
    expect(tesseracts().length).toBe(1);
    ac.abort();
    await pending;
    let left = tesseracts();
    for (let i = 0; i < 40 && left.length > 0; i++) {
      await sleep(50);
      left = tesseracts();
    }
    expect(left).toEqual([]);
  });

  it('leaves no temp files or job folders behind for inline requests', async () => {
    let entries = readdirSync(doc.svc.ctx.tmpDir);
    for (let i = 0; i < 40 && entries.length > 0; i++) {
      await sleep(50);
      entries = readdirSync(doc.svc.ctx.tmpDir);
    }
    expect(entries).toEqual([]);
  });
});
