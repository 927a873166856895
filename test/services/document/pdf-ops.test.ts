import { execFileSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PDFDocument, PDFName } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../helpers.js';
import { NDA, contentStreams, labelledPdf, pdfPages, pdftotext, pngBomb, qpdf, scanToPng, startDocService, type DocClient } from '../../support/document-fixtures.js';

const tmp = makeTempDir('pitchey-doc-ops-');
let doc: DocClient;
let nda: Buffer;
let five: Buffer;

beforeAll(async () => {
  doc = await startDocService(join(tmp.dir, 'data'));
  nda = await doc.generate('nda', NDA);
  five = await labelledPdf(['PAGE-ONE', 'PAGE-TWO', 'PAGE-THREE', 'PAGE-FOUR', 'PAGE-FIVE']);
});
afterAll(async () => {
  await doc.svc.drain();
  tmp.remove();
});

const pdfPart = (data: Buffer, filename = 'in.pdf', name = 'file'): { name: string; filename: string; type: string; data: Buffer } => ({ name, filename, type: 'application/pdf', data });

interface Word {
  xMin: number;
  yMin: number;
  xMax: number;
  yMax: number;
  text: string;
}

/**
 * The watermark as poppler's pdftotext sees it: the words on the page other than the page label,
 * read in order along the line, the angle of that line (counter-clockwise, degrees) and its centre.
 */
function diagonalMark(pdf: Buffer, page: number): { text: string; angle: number; centre: { x: number; y: number }; box: Omit<Word, 'text'> } {
  const words: Word[] = [...pdftotext(pdf, tmp.dir, page, ['-bbox']).matchAll(/xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</g)]
    .map((m) => ({ xMin: Number(m[1]), yMin: Number(m[2]), xMax: Number(m[3]), yMax: Number(m[4]), text: m[5] ?? '' }))
    .filter((w) => !w.text.startsWith('PAGE-'))
    .sort((a, b) => a.xMin + a.xMax - b.xMin - b.xMax);
  const first = words[0];
  const last = words.at(-1);
  if (first === undefined || last === undefined) return { text: '', angle: NaN, centre: { x: NaN, y: NaN }, box: { xMin: NaN, yMin: NaN, xMax: NaN, yMax: NaN } };
  const c = (w: Word): { x: number; y: number } => ({ x: (w.xMin + w.xMax) / 2, y: (w.yMin + w.yMax) / 2 });
  const [a, b] = [c(first), c(last)];
  const box = { xMin: Math.min(...words.map((w) => w.xMin)), yMin: Math.min(...words.map((w) => w.yMin)), xMax: Math.max(...words.map((w) => w.xMax)), yMax: Math.max(...words.map((w) => w.yMax)) };
  return { text: words.map((w) => w.text).join(''), angle: (Math.atan2(a.y - b.y, b.x - a.x) * 180) / Math.PI, centre: { x: (box.xMin + box.xMax) / 2, y: (box.yMin + box.yMax) / 2 }, box };
}

/** The rotation of every text matrix (Tm) in the page content, in degrees. */
function tmRotations(pdf: Buffer): number[] {
  return [...contentStreams(pdf, tmp.dir).matchAll(/([-\d.]+) ([-\d.]+) ([-\d.]+) ([-\d.]+) [-\d.]+ [-\d.]+ Tm/g)].map((m) => Math.round((Math.atan2(Number(m[2]), Number(m[1])) * 180) / Math.PI));
}

