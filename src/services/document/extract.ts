// POST /extract-text: text per page from PDFs (native, OCR, or native with OCR for the pages that
// have none), from images by OCR, from plain text and from DOCX.
import { readFile } from 'node:fs/promises';
import { Problem, runProcess } from '../../kit/index.js';
import { inspectImage, inspectPdf, inspectZip, type PdfInfo } from './inspect.js';
import { checkLanguage, ocrImage, ocrPdfPage } from './ocr.js';

export const METHODS = ['auto', 'native', 'ocr'] as const;
export type Method = (typeof METHODS)[number];

export const PDF = 'application/pdf';
export const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
export const IMAGES = ['image/png', 'image/jpeg', 'image/tiff', 'image/bmp'] as const;
export const EXTRACT_ACCEPT = [PDF, DOCX, 'text/plain', ...IMAGES] as const;

export interface ExtractInput {
  path: string;
  filename: string;
  mime: string;
}
export interface ExtractOptions {
  method: Method;
  language: string;
  maxPages: number;
  ocrMaxPages: number;
  timeoutMs: number;
  /** Where page rasters are made (removed page by page). */
  workDir: string;
  signal?: AbortSignal;
  progress?: (percent: number, message: string) => void;
}

export interface PageText {
  page: number;
  text: string;
  method: 'native' | 'ocr' | 'text' | 'docx';
  confidence?: number | null;
}

export interface ExtractResult {
  text: string;
  pages: PageText[];
  page_count: number;
  word_count: number;
  character_count: number;
  method: string;
  filename: string;
  average_confidence?: number | null;
  language?: string;
}

const countWords = (s: string): number => (s.match(/\S+/g) ?? []).length;

/** Native text of every page in one pdftotext run (pages end with a form feed). */
export async function nativePages(path: string, pages: number, timeoutMs: number): Promise<string[]> {
  const run = await runProcess('pdftotext', ['-layout', '-enc', 'UTF-8', '-f', '1', '-l', String(pages), path, '-'], { timeoutMs, maxStdoutBytes: 256 * 1024 * 1024 });
  if (run.spawnError !== null) throw new Problem('DEPENDENCY_MISSING', 'pdftotext (poppler-utils) is not installed.');
  if (run.timedOut) throw new Problem('DOCUMENT_TOO_COMPLEX', "Reading the PDF's text ran past its time limit.");
  if (run.exitCode !== 0) throw new Problem('DOCUMENT_INVALID', `pdftotext could not read the PDF: ${run.stderr.trim().split('\n').at(-1) ?? ''}`);
  const parts = run.stdout.toString('utf8').split('\f');
  return Array.from({ length: pages }, (_, i) => (parts[i] ?? '').replace(/[ \t]+$/gm, '').trim());
}

/** Which pages of a PDF need OCR for a method, given their native text. */
export function pagesNeedingOcr(method: Method, native: string[]): number[] {
  if (method === 'native') return [];
  return native.flatMap((t, i) => (method === 'ocr' || t.trim() === '' ? [i + 1] : []));
}

function summarise(input: ExtractInput, pages: PageText[], method: string, language: string | null): ExtractResult {
  const text = pages.map((p) => p.text).join('\n\n');
  const ocr = pages.filter((p) => p.method === 'ocr' && p.confidence !== null && p.confidence !== undefined);
  return {
    text,
    pages,
    page_count: pages.length,
    word_count: countWords(text),
    character_count: text.length,
    method,
    filename: input.filename,
    ...(language === null ? {} : { language, average_confidence: ocr.length === 0 ? null : Math.round((ocr.reduce((s, p) => s + (p.confidence ?? 0), 0) / ocr.length) * 10) / 10 }),
  };
}

/** A PDF inspected (with page sizes when OCR may follow) and its native text per page. */
export interface PdfText {
  info: PdfInfo;
  native: string[];
}

/** Read once: a route uses it to decide between inline and a job, then hands it to `extractText`. */
export async function readPdfText(input: ExtractInput, o: Pick<ExtractOptions, 'method' | 'maxPages' | 'timeoutMs'>): Promise<PdfText> {
  const info = await inspectPdf(input.path, input.filename, o.maxPages, { sizes: o.method !== 'native' });
  return { info, native: await nativePages(input.path, info.pages, Math.min(o.timeoutMs, 120_000)) };
}

async function extractPdf(input: ExtractInput, o: ExtractOptions, read?: PdfText): Promise<ExtractResult> {
  const { info, native } = read ?? (await readPdfText(input, o));
  const todo = pagesNeedingOcr(o.method, native);
  if (todo.length > o.ocrMaxPages) {
    throw new Problem('DOCUMENT_TOO_COMPLEX', `${todo.length} pages need OCR; at most ${o.ocrMaxPages} are recognised per request.`, {
      extensions: { ocr_pages: todo.length, max_ocr_pages: o.ocrMaxPages },
    });
  }
  if (todo.length > 0) await checkLanguage(o.language);
  const pages: PageText[] = native.map((text, i) => ({ page: i + 1, text, method: 'native' }));
  const deadline = AbortSignal.any([AbortSignal.timeout(o.timeoutMs), ...(o.signal === undefined ? [] : [o.signal])]);
  for (const [n, page] of todo.entries()) {
    o.progress?.((n / todo.length) * 100, `OCR page ${page} (${n + 1} of ${todo.length})`);
    const r = await ocrPdfPage(input.path, page, info.pageSizes[page - 1], o.workDir, o.language, { signal: deadline, timeoutMs: o.timeoutMs });
    pages[page - 1] = { page, text: r.text, method: 'ocr', confidence: r.confidence };
  }
  const method = todo.length === 0 ? 'native' : todo.length === pages.length ? 'ocr' : 'auto (native + ocr)';
  return summarise(input, pages, method, todo.length === 0 ? null : o.language);
}

/** `read`: the PDF's inspection and native text when the caller has them already. */
export async function extractText(input: ExtractInput, o: ExtractOptions, read?: PdfText): Promise<ExtractResult> {
  if (input.mime === PDF) return extractPdf(input, o, read);
  if ((IMAGES as readonly string[]).includes(input.mime)) {
    if (o.method === 'native') throw new Problem('UNPROCESSABLE', `"${input.filename}" is an image: it has no text layer; use method=ocr or auto.`);
    await inspectImage(input.path, input.filename, input.mime);
    await checkLanguage(o.language);
    o.progress?.(0, 'OCR');
    const r = await ocrImage(input.path, `${o.workDir}/image-ocr`, o.language, { signal: o.signal, timeoutMs: o.timeoutMs });
    return summarise(input, [{ page: 1, text: r.text, method: 'ocr', confidence: r.confidence }], 'ocr', o.language);
  }
  if (input.mime === DOCX) {
    await inspectZip(input.path, input.filename);
    const { default: mammoth } = await import('mammoth'); // loaded at the first .docx, not with the service
    const r = await mammoth.extractRawText({ path: input.path }).catch((err: unknown) => {
      throw new Problem('DOCUMENT_INVALID', `"${input.filename}" is not a readable DOCX: ${(err as Error).message.slice(0, 200)}`);
    });
    return summarise(input, [{ page: 1, text: r.value.trim(), method: 'docx' }], 'docx', null);
  }
  if (input.mime === 'text/plain') {
    return summarise(input, [{ page: 1, text: (await readFile(input.path, 'utf8')).trim(), method: 'text' }], 'text', null);
  }
  throw new Problem('UPLOAD_TYPE_REJECTED', `"${input.filename}" is ${input.mime}; text can be extracted from PDF, DOCX, plain text and images.`);
}
