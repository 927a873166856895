// Fixtures for the document service's tests, all made on the spot by real tools: PDFs from the
// service itself, a scanned-looking copy (rendered to PNG by pdftoppm, wrapped back into a PDF
// with no text layer), qpdf-made encrypted and multi-page PDFs, and hostile files.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { createService, type RunningService } from '../../src/kit/index.js';
import { documentService } from '../../src/services/document/index.js';
import { TEST_KEY, testConfig } from '../helpers.js';

export interface Part {
  name: string;
  filename?: string;
  type?: string;
  data: Buffer | string;
}

export function form(parts: Part[]): { body: Buffer; type: string } {
  const boundary = '----pitcheydoc' + Math.random().toString(16).slice(2);
  const chunks = parts.flatMap((p) => [
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"${p.filename === undefined ? '' : `; filename="${p.filename}"`}\r\n${p.type === undefined ? '' : `Content-Type: ${p.type}\r\n`}\r\n`,
    ),
    Buffer.isBuffer(p.data) ? p.data : Buffer.from(p.data),
    Buffer.from('\r\n'),
  ]);
  return { body: Buffer.concat([...chunks, Buffer.from(`--${boundary}--\r\n`)]), type: `multipart/form-data; boundary=${boundary}` };
}

export interface DocClient {
  svc: RunningService;
  base: string;
  post(path: string, parts: Part[], query?: string): Promise<{ status: number; type: string; body: Buffer; json: () => Record<string, unknown> }>;
  generate(template: string, data: unknown, deterministic?: boolean): Promise<Buffer>;
}

