// Text or image watermark on all or selected pages: any rotation (the text turns about its own
// centre, so 45° lands where asked), opacity, size, colour, one of nine positions or tiled.
import { readFileSync } from 'node:fs';
import { degrees, rgb, type PDFDocument, type PDFFont, type PDFImage, type PDFPage } from 'pdf-lib';
import { Problem, invalidField } from '../../kit/index.js';
import { SAVE } from './pdf-ops.js';
import { FONT_DIR, FONT_FILES } from './shared-fonts.js';

export const POSITIONS = ['center', 'top-left', 'top', 'top-right', 'left', 'right', 'bottom-left', 'bottom', 'bottom-right', 'tiled'] as const;
export type Position = (typeof POSITIONS)[number];

/** Distance kept between a mark and the page edge. */
const MARGIN = 24;

export interface WatermarkSpec {
  text?: string;
  image?: { bytes: Buffer; mime: 'image/png' | 'image/jpeg' };
  /** Width of the image as a share of the page width. */
  imageScale: number;
  opacity: number;
  rotation: number;
  fontSize: number;
  color: { r: number; g: number; b: number };
  position: Position;
  /** 0-based page indices; null = all pages. */
  pages: number[] | null;
}

const FONT_PATH = `${FONT_DIR}/${FONT_FILES.bold}`;
let fontBytes: Buffer | null = null;

export function parseColor(value: string): WatermarkSpec['color'] {
  const m = /^#?([0-9a-f]{6})$/i.exec(value.trim());
  if (m === null) throw invalidField('body/color', `must be a hex colour such as #808080 (got "${value.slice(0, 40)}")`);
  const n = parseInt(m[1] ?? '0', 16);
  return { r: ((n >> 16) & 255) / 255, g: ((n >> 8) & 255) / 255, b: (n & 255) / 255 };
}

/** Where the centre of the mark goes for a position, with a margin from the edges. */
function anchor(page: PDFPage, position: Position, half: { w: number; h: number }, pageRotation: number): { x: number; y: number } {
  const { width, height } = page.getSize();
  const m = MARGIN;
  // The position as the reader sees the page, turned back into the page's own (unrotated) space.
  let dx = position.endsWith('left') ? -1 : position.endsWith('right') ? 1 : 0;
  let dy = position.startsWith('top') ? 1 : position.startsWith('bottom') ? -1 : 0;
  for (let r = 0; r < pageRotation; r += 90) [dx, dy] = [-dy, dx];
  const x = dx < 0 ? m + half.w : dx > 0 ? width - m - half.w : width / 2;
  const y = dy > 0 ? height - m - half.h : dy < 0 ? m + half.h : height / 2;
  return { x, y };
}

/** A page's /Rotate as 0, 90, 180 or 270 (clockwise, as displayed). */
function pageRotationOf(page: PDFPage): number {
  const angle = ((page.getRotation().angle % 360) + 360) % 360;
  return angle - (angle % 90);
}

/** Half the extent of a w×h box turned by `rad` (so corner positions keep the mark on the page). */
function rotatedHalf(w: number, h: number, rad: number): { w: number; h: number } {
  const c = Math.abs(Math.cos(rad));
  const s = Math.abs(Math.sin(rad));
  return { w: (w * c + h * s) / 2, h: (w * s + h * c) / 2 };
}

/** Draws a w×h mark centred on (cx, cy), turned by `rotation` degrees about that centre. */
function placeAt(cx: number, cy: number, w: number, h: number, rotation: number): { x: number; y: number } {
  const rad = (rotation * Math.PI) / 180;
  return { x: cx - (w / 2) * Math.cos(rad) + (h / 2) * Math.sin(rad), y: cy - (w / 2) * Math.sin(rad) - (h / 2) * Math.cos(rad) };
}

