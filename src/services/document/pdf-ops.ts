// Merge (order kept) and split (page ranges → one PDF, or a zip of one PDF per range) with pdf-lib.
import { readFile } from 'node:fs/promises';
import { PDFDocument, ParseSpeeds } from 'pdf-lib';
import yazl from 'yazl';
import { Problem, invalidField } from '../../kit/index.js';

/** Loads an inspected PDF; a parser failure is the client's damaged (or encrypted) file, a stack overflow its nesting. */
export async function loadPdf(input: { path: string; filename: string; bytes?: Buffer }): Promise<PDFDocument> {
  const { filename } = input;
  const bytes = input.bytes ?? (await readFile(input.path));
  try {
    const doc = await PDFDocument.load(bytes, { updateMetadata: false, throwOnInvalidObject: true, parseSpeed: ParseSpeeds.Fastest });
    doc.getPages();
    return doc;
  } catch (err) {
    if (err instanceof RangeError) throw new Problem('DOCUMENT_TOO_COMPLEX', `"${filename}" nests its objects too deeply to be read.`);
    // pdf-lib names encryption when it parses that far; when encrypted objects stop it sooner, the
    // /Encrypt dictionary the trailer names tells an encrypted file from a damaged one. (Checked
    // only after a failure: a readable PDF may well contain those bytes elsewhere.)
    if ((err as Error).name === 'EncryptedPDFError' || bytes.includes('/Encrypt')) throw new Problem('DOCUMENT_ENCRYPTED', `"${filename}" is encrypted; remove the encryption and send it again.`);
    throw new Problem('DOCUMENT_INVALID', `"${filename}" cannot be parsed as a PDF: ${(err as Error).message.slice(0, 200)}`);
  }
}

/** Written in one go: these documents are already bounded by the page cap. */
export const SAVE = { objectsPerTick: Infinity } as const;

/**
 * Merges PDFs in the order they are added, parsed in-process (no tool per file). Each is parsed
 * and copied as soon as it is added, so during an upload the first files are merged while the
 * rest still arrive; the page cap refuses the merge as soon as it is passed.
 */
export class PdfMerger {
  readonly #out = PDFDocument.create({ updateMetadata: false });
  #chain: Promise<void> = Promise.resolve();
  #stopped = false;

  constructor(private readonly maxPages = Infinity) {}

  add(input: { path: string; filename: string; bytes?: Buffer }): void {
    this.#chain = this.#chain.then(async () => {
      if (this.#stopped) return;
      const out = await this.#out;
      const src = await loadPdf(input);
      const pages = src.getPageCount();
      if (out.getPageCount() + pages > this.maxPages) {
        throw new Problem('DOCUMENT_TOO_COMPLEX', `"${input.filename}" has ${pages} pages; the merged document may have at most ${this.maxPages}.`, {
          extensions: { pages, max_pages: this.maxPages },
        });
      }
      for (const p of await out.copyPages(src, src.getPageIndices())) out.addPage(p);
    });
    this.#chain.catch(() => undefined); // reported by finish(); not unhandled meanwhile
  }

  /** Nothing more is parsed (the request failed); what is running finishes. */
  stop(): void {
    this.#stopped = true;
  }

  async finish(): Promise<Buffer> {
    await this.#chain;
    const out = await this.#out;
    out.setProducer('Pitchey document processor (pdf-lib)');
    return Buffer.from(await out.save(SAVE));
  }
}

/** Merges files already on disk, in order. */
export function mergePdfs(inputs: Array<{ path: string; filename: string }>, maxPages = Infinity): Promise<Buffer> {
  const merger = new PdfMerger(maxPages);
  for (const input of inputs) merger.add(input);
  return merger.finish();
}

export interface PageRange {
  from: number;
  to: number;
}

/** "1-3,5,8-" → ranges (1-based, inclusive; open end = last page); every range must fit `pages`. */
export function parseRanges(spec: string, pages: number, field = 'body/pages'): PageRange[] {
  const parts = spec
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (parts.length === 0 || parts.length > 500) throw invalidField(field, 'must be 1–500 page ranges such as "1-3,5,8-"');
  return parts.map((part) => {
    const m = /^(\d+)?\s*(-)?\s*(\d+)?$/.exec(part);
    if (m === null || (m[1] === undefined && m[3] === undefined)) throw invalidField(field, `"${part}" is not a page range (use 3, 1-4, 7- or -2)`);
    const from = m[1] === undefined ? 1 : Number(m[1]);
    const to = m[2] === undefined ? from : m[3] === undefined ? pages : Number(m[3]);
    if (from < 1 || to < from || to > pages) throw new Problem('UNPROCESSABLE', `Page range "${part}" is outside the document's ${pages} page(s).`, { extensions: { pages } });
    return { from, to };
  });
}

async function extract(src: PDFDocument, indices: number[]): Promise<Buffer> {
  const out = await PDFDocument.create({ updateMetadata: false });
  for (const p of await out.copyPages(src, indices)) out.addPage(p);
  return Buffer.from(await out.save(SAVE));
}

/** A range's 0-based page indices. */
export const indicesOf = (r: PageRange): number[] => Array.from({ length: r.to - r.from + 1 }, (_, i) => r.from - 1 + i);

/** One range, or `single`: one PDF with the ranges' pages in order. Several: a zip, one PDF per range. */
export async function splitPdf(src: PDFDocument, ranges: PageRange[], single: boolean, baseName: string): Promise<{ body: Buffer; contentType: string; filename: string }> {
  if (ranges.length === 1 || single) {
    return { body: await extract(src, ranges.flatMap(indicesOf)), contentType: 'application/pdf', filename: `${baseName}-pages.pdf` };
  }
  const zip = new yazl.ZipFile();
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    zip.outputStream
      .on('data', (c: Buffer) => chunks.push(c))
      .on('end', () => resolve(Buffer.concat(chunks)))
      .on('error', reject);
  });
  for (const r of ranges) {
    const name = r.from === r.to ? `${baseName}-page-${r.from}.pdf` : `${baseName}-pages-${r.from}-${r.to}.pdf`;
    zip.addBuffer(await extract(src, indicesOf(r)), name, { mtime: new Date('2000-01-01T00:00:00Z'), compress: false });
  }
  zip.end();
  return { body: await done, contentType: 'application/zip', filename: `${baseName}-split.zip` };
}
