// The typesetter: a document described as blocks (headings, paragraphs, tables, signature blocks)
// laid out by pdfkit with embedded DejaVu fonts (loaded once per process), running header and
// footer, "Page n of m" on every page, and document metadata. Deterministic when asked.
import PDFDocument from 'pdfkit';
import { Problem } from '../../kit/index.js';
import { hasGlyph, useSharedFonts } from './shared-fonts.js';

export type Block =
  | { type: 'heading'; text: string; level?: 1 | 2 | undefined }
  | { type: 'paragraph'; text: string }
  | { type: 'table'; rows: string[][]; header?: boolean }
  | { type: 'signatures'; parties: Array<{ name: string; role?: string }> }
  | { type: 'spacer'; lines?: number | undefined }
  | { type: 'pagebreak' };

export interface DocSpec {
  title: string;
  author?: string | undefined;
  subject?: string;
  header?: string | undefined;
  footer?: string | undefined;
  /** Creation/modification date stamped in the metadata (fixed under `deterministic`). */
  date: Date;
  blocks: Block[];
}

function textsOf(spec: DocSpec): string[] {
  const out = [spec.title, spec.author ?? '', spec.header ?? '', spec.footer ?? ''];
  for (const b of spec.blocks) {
    if (b.type === 'heading' || b.type === 'paragraph') out.push(b.text);
    else if (b.type === 'table') for (const r of b.rows) out.push(...r);
    else if (b.type === 'signatures') for (const p of b.parties) out.push(p.name, p.role ?? '');
  }
  return out;
}

/**
 * Scripts written right to left. pdfkit lays every line out left to right and has no bidi
 * algorithm, so such text would print in the wrong order (and read back so): refused, not garbled.
 */
const RTL_SCRIPTS = ['Arabic', 'Hebrew', 'Syriac', 'Thaana', 'Nko', 'Samaritan', 'Mandaic', 'Adlam'].map((name) => ({ name, pattern: new RegExp(`\\p{Script=${name}}`, 'u') }));

function checkDirection(texts: string[]): void {
  const found = RTL_SCRIPTS.filter((script) => texts.some((s) => script.pattern.test(s)));
  if (found.length === 0) return;
  const names = found.map((script) => (script.name === 'Nko' ? "N'Ko" : script.name));
  throw new Problem('UNPROCESSABLE', `${names.join(' and ')} text cannot be typeset: documents are laid out left to right only, and right-to-left text would come out in the wrong order.`, {
    extensions: { unsupported_scripts: names },
  });
}

/** Refuses text that cannot be set right, naming the script or the characters, instead of garbling it or printing "?". */
export function checkCoverage(spec: DocSpec): void {
  const texts = textsOf(spec).map((s) => s.normalize('NFC')); // as laid out (the pool checks before renderPdf composes)
  checkDirection(texts);
  const missing = new Set<string>();
  for (const s of texts) {
    for (const ch of s) {
      const cp = ch.codePointAt(0) ?? 0;
      if (cp < 0x20 && ch !== '\n' && ch !== '\t') continue;
      if (cp >= 0x20 && cp < 0x7f) continue;
      if (ch === '\n' || ch === '\t') continue;
      if (!hasGlyph(cp)) missing.add(ch);
      if (missing.size >= 20) break;
    }
  }
  if (missing.size > 0) {
    const list = [...missing].map((c) => `U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')} "${c}"`);
    throw new Problem('UNPROCESSABLE', `The embedded font (DejaVu Sans) has no glyph for ${list.join(', ')}.`, { extensions: { missing_glyphs: list } });
  }
}

const MARGIN = 64;
const BODY_SIZE = 11;

function drawBlock(doc: PDFKit.PDFDocument, block: Block): void {
  switch (block.type) {
    case 'heading':
      doc
        .moveDown(0.6)
        .font('bold')
        .fontSize(block.level === 2 ? 12.5 : 15)
        .text(block.text, { align: 'left' })
        .moveDown(0.3)
        .font('regular')
        .fontSize(BODY_SIZE);
      break;
    case 'paragraph':
      doc.font('regular').fontSize(BODY_SIZE).text(block.text, { align: 'justify', lineGap: 2 }).moveDown(0.5);
      break;
    case 'table':
      drawTable(doc, block.rows, block.header ?? true);
      break;
    case 'signatures':
      drawSignatures(doc, block.parties);
      break;
    case 'spacer':
      doc.moveDown(block.lines ?? 1);
      break;
    case 'pagebreak':
      doc.addPage();
      break;
  }
}

