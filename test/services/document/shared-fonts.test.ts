// Font programs are encoded and compressed once per glyph set and written compressed into every
// later document: the embedded font must still be a whole TrueType program behind a correct
// /Length and /FlateDecode, and documents must come out byte for byte as before.
import { inflateSync } from 'node:zlib';
import * as fontkit from 'fontkit';
import { describe, expect, it } from 'vitest';
import { ndaSpec } from '../../../src/services/document/layouts.js';
import { renderPdf } from '../../../src/services/document/render.js';

const spec = ndaSpec({ date: '2025-03-14', disclosing_party: 'Zoë Ångström Films Ltd', receiving_party: 'José Núñez of Łódź', purpose: 'Evaluation', term: '5 years' });

/** The raw bytes of each /FontFile2 stream, with its dictionary. */
function fontFiles(pdf: Buffer): Array<{ dict: string; bytes: Buffer }> {
  const text = pdf.toString('latin1');
  return [...text.matchAll(/\/FontFile2 (\d+) 0 R/g)].map(([, id]) => {
    const start = text.indexOf(`\n${id} 0 obj\n`);
    const dictEnd = text.indexOf('stream\n', start);
    const dict = text.slice(start, dictEnd);
    const length = Number(/\/Length (\d+)/.exec(dict)?.[1]);
    return { dict, bytes: pdf.subarray(dictEnd + 'stream\n'.length, dictEnd + 'stream\n'.length + length) };
  });
}

describe('shared font programs', () => {
  it('writes the reused compressed program as a whole TrueType font, and the same bytes each time', async () => {
    const first = await renderPdf(spec);
    const again = await renderPdf(spec);
    expect(again.equals(first)).toBe(true);
    const files = fontFiles(again);
    expect(files).toHaveLength(2); // regular and bold
    for (const { dict, bytes } of files) {
      expect(dict).toContain('/Filter /FlateDecode');
      const program = inflateSync(bytes);
      expect(['00010000', '74727565']).toContain(program.subarray(0, 4).toString('hex')); // a TrueType sfnt (1.0 or 'true')
      const font = fontkit.create(program) as unknown as { numGlyphs: number };
      expect(font.numGlyphs).toBeGreaterThan(40); // the NDA's letters, digits and punctuation
    }
  });
});