export async function startDocService(dataDir: string, env: Record<string, string> = {}): Promise<DocClient> {
  const svc = await createService(documentService, { config: testConfig(dataDir, { PITCHEY_RATE_LIMIT: 'false', ...env }) });
  const port = await svc.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${port}`;
  const post: DocClient['post'] = async (path, parts, query = '') => {
    const f = form(parts);
    const res = await fetch(`${base}${path}${query}`, { method: 'POST', headers: { 'content-type': f.type, 'x-api-key': TEST_KEY }, body: f.body });
    const body = Buffer.from(await res.arrayBuffer());
    return { status: res.status, type: res.headers.get('content-type') ?? '', body, json: () => JSON.parse(body.toString('utf8')) as Record<string, unknown> };
  };
  const generate: DocClient['generate'] = async (template, data, deterministic = true) => {
    const res = await fetch(`${base}/generate-pdf`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': TEST_KEY },
      body: JSON.stringify({ template, data, deterministic }),
    });
    const body = Buffer.from(await res.arrayBuffer());
    if (res.status !== 200) throw new Error(`generate ${template}: ${res.status} ${body.toString('utf8')}`);
    return body;
  };
  return { svc, base, post, generate };
}

/** Text of a PDF (or one page of it) by poppler's pdftotext, an extractor independent of ours. */
export function pdftotext(pdf: Buffer, dir: string, page?: number, extra: string[] = []): string {
  const path = join(dir, `probe-${Math.random().toString(16).slice(2)}.pdf`);
  writeFileSync(path, pdf);
  const range = page === undefined ? [] : ['-f', String(page), '-l', String(page)];
  return execFileSync('pdftotext', [...extra, ...range, path, '-'], { encoding: 'utf8' });
}

export function pdfPages(pdf: Buffer, dir: string): number {
  const path = join(dir, `info-${Math.random().toString(16).slice(2)}.pdf`);
  writeFileSync(path, pdf);
  return Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [path], { encoding: 'utf8' }))?.[1]);
}

/** A page rendered to PNG at `dpi` by pdftoppm: what a scanner would hand over. */
export function scanToPng(pdf: Buffer, dir: string, dpi = 150): Buffer {
  const src = join(dir, 'scan-src.pdf');
  writeFileSync(src, pdf);
  execFileSync('pdftoppm', ['-r', String(dpi), '-png', '-singlefile', '-f', '1', '-l', '1', src, join(dir, 'scan')]);
  return readFileSync(join(dir, 'scan.png'));
}

/** An image-only PDF (no text layer) holding the PNG on an A4 page. */
export async function pngToPdf(png: Buffer): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const img = await doc.embedPng(png);
  const page = doc.addPage([595.28, 841.89]);
  page.drawImage(img, { x: 0, y: 0, width: 595.28, height: 841.89 });
  return Buffer.from(await doc.save());
}

/** A plain PDF with one labelled page per entry (Helvetica, made by pdf-lib, not by the service). */
export async function labelledPdf(labels: string[]): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (const label of labels) doc.addPage([300, 400]).drawText(label, { x: 40, y: 200, size: 24, font });
  return Buffer.from(await doc.save());
}

/** Runs qpdf; "IN" and "OUT" in `args` stand for the input PDF and the output file. */
export function qpdf(pdf: Buffer, dir: string, args: string[]): Buffer {
  const input = join(dir, `qin-${Math.random().toString(16).slice(2)}.pdf`);
  const output = `${input}.out.pdf`;
  writeFileSync(input, pdf);
  execFileSync(
    'qpdf',
    args.map((a) => (a === 'IN' ? input : a === 'OUT' ? output : a)),
  );
  return readFileSync(output);
}

/** Page content streams decompressed by qpdf (QDF form), for looking at the drawing operators. */
export function contentStreams(pdf: Buffer, dir: string): string {
  const input = join(dir, `qdf-${Math.random().toString(16).slice(2)}.pdf`);
  writeFileSync(input, pdf);
  execFileSync('qpdf', ['--qdf', '--object-streams=disable', input, `${input}.qdf`]);
  return readFileSync(`${input}.qdf`, 'latin1');
}

export const NDA = { date: '2025-03-14', disclosing_party: 'Zoë Ångström Films Ltd', receiving_party: 'José Núñez of Łódź' };

/** A minimal DOCX (the three parts Word needs) with one paragraph per entry, zipped by yazl. */
export async function makeDocx(paragraphs: string[]): Promise<Buffer> {
  const { default: yazl } = await import('yazl');
  const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const zip = new yazl.ZipFile();
  zip.addBuffer(
    Buffer.from(
      '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
    ),
    '[Content_Types].xml',
  );
  zip.addBuffer(
    Buffer.from(
      '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
    ),
    '_rels/.rels',
  );
  zip.addBuffer(
    Buffer.from(
      `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>${paragraphs.map((p) => `<w:p><w:r><w:t>${esc(p)}</w:t></w:r></w:p>`).join('')}</w:body></w:document>`,
    ),
    'word/document.xml',
  );
  zip.end();
  const chunks: Buffer[] = [];
  for await (const c of zip.outputStream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Share of the expected words found, in order-insensitive multiset terms (OCR word accuracy). */
export function wordAccuracy(expected: string, got: string): number {
  const norm = (s: string): string[] =>
    s
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s]/gu, ' ')
      .split(/\s+/)
      .filter(Boolean);
  const pool = new Map<string, number>();
  for (const w of norm(got)) pool.set(w, (pool.get(w) ?? 0) + 1);
  const want = norm(expected);
  let hit = 0;
  for (const w of want) {
    const n = pool.get(w) ?? 0;
    if (n > 0) {
      hit++;
      pool.set(w, n - 1);
    }
  }
  return want.length === 0 ? 1 : hit / want.length;
}

/** A PNG whose header declares `width`x`height` pixels (with a tiny, valid-looking body). */
export function pngBomb(width: number, height: number): Buffer {
  const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000' + '1f15c4890000000d49444154789c63f8ffff3f0005fe02fea7d6a4560000000049454e44ae426082', 'hex');
  png.writeUInt32BE(width, 16);
  png.writeUInt32BE(height, 20);
  return png;
}
