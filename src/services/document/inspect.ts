// Untrusted input is looked at before anything heavy touches it: a PDF through pdfinfo under a
// deadline (encrypted, damaged, too many pages, pathological object graphs), an image through
// its header only (declared dimensions, so a decompression bomb is refused before decoding).
import { open } from 'node:fs/promises';
import { Problem, formatBytes, runProcess } from '../../kit/index.js';

export interface PdfInfo {
  pages: number;
  pageSizes: Array<{ width: number; height: number }>;
}

const INSPECT_TIMEOUT_MS = 10_000;

/** Reads page count and page sizes; refuses encrypted, damaged or oversized PDFs with a 422. */
export async function inspectPdf(path: string, filename: string, maxPages: number, opts: { sizes?: boolean } = {}): Promise<PdfInfo> {
  const head = await readHead(path, 1024);
  if (!head.includes('%PDF-')) throw new Problem('DOCUMENT_INVALID', `"${filename}" is not a PDF (no %PDF header).`);
  const run = await runProcess('pdfinfo', [path], { timeoutMs: INSPECT_TIMEOUT_MS, maxStdoutBytes: 1024 * 1024 });
  if (run.spawnError !== null) throw new Problem('DEPENDENCY_MISSING', 'pdfinfo (poppler-utils) is not installed.');
  if (run.timedOut) throw new Problem('DOCUMENT_TOO_COMPLEX', `"${filename}" could not be read within ${INSPECT_TIMEOUT_MS / 1000} s; its structure is too complex.`);
  const out = run.stdout.toString('utf8');
  if (/Incorrect password/i.test(run.stderr) || /^Encrypted:\s+yes/m.test(out)) {
    throw new Problem('DOCUMENT_ENCRYPTED', `"${filename}" is encrypted; remove the password or encryption and send it again.`);
  }
  const pages = Number(/^Pages:\s+(\d+)/m.exec(out)?.[1] ?? NaN);
  if (run.exitCode !== 0 || !Number.isInteger(pages)) {
    const reason =
      run.stderr
        .split('\n')
        .find((l) => l.trim() !== '')
        ?.trim() ?? 'unreadable';
    throw new Problem('DOCUMENT_INVALID', `"${filename}" is a damaged PDF: ${reason.slice(0, 200)}.`);
  }
  if (pages < 1) throw new Problem('DOCUMENT_INVALID', `"${filename}" has no pages.`);
  if (pages > maxPages) {
    throw new Problem('DOCUMENT_TOO_COMPLEX', `"${filename}" has ${pages} pages; at most ${maxPages} are accepted.`, { extensions: { pages, max_pages: maxPages } });
  }
  return { pages, pageSizes: opts.sizes === true ? await pageSizes(path, pages) : [] };
}

async function pageSizes(path: string, pages: number): Promise<PdfInfo['pageSizes']> {
  const run = await runProcess('pdfinfo', ['-f', '1', '-l', String(pages), path], { timeoutMs: INSPECT_TIMEOUT_MS, maxStdoutBytes: 4 * 1024 * 1024 });
  const sizes: PdfInfo['pageSizes'] = [];
  for (const m of run.stdout.toString('utf8').matchAll(/^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts/gm)) sizes.push({ width: Number(m[1]), height: Number(m[2]) });
  return sizes;
}

async function readHead(path: string, bytes: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await fh.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** The largest raster we agree to decode (OCR at 300 DPI of an A3 page is ~17 MP). */
export const MAX_IMAGE_PIXELS = 60_000_000;
export const MAX_IMAGE_SIDE = 30_000;

function jpegSize(b: Buffer): { width: number; height: number } | null {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) {
      i++;
      continue;
    }
    const marker = b[i + 1] ?? 0;
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      i += 2;
      continue;
    }
    const len = b.readUInt16BE(i + 2);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) return { height: b.readUInt16BE(i + 5), width: b.readUInt16BE(i + 7) };
    i += 2 + len;
  }
  return null;
}