describe('merge', () => {
  it('keeps the order and count of pages across documents from the service, pdf-lib and qpdf', async () => {
    const linearised = qpdf(five, tmp.dir, ['--linearize', '--object-streams=generate', 'IN', 'OUT']);
    const ndaPages = pdfPages(nda, tmp.dir);
    const r = await doc.post('/merge', [pdfPart(linearised, 'a.pdf', 'files'), pdfPart(nda, 'b.pdf', 'files'), pdfPart(await labelledPdf(['LAST-PAGE']), 'c.pdf', 'files')]);
    expect([r.status, r.type]).toEqual([200, 'application/pdf']);
    expect(pdfPages(r.body, tmp.dir)).toBe(5 + ndaPages + 1);
    expect(pdftotext(r.body, tmp.dir, 2)).toContain('PAGE-TWO');
    expect(pdftotext(r.body, tmp.dir, 6)).toContain('Mutual Non-Disclosure Agreement');
    expect(pdftotext(r.body, tmp.dir, 6 + ndaPages)).toContain('LAST-PAGE');
  });

  it('refuses a non-PDF among the files with 415 naming it, and a single file with 422', async () => {
    const r = await doc.post('/merge', [pdfPart(five, 'a.pdf', 'files'), { name: 'files', filename: 'notes.txt', type: 'application/pdf', data: 'just some text, not a PDF' }]);
    expect([r.status, r.json().code]).toEqual([415, 'UPLOAD_TYPE_REJECTED']);
    expect(String(r.json().detail)).toContain('notes.txt');
    // In the middle too: the PDFs before it were already being merged while the rest arrived.
    const mid = await doc.post('/merge', [pdfPart(five, 'a.pdf', 'files'), { name: 'files', filename: 'mid.txt', type: 'application/pdf', data: 'not a PDF either' }, pdfPart(five, 'b.pdf', 'files')]);
    expect([mid.status, mid.json().code]).toEqual([415, 'UPLOAD_TYPE_REJECTED']);
    expect(String(mid.json().detail)).toContain('mid.txt');
    const one = await doc.post('/merge', [pdfPart(five, 'a.pdf', 'files')]);
    expect([one.status, one.json().code]).toEqual([422, 'UPLOAD_MISSING']);
  });
});

describe('split', () => {
  it('gives one PDF for one range and a zip of one PDF per range for several', async () => {
    const one = await doc.post('/split', [pdfPart(five), { name: 'ranges', data: '2-3' }]);
    expect(one.status).toBe(200);
    expect(pdfPages(one.body, tmp.dir)).toBe(2);
    expect(pdftotext(one.body, tmp.dir, 1)).toContain('PAGE-TWO');
    const zip = await doc.post('/split', [pdfPart(five, 'deck.pdf'), { name: 'ranges', data: '1,3-4,5-' }]);
    expect([zip.status, zip.type]).toEqual([200, 'application/zip']);
    const zipPath = join(tmp.dir, 'split.zip');
    writeFileSync(zipPath, zip.body);
    const listing = execFileSync(
      '/usr/bin/python3',
      ['-c', 'import sys,zipfile; z=zipfile.ZipFile(sys.argv[1]); print("\\n".join(z.namelist())); [open(sys.argv[2]+"/"+n,"wb").write(z.read(n)) for n in z.namelist()]', zipPath, tmp.dir],
      { encoding: 'utf8' },
    );
    expect(listing.trim().split('\n')).toEqual(['deck-page-1.pdf', 'deck-pages-3-4.pdf', 'deck-page-5.pdf']);
    const single = await doc.post('/split', [pdfPart(five), { name: 'ranges', data: '5,1' }, { name: 'mode', data: 'single' }]);
    expect(pdftotext(single.body, tmp.dir, 1)).toContain('PAGE-FIVE');
    expect(pdftotext(single.body, tmp.dir, 2)).toContain('PAGE-ONE');
  });

  it('refuses ranges outside the document with 422', async () => {
    const r = await doc.post('/split', [pdfPart(five), { name: 'ranges', data: '4-9' }]);
    expect([r.status, r.json().code]).toEqual([422, 'UNPROCESSABLE']);
  });

  it('answers a malformed form field as every route does: 400 VALIDATION_FAILED naming the field', async () => {
    const range = await doc.post('/split', [pdfPart(five), { name: 'ranges', data: 'abc' }]);
    expect([range.status, range.json().code, (range.json().errors as Array<{ field: string }>)[0]?.field]).toEqual([400, 'VALIDATION_FAILED', 'body/ranges']);
    const position = await doc.post('/watermark', [pdfPart(five), { name: 'watermark_text', data: 'X' }, { name: 'position', data: 'sideways' }]);
    expect([position.status, position.json().code, (position.json().errors as Array<{ field: string }>)[0]?.field]).toEqual([400, 'VALIDATION_FAILED', 'body/position']);
    const opacity = await doc.post('/watermark', [pdfPart(five), { name: 'watermark_text', data: 'X' }, { name: 'opacity', data: 'lots' }]);
    expect([opacity.status, opacity.json().code, (opacity.json().errors as Array<{ field: string }>)[0]?.field]).toEqual([400, 'VALIDATION_FAILED', 'body/opacity']);
    const color = await doc.post('/watermark', [pdfPart(five), { name: 'watermark_text', data: 'X' }, { name: 'color', data: 'grey' }]);
    expect([color.status, color.json().code, (color.json().errors as Array<{ field: string }>)[0]?.field]).toEqual([400, 'VALIDATION_FAILED', 'body/color']);
    const nothing = await doc.post('/watermark', [pdfPart(five)]);
    expect([nothing.status, nothing.json().code, (nothing.json().errors as Array<{ field: string }>)[0]?.field]).toEqual([400, 'VALIDATION_FAILED', 'body/watermark_text']);
  });
});

