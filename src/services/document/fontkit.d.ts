// The few parts of fontkit (pdfkit's own font engine) this service uses.
declare module 'fontkit' {
  export interface Subset {
    glyphs: number[];
    encode(): Uint8Array;
  }
  export interface Glyph {
    id: number;
    codePoints: number[];
    isMark: boolean;
    isLigature: boolean;
  }
  export interface Font {
    getGlyph(id: number, codePoints?: number[]): Glyph;
    hasGlyphForCodePoint(codePoint: number): boolean;
    createSubset(): Subset;
    layout(text: string): unknown;
  }
  export function create(buffer: Uint8Array, postscriptName?: string): Font;
}
