// The embedded fonts, shared by every document a process renders: DejaVu parsed once, word
// shaping cached across documents, and each font program (the subset of glyphs a document
// embeds) encoded and compressed once per glyph set. pdfkit would redo all three per document.
import { readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import * as fontkit from 'fontkit';
import type { Font, Glyph } from 'fontkit';

export const FONT_DIR = process.env.PITCHEY_FONT_DIR ?? '/usr/share/fonts/truetype/dejavu';
export const FONT_FILES = { regular: 'DejaVuSans.ttf', bold: 'DejaVuSans-Bold.ttf' } as const;
type FontName = keyof typeof FONT_FILES;

/**
 * The fonts, parsed once per process and shared by every document (parsing DejaVu costs ~40 ms).
 * A subset's encoding depends only on its glyph list, so encoded subsets are memoised: documents
 * that use the same characters (every NDA) skip re-encoding the font program.
 */
let fontCache: Record<FontName, Font> | null = null;
/** Encoded font programs (as the subset memo hands them out), with their deflated form once made. */
const fontPrograms = new WeakMap<Uint8Array, Buffer | null>();
const SUBSET_CACHE_MAX = 256;
function sharedFont(path: string): Font {
  const font = labelGlyphsAsAsked(fontkit.create(readFileSync(path)));
  const encoded = new Map<string, Uint8Array>();
  const createSubset = font.createSubset.bind(font);
  font.createSubset = () => {
    const subset = createSubset();
    const encode = subset.encode.bind(subset);
    subset.encode = () => {
      const key = subset.glyphs.join(',');
      let bytes = encoded.get(key);
      if (bytes === undefined) {
        bytes = encode();
        fontPrograms.set(bytes, null);
        if (encoded.size >= SUBSET_CACHE_MAX) encoded.delete(encoded.keys().next().value as string);
        encoded.set(key, bytes);
      }
      return bytes;
    };
    return subset;
  };
  return font;
}
/**
 * fontkit keeps one Glyph per id for the life of a Font, labelled with the characters of whoever
 * asked for it first, and pdfkit's ToUnicode map copies that label. A font made per document never
 * notices; a shared one does: the subsetter and outline decoder ask for the components of composite
 * glyphs with no characters (Cyrillic "А" and "Ё" are drawn from Latin "A" and "E"), and every later
 * document's "A" then read back as nothing. So a glyph asked for with characters comes out labelled
 * with exactly those; it shares the cached glyph's outline and metrics.
 */
function labelGlyphsAsAsked(font: Font): Font {
  const getGlyph = font.getGlyph.bind(font);
  font.getGlyph = (id, codePoints = []) => {
    const glyph = getGlyph(id, codePoints);
    if (codePoints.length === 0 || sameCodePoints(glyph.codePoints, codePoints)) return glyph;
    return Object.create(glyph, {
      codePoints: { value: codePoints },
      isMark: { value: codePoints.every((cp) => /\p{M}/u.test(String.fromCodePoint(cp))) },
      isLigature: { value: codePoints.length > 1 },
    }) as Glyph;
  };
  return font;
}
const sameCodePoints = (a: number[], b: number[]): boolean => a.length === b.length && a.every((cp, i) => cp === b[i]);

function fonts(): Record<FontName, Font> {
  fontCache ??= { regular: sharedFont(`${FONT_DIR}/${FONT_FILES.regular}`), bold: sharedFont(`${FONT_DIR}/${FONT_FILES.bold}`) };
  return fontCache;
}

/**
 * Shaping a word (OpenType substitution and positioning) is most of the cost of a page, and its
 * result depends only on the font and the word, so one bounded cache per font serves every
 * document (pdfkit's own cache lives and dies with each document).
 */
function boundedCache(max: number): Record<string, unknown> {
  let store: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  let size = 0;
  return new Proxy(Object.create(null) as Record<string, unknown>, {
    get: (_t, key) => (typeof key === 'string' ? store[key] : undefined),
    set: (_t, key, value) => {
      if (typeof key !== 'string') return false;
      if (size >= max) {
        store = Object.create(null) as Record<string, unknown>;
        size = 0;
      }
      if (!(key in store)) size++;
      store[key] = value;
      return true;
    },
  });
}
const layoutCaches: Record<FontName, Record<string, unknown>> = { regular: boundedCache(20_000), bold: boundedCache(20_000) };

export function useSharedFonts(doc: PDFKit.PDFDocument): void {
  reuseCompressedFontPrograms(doc);
  const f = fonts();
  for (const name of ['bold', 'regular'] as const) {
    doc.registerFont(name, f[name] as never);
    doc.font(name);
    (doc as unknown as { _font: { layoutCache: unknown } })._font.layoutCache = layoutCaches[name];
  }
}

/** Code points the embedded fonts cannot draw (they would print as "?" or a box). */
const coverage = new Map<number, boolean>();
export function hasGlyph(cp: number): boolean {
  let known = coverage.get(cp);
  if (known === undefined) {
    known = fonts().regular.hasGlyphForCodePoint(cp) && fonts().bold.hasGlyphForCodePoint(cp);
    if (coverage.size < 100_000) coverage.set(cp, known);
  }
  return known;
}

interface StreamRef {
  compress: boolean;
  data: Record<string, unknown>;
  write(chunk: Uint8Array): void;
  end(chunk?: Uint8Array): void;
}

/**
 * pdfkit writes a font program through `doc.ref().end(bytes)` and deflates it there; a program
 * this module has already compressed is written as its deflated bytes with the filter set. Both
 * ways produce the same bytes (zlib's defaults on the same input), at a fifth of an NDA's cost.
 */
function reuseCompressedFontPrograms(doc: PDFKit.PDFDocument): void {
  const own = doc as unknown as { ref(data?: object): StreamRef };
  const ref = own.ref.bind(own);
  own.ref = (data) => {
    const stream = ref(data);
    const end = stream.end.bind(stream);
    stream.end = (chunk) => {
      if (chunk === undefined || !stream.compress || !fontPrograms.has(chunk)) {
        end(chunk);
        return;
      }
      const deflated = fontPrograms.get(chunk) ?? deflateSync(chunk);
      fontPrograms.set(chunk, deflated);
      stream.compress = false;
      stream.write(deflated); // before the filter: the dictionary's keys keep pdfkit's order
      stream.data.Filter = 'FlateDecode';
      end();
    };
    return stream;
  };
}
