// OCR with the tesseract CLI: one run per page gives both the text and the words' confidences
// (txt + tsv outputs); PDF pages are rendered at 300 DPI by pdftoppm first.
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Problem, runProcess } from '../../kit/index.js';
import { MAX_IMAGE_PIXELS } from './inspect.js';

export const OCR_DPI = 300;
const LANG = /^[A-Za-z_]{3,32}(\+[A-Za-z_]{3,32}){0,4}$/;

let installed: Promise<string[]> | null = null;

/** Languages whose traineddata is installed (osd excluded: it is not a language). */
export function installedLanguages(): Promise<string[]> {
  installed ??= runProcess('tesseract', ['--list-langs'], { timeoutMs: 10_000 }).then((r) => {
    if (r.spawnError !== null) {
      installed = null;
      return [];
    }
    return `${r.stdout.toString('utf8')}\n${r.stderr}`
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => /^[A-Za-z_]+$/.test(l) && l !== 'osd');
  });
  return installed;
}

/** `eng`, `eng+deu`: every part must be installed, else a 422 listing what is. */
export async function checkLanguage(language: string): Promise<void> {
  const langs = await installedLanguages();
  if (langs.length === 0) throw new Problem('DEPENDENCY_MISSING', 'tesseract is not installed (apt-get install tesseract-ocr); OCR is unavailable.');
  const missing = LANG.test(language) ? language.split('+').filter((l) => !langs.includes(l)) : [language];
  if (missing.length > 0) {
    throw new Problem('LANGUAGE_UNAVAILABLE', `OCR language ${missing.map((m) => `"${m}"`).join(', ')} is not installed; installed: ${langs.join(', ')}.`, { extensions: { installed: langs } });
  }
}

export interface OcrPage {
  text: string;
  confidence: number | null;
  words: number;
}

/** Mean confidence of the recognised words (tesseract's tsv level-5 rows). */
export function meanConfidence(tsv: string): { confidence: number | null; words: number } {
  let sum = 0;
  let n = 0;
  for (const line of tsv.split('\n').slice(1)) {
    const cols = line.split('\t');
    if (cols[0] !== '5' || (cols[11] ?? '').trim() === '') continue;
    const conf = Number(cols[10]);
    if (Number.isFinite(conf) && conf >= 0) {
      sum += conf;
      n++;
    }
  }
  return { confidence: n === 0 ? null : Math.round((sum / n) * 10) / 10, words: n };
}

function failure(tool: string, run: { timedOut: boolean; aborted: boolean; stderr: string; exitCode: number | null }): Problem {
  if (run.timedOut || run.aborted) return new Problem('DOCUMENT_TOO_COMPLEX', `${tool} ran past the OCR time limit.`);
  return new Problem('DOCUMENT_INVALID', `${tool} could not read the input (exit ${run.exitCode}): ${run.stderr.trim().split('\n').at(-1)?.slice(0, 200) ?? ''}`);
}

/** Recognises one image file. */
export async function ocrImage(image: string, outBase: string, language: string, opts: { signal?: AbortSignal | undefined; timeoutMs: number }): Promise<OcrPage> {
  const run = await runProcess('tesseract', [image, outBase, '-l', language, 'txt', 'tsv'], { timeoutMs: opts.timeoutMs, signal: opts.signal });
  try {
    if (run.spawnError !== null) throw new Problem('DEPENDENCY_MISSING', 'tesseract is not installed (apt-get install tesseract-ocr).');
    if (run.exitCode !== 0) throw failure('tesseract', run);
    const [text, tsv] = await Promise.all([readFile(`${outBase}.txt`, 'utf8'), readFile(`${outBase}.tsv`, 'utf8')]);
    return { text: text.replace(/\f/g, '').trim(), ...meanConfidence(tsv) };
  } finally {
    await Promise.all([rm(`${outBase}.txt`, { force: true }), rm(`${outBase}.tsv`, { force: true })]);
  }
}

/** Renders PDF page `page` (1-based) at 300 DPI (grey) and recognises it; the raster is removed after. */
export async function ocrPdfPage(
  pdf: string,
  page: number,
  size: { width: number; height: number } | undefined,
  dir: string,
  language: string,
  opts: { signal?: AbortSignal | undefined; timeoutMs: number },
): Promise<OcrPage> {
  if (size !== undefined && ((size.width * OCR_DPI) / 72) * ((size.height * OCR_DPI) / 72) > MAX_IMAGE_PIXELS) {
    throw new Problem('DOCUMENT_TOO_COMPLEX', `Page ${page} measures ${Math.round(size.width)}x${Math.round(size.height)} pt; at ${OCR_DPI} DPI it would exceed ${MAX_IMAGE_PIXELS / 1e6} megapixels.`);
  }
  const prefix = join(dir, `page-${page}`);
  const image = `${prefix}.png`;
  try {
    const render = await runProcess('pdftoppm', ['-r', String(OCR_DPI), '-gray', '-png', '-singlefile', '-f', String(page), '-l', String(page), pdf, prefix], {
      timeoutMs: opts.timeoutMs,
      signal: opts.signal,
    });
    if (render.spawnError !== null) throw new Problem('DEPENDENCY_MISSING', 'pdftoppm (poppler-utils) is not installed.');
    if (render.exitCode !== 0) throw failure('pdftoppm', render);
    return await ocrImage(image, `${prefix}-ocr`, language, opts);
  } finally {
    await rm(image, { force: true });
  }
}