function centres(page: PDFPage, spec: WatermarkSpec, w: number, h: number): Array<{ x: number; y: number }> {
  const rad = (spec.rotation * Math.PI) / 180;
  const half = rotatedHalf(w, h, rad);
  if (spec.position !== 'tiled') return [anchor(page, spec.position, half, pageRotationOf(page))];
  const { width, height } = page.getSize();
  const stepX = Math.max(half.w * 2 + 48, 96);
  const stepY = Math.max(half.h * 2 + 48, 96);
  const out: Array<{ x: number; y: number }> = [];
  for (let y = stepY / 2; y < height + stepY / 2 && out.length < 400; y += stepY) {
    for (let x = stepX / 2; x < width + stepX / 2 && out.length < 400; x += stepX) out.push({ x, y });
  }
  return out;
}

/** The font size at which the turned text fits the page (the requested size is the most). */
function fittedSize(page: PDFPage, font: PDFFont, text: string, spec: WatermarkSpec): number {
  if (spec.position === 'tiled') return spec.fontSize;
  const half = rotatedHalf(font.widthOfTextAtSize(text, spec.fontSize), font.heightAtSize(spec.fontSize, { descender: false }), (spec.rotation * Math.PI) / 180);
  const { width, height } = page.getSize();
  return spec.fontSize * Math.min(1, (width - 2 * MARGIN) / (2 * half.w), (height - 2 * MARGIN) / (2 * half.h));
}

function drawText(page: PDFPage, font: PDFFont, text: string, spec: WatermarkSpec): void {
  const size = fittedSize(page, font, text, spec);
  const w = font.widthOfTextAtSize(text, size);
  const h = font.heightAtSize(size, { descender: false });
  for (const c of centres(page, spec, w, h)) {
    const at = placeAt(c.x, c.y, w, h, spec.rotation);
    page.drawText(text, { ...at, size, font, color: rgb(spec.color.r, spec.color.g, spec.color.b), opacity: spec.opacity, rotate: degrees(spec.rotation) });
  }
}

function drawImage(page: PDFPage, image: PDFImage, spec: WatermarkSpec): void {
  const w = page.getSize().width * spec.imageScale;
  const h = (w * image.height) / image.width;
  for (const c of centres(page, spec, w, h)) {
    const at = placeAt(c.x, c.y, w, h, spec.rotation);
    page.drawImage(image, { ...at, width: w, height: h, opacity: spec.opacity, rotate: degrees(spec.rotation) });
  }
}

export async function watermarkPdf(doc: PDFDocument, spec: WatermarkSpec): Promise<Buffer> {
  const pages = doc.getPages();
  const chosen = spec.pages ?? pages.map((_, i) => i);
  let font: PDFFont | null = null;
  if (spec.text !== undefined) {
    // Loaded here, not with the service: its Unicode tables take ~0.1 s of CPU to unpack.
    doc.registerFontkit((await import('@pdf-lib/fontkit')).default);
    fontBytes ??= readFileSync(FONT_PATH);
    font = await doc.embedFont(fontBytes, { subset: true });
    const missing = [...spec.text].filter((ch) => !font?.getCharacterSet().includes(ch.codePointAt(0) ?? 0));
    if (missing.length > 0) throw new Problem('UNPROCESSABLE', `The watermark font has no glyph for ${[...new Set(missing)].map((c) => `"${c}"`).join(', ')}.`);
  }
  const image = spec.image === undefined ? null : spec.image.mime === 'image/png' ? await doc.embedPng(spec.image.bytes) : await doc.embedJpg(spec.image.bytes);
  for (const i of chosen) {
    const page = pages[i];
    if (page === undefined) continue;
    // A page shown turned by /Rotate gets its mark turned the same way, so readers see the angle asked for.
    const onPage = { ...spec, rotation: spec.rotation + pageRotationOf(page) };
    if (image !== null) drawImage(page, image, onPage);
    if (font !== null && spec.text !== undefined) drawText(page, font, spec.text, onPage);
  }
  return Buffer.from(await doc.save(SAVE));
}