function drawTable(doc: PDFKit.PDFDocument, rows: string[][], header: boolean): void {
  if (rows.length === 0) return;
  const columns = Math.max(...rows.map((r) => r.length));
  const data = rows.map((r) => Array.from({ length: columns }, (_, i) => r[i] ?? ''));
  doc.x = MARGIN;
  doc
    .font('regular')
    .fontSize(9.5)
    .table({
      data,
      rowStyles: (i: number) => (header && i === 0 ? { font: { src: 'bold' }, backgroundColor: '#eeeeee' } : {}),
    } as unknown as Parameters<PDFKit.PDFDocument['table']>[0]);
  doc.x = MARGIN;
  doc.fontSize(BODY_SIZE).moveDown(0.8);
}

function drawSignatures(doc: PDFKit.PDFDocument, parties: Array<{ name: string; role?: string }>): void {
  const width = doc.page.width - 2 * MARGIN;
  const colW = (width - 24) / 2;
  doc.moveDown(1.5);
  for (let i = 0; i < parties.length; i += 2) {
    if (doc.y + 110 > doc.page.height - doc.page.margins.bottom) doc.addPage();
    const top = doc.y + 30;
    parties.slice(i, i + 2).forEach((p, j) => {
      const x = MARGIN + j * (colW + 24);
      doc
        .moveTo(x, top)
        .lineTo(x + colW, top)
        .lineWidth(0.8)
        .stroke('#000000');
      doc
        .font('bold')
        .fontSize(10)
        .text(p.name, x, top + 6, { width: colW });
      doc
        .font('regular')
        .fontSize(9)
        .text(`${p.role === undefined || p.role === '' ? 'Signature' : `Signature — ${p.role}`}`, x, doc.y + 1, { width: colW });
      doc.text('Date: ____________________', x, doc.y + 6, { width: colW });
    });
    doc.x = MARGIN;
    doc.y = top + 80;
  }
  doc.fontSize(BODY_SIZE);
}

/** Header, footer and "Page n of m" on every page, drawn after the body so the total is known. */
function stampPages(doc: PDFKit.PDFDocument, spec: DocSpec): void {
  const range = doc.bufferedPageRange();
  const width = doc.page.width - 2 * MARGIN;
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc.font('regular').fontSize(8).fillColor('#555555');
    if (spec.header !== undefined && spec.header !== '') doc.text(spec.header, MARGIN, 30, { width, align: 'left', lineBreak: false, height: 12, ellipsis: true });
    const footY = doc.page.height - 40;
    if (spec.footer !== undefined && spec.footer !== '') doc.text(spec.footer, MARGIN, footY, { width: width - 90, align: 'left', lineBreak: false, height: 12, ellipsis: true });
    doc.text(`Page ${i + 1} of ${range.count}`, MARGIN + width - 90, footY, { width: 90, align: 'right', lineBreak: false });
    doc.fillColor('#000000');
    doc.page.margins.bottom = bottom;
  }
}

/**
 * Every text in NFC: decomposed input (a base letter and combining marks, as some keyboards and
 * macOS file names give it) would otherwise be shaped from its parts and read back with the marks apart.
 */
function composed<T>(value: T): T {
  if (typeof value === 'string') return value.normalize('NFC') as T;
  if (Array.isArray(value)) return value.map(composed) as T;
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, composed(v)])) as T;
}

/** Renders a document to PDF bytes. */
export function renderPdf(input: DocSpec): Promise<Buffer> {
  const spec = composed(input);
  checkCoverage(spec);
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: MARGIN, bottom: MARGIN, left: MARGIN, right: MARGIN },
    bufferPages: true,
    compress: true,
    info: {
      Title: spec.title,
      Author: spec.author ?? 'Pitchey',
      Subject: spec.subject ?? spec.title,
      Creator: 'Pitchey document processor',
      Producer: 'Pitchey (pdfkit)',
      CreationDate: spec.date,
      ModDate: spec.date,
    },
    displayTitle: true,
    lang: 'en',
    font: null as unknown as string,
  });
  useSharedFonts(doc);
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.font('bold').fontSize(20).text(spec.title, { align: 'center' }).moveDown(0.8);
  doc.font('regular').fontSize(BODY_SIZE);
  for (const block of spec.blocks) drawBlock(doc, block);
  stampPages(doc, spec);
  doc.end();
  return done;
}