function tiffSize(b: Buffer): { width: number; height: number } | null {
  const le = b.toString('latin1', 0, 2) === 'II';
  const u16 = (o: number): number => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
  const u32 = (o: number): number => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const ifd = u32(4);
  if (ifd + 2 > b.length) return null;
  const size = { width: 0, height: 0 };
  for (let n = 0, count = u16(ifd); n < count && ifd + 2 + n * 12 + 12 <= b.length; n++) {
    const e = ifd + 2 + n * 12;
    const tag = u16(e);
    const value = u16(e + 2) === 3 ? u16(e + 8) : u32(e + 8);
    if (tag === 256) size.width = value;
    if (tag === 257) size.height = value;
  }
  return size.width > 0 && size.height > 0 ? size : null;
}

/** Declared dimensions from the header of a PNG, JPEG, BMP or TIFF (null when not found). */
export function imageSize(head: Buffer, mime: string): { width: number; height: number } | null {
  if (head.length < 32) return null;
  if (mime === 'image/png') return { width: head.readUInt32BE(16), height: head.readUInt32BE(20) };
  if (mime === 'image/jpeg') return jpegSize(head);
  if (mime === 'image/bmp') return { width: Math.abs(head.readInt32LE(18)), height: Math.abs(head.readInt32LE(22)) };
  if (mime === 'image/tiff') return tiffSize(head);
  return null;
}

/** Refuses an image whose header declares more pixels than we decode, before decoding it. */
export async function inspectImage(path: string, filename: string, mime: string): Promise<{ width: number; height: number }> {
  const size = imageSize(await readHead(path, 256 * 1024), mime);
  if (size === null) throw new Problem('DOCUMENT_INVALID', `"${filename}" has no readable ${mime} header with its dimensions.`);
  if (size.width < 1 || size.height < 1 || size.width > MAX_IMAGE_SIDE || size.height > MAX_IMAGE_SIDE || size.width * size.height > MAX_IMAGE_PIXELS) {
    throw new Problem(
      'DOCUMENT_TOO_COMPLEX',
      `"${filename}" declares ${size.width}x${size.height} pixels; at most ${MAX_IMAGE_PIXELS / 1e6} megapixels (and ${MAX_IMAGE_SIDE} per side) are decoded.`,
      { extensions: { width: size.width, height: size.height } },
    );
  }
  return size;
}

/** Most a DOCX may unpack to: its parts are read into memory by the DOCX reader. */
export const MAX_UNZIPPED_BYTES = 256 * 1024 * 1024;

/** Sums the uncompressed sizes a ZIP's central directory declares; refuses a zip bomb before unpacking. */
export async function inspectZip(path: string, filename: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    const tailLen = Math.min(size, 65_557);
    const tail = Buffer.alloc(tailLen);
    await fh.read(tail, 0, tailLen, size - tailLen);
    const eocd = tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    if (eocd < 0) throw new Problem('DOCUMENT_INVALID', `"${filename}" is not a readable DOCX (no ZIP directory).`);
    const entries = tail.readUInt16LE(eocd + 10);
    const dirSize = tail.readUInt32LE(eocd + 12);
    const dirOffset = tail.readUInt32LE(eocd + 16);
    if (entries === 0xffff || dirOffset === 0xffffffff || dirOffset + dirSize > size || dirSize > 16 * 1024 * 1024) {
      throw new Problem('DOCUMENT_TOO_COMPLEX', `"${filename}" uses a ZIP layout (ZIP64 or an oversized directory) this reader does not unpack.`);
    }
    const dir = Buffer.alloc(dirSize);
    await fh.read(dir, 0, dirSize, dirOffset);
    let total = 0;
    for (let i = 0, at = 0; i < entries && at + 46 <= dir.length; i++) {
      if (dir.readUInt32LE(at) !== 0x02014b50) throw new Problem('DOCUMENT_INVALID', `"${filename}" has a damaged ZIP directory.`);
      total += dir.readUInt32LE(at + 24);
      at += 46 + dir.readUInt16LE(at + 28) + dir.readUInt16LE(at + 30) + dir.readUInt16LE(at + 32);
    }
    if (total > MAX_UNZIPPED_BYTES) {
      throw new Problem('DOCUMENT_TOO_COMPLEX', `"${filename}" would unpack to ${formatBytes(total)}; at most ${formatBytes(MAX_UNZIPPED_BYTES)} are read.`, { extensions: { unpacked_bytes: total } });
    }
  } finally {
    await fh.close();
  }
}
