// Regression (issue 15, item 13): once a process had rendered a few dozen documents, every later
// PDF read back with letters missing ("Alpha Beta" as "lpha Beta"), because the fonts shared by all
// documents came to label Latin glyphs with no characters. A fresh module graph per test file
// makes this run start cold, with the scripts whose glyphs are built from Latin ones first.
import { afterAll, describe, expect, it } from 'vitest';
import { renderPdf } from '../../../src/services/document/render.js';
import { makeTempDir } from '../../helpers.js';
import { pdftotext } from '../../support/document-fixtures.js';
import { renderSample, sample, unreadWords } from '../../support/text-layer.js';

const tmp = makeTempDir('pitchey-doc-warm-');
afterAll(() => tmp.remove());

describe('text layer of a warm process', () => {
  it('keeps every word of four dozen documents in four scripts and four templates', async () => {
    const lost: string[] = [];
    for (let i = 0; i < 48; i++) {
      const unread = unreadWords(await renderSample(i, renderPdf), sample(i).words, tmp.dir);
      if (unread.length > 0) lost.push(`document ${i} (${sample(i).request.template}): ${unread.join(' ')}`);
    }
    expect(lost).toEqual([]);
    expect(pdftotext(await renderPdf({ title: 'Alpha Beta', date: new Date(0), blocks: [] }), tmp.dir)).toContain('Alpha Beta');
  });
});