describe('watermark', () => {
  it('draws the text at 45° with the requested opacity: pdftotext finds it on a 45° line', async () => {
    const r = await doc.post('/watermark', [pdfPart(five), { name: 'watermark_text', data: 'CONFIDENTIAL' }, { name: 'opacity', data: '0.25' }]);
    expect([r.status, r.type]).toEqual([200, 'application/pdf']);
    for (const page of [1, 5]) {
      const mark = diagonalMark(r.body, page);
      expect(mark.text).toBe('CONFIDENTIAL');
      expect(Math.abs(mark.angle - 45)).toBeLessThan(3);
      expect(Math.abs(mark.centre.x - 150)).toBeLessThan(20);
      expect(Math.abs(mark.centre.y - 200)).toBeLessThan(20);
    }
    expect(tmRotations(r.body)).toContain(45);
    expect(contentStreams(r.body, tmp.dir)).toMatch(/\/ca 0\.25/);
  });

  it('honours any rotation, colour, font size, a corner position and selected pages', async () => {
    const r = await doc.post('/watermark', [
      pdfPart(five),
      { name: 'watermark_text', data: 'DRAFT' },
      { name: 'rotation', data: '-30' },
      { name: 'color', data: '#ff0000' },
      { name: 'font_size', data: '20' },
      { name: 'position', data: 'top-right' },
      { name: 'pages', data: '2,4' },
    ]);
    expect(r.status).toBe(200);
    for (const page of [2, 4]) {
      const mark = diagonalMark(r.body, page);
      expect(mark.text).toBe('DRAFT');
      expect(Math.abs(mark.angle + 30)).toBeLessThan(4);
      // Top-right quarter of the 300x400 page (pdftotext's y grows downwards).
      expect(mark.box.xMin).toBeGreaterThan(150);
      expect(mark.box.xMax).toBeLessThanOrEqual(300);
      expect(mark.box.yMin).toBeGreaterThanOrEqual(0);
      expect(mark.box.yMax).toBeLessThan(200);
    }
    expect(diagonalMark(r.body, 1).text).toBe('');
    expect(tmRotations(r.body)).toContain(-30);
    expect(contentStreams(r.body, tmp.dir)).toMatch(/1 0 0 rg/);
  });

  it('keeps the requested angle and position as the reader sees a page turned by /Rotate (qpdf --rotate)', async () => {
    const turned = qpdf(five, tmp.dir, ['--rotate=+90:1-5', 'IN', 'OUT']);
    const r = await doc.post('/watermark', [
      pdfPart(turned),
      { name: 'watermark_text', data: 'DRAFT' },
      { name: 'rotation', data: '0' },
      { name: 'font_size', data: '20' },
      { name: 'position', data: 'top-left' },
    ]);
    expect(r.status).toBe(200);
    const words = pdftotext(r.body, tmp.dir, 1, ['-bbox']);
    const m = /xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">DRAFT</.exec(words);
    expect(m).not.toBeNull();
    const [xMin, yMin, xMax, yMax] = (m ?? []).slice(1).map(Number) as [number, number, number, number];
    // Displayed page is 400 wide and 300 high: the word is horizontal and in the top-left corner.
    expect(xMax - xMin).toBeGreaterThan(yMax - yMin);
    expect(xMax).toBeLessThan(200);
    expect(yMax).toBeLessThan(150);
  });

  it('tiles the text over the page, and stamps an image watermark', async () => {
    const tiled = await doc.post('/watermark', [
      pdfPart(five),
      { name: 'watermark_text', data: 'COPY' },
      { name: 'rotation', data: '0' },
      { name: 'position', data: 'tiled' },
      { name: 'font_size', data: '14' },
    ]);
    expect((pdftotext(tiled.body, tmp.dir, 1).match(/COPY/g) ?? []).length).toBeGreaterThan(4);
    const png = scanToPng(five, tmp.dir, 20);
    const img = await doc.post('/watermark', [
      pdfPart(five),
      { name: 'image', filename: 'logo.png', type: 'image/png', data: png },
      { name: 'opacity', data: '0.5' },
      { name: 'rotation', data: '90' },
    ]);
    expect(img.status).toBe(200);
    const listing = execFileSync('pdfimages', ['-list', '-'], { input: img.body, encoding: 'utf8' });
    expect(listing.split('\n').filter((l) => /^\s+\d+\s+\d+\s+image/.test(l))).toHaveLength(5);
  });
});

describe('bad input', () => {
  it('refuses encrypted PDFs (user password, or owner-only) with DOCUMENT_ENCRYPTED', async () => {
    for (const pw of ['secret', '']) {
      const enc = qpdf(five, tmp.dir, ['--encrypt', pw, 'owner-pw', '256', '--', 'IN', 'OUT']);
      for (const route of ['/watermark', '/split', '/extract-text']) {
        const r = await doc.post(route, [pdfPart(enc), { name: 'watermark_text', data: 'X' }, { name: 'ranges', data: '1' }]);
        expect([route, r.status, r.json().code]).toEqual([route, 422, 'DOCUMENT_ENCRYPTED']);
      }
      const merged = await doc.post('/merge', [pdfPart(five, 'a.pdf', 'files'), pdfPart(enc, 'locked.pdf', 'files')]);
      expect([merged.status, merged.json().code]).toEqual([422, 'DOCUMENT_ENCRYPTED']);
      expect(String(merged.json().detail)).toContain('locked.pdf');
    }
  });

  it('reads an unencrypted PDF that merely contains the bytes "/Encrypt" (a name outside the trailer)', async () => {
    const made = await PDFDocument.create();
    made.addPage([200, 200]).node.set(PDFName.of('Note'), PDFName.of('Encrypt'));
    const plain = Buffer.from(await made.save({ useObjectStreams: false }));
    expect(plain.includes('/Encrypt')).toBe(true);
    const r = await doc.post('/split', [pdfPart(plain), { name: 'ranges', data: '1' }]);
    expect(r.status).toBe(200);
    expect(pdfPages(r.body, tmp.dir)).toBe(1);
  });

  it('refuses an image-bomb watermark from its header, before decoding it', async () => {
    const r = await doc.post('/watermark', [pdfPart(five), { name: 'image', filename: 'bomb.png', type: 'image/png', data: pngBomb(100_000, 100_000) }]);
    expect([r.status, r.json().code]).toEqual([422, 'DOCUMENT_TOO_COMPLEX']);
  });

  it('refuses a damaged PDF with DOCUMENT_INVALID', async () => {
    const r = await doc.post('/split', [pdfPart(nda.subarray(0, 2000)), { name: 'ranges', data: '1' }]);
    expect([r.status, r.json().code]).toEqual([422, 'DOCUMENT_INVALID']);
  });

  it('refuses a PDF with thousands of pages before parsing it, within the page cap', async () => {
    const many = qpdf(five, tmp.dir, ['--empty', '--pages', ...Array.from({ length: 500 }, () => ['IN', '1-5']).flat(), '--', 'OUT']);
    const started = Date.now();
    const r = await doc.post('/merge', [pdfPart(many, 'a.pdf', 'files'), pdfPart(five, 'b.pdf', 'files')]);
    expect([r.status, r.json().code, r.json().pages]).toEqual([422, 'DOCUMENT_TOO_COMPLEX', 2500]);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('refuses a deeply nested object graph without crashing', async () => {
    const depth = 20_000;
    const nested = `${'['.repeat(depth)}${']'.repeat(depth)}`;
    const body = `%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R /Deep ${nested} >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n`;
    const r = await doc.post('/watermark', [pdfPart(Buffer.from(body)), { name: 'watermark_text', data: 'X' }]);
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    expect(['DOCUMENT_TOO_COMPLEX', 'DOCUMENT_INVALID']).toContain(r.json().code);
    const health = await fetch(`${doc.base}/health`);
    expect(health.status).toBe(200);
  });

  it('leaves no temp files behind', async () => {
    let entries = readdirSync(doc.svc.ctx.tmpDir);
    for (let i = 0; i < 40 && entries.length > 0; i++) {
      await sleep(50);
      entries = readdirSync(doc.svc.ctx.tmpDir);
    }
    expect(entries).toEqual([]);
  });
});
