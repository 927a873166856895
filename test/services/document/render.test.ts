// The typesetter's handling of what it is given: decomposed text is set (and reads back) as its
// composed form.
import { afterAll, describe, expect, it } from 'vitest';
import { renderPdf, type DocSpec } from '../../../src/services/document/render.js';
import { makeTempDir } from '../../helpers.js';
import { pdftotext } from '../../support/document-fixtures.js';

const tmp = makeTempDir('pitchey-doc-render-');
afterAll(() => tmp.remove());

const doc = (title: string, text: string): DocSpec => ({ title, date: new Date(0), blocks: [{ type: 'paragraph', text }], footer: text });

describe('renderPdf', () => {
  it('sets decomposed (NFD) Vietnamese as NFC, and its text layer reads back equal to the NFC input', async () => {
    const [title, text] = ['Nguyễn Thị Ánh Hồng', 'Ếch ngồi đáy giếng ở Thành phố Hồ Chí Minh'];
    expect(text.normalize('NFD')).not.toBe(text);
    const lines = pdftotext(await renderPdf(doc(title.normalize('NFD'), text.normalize('NFD'))), tmp.dir).split('\n').filter((l) => l.trim() !== '');
    expect(lines.slice(0, 3)).toEqual([title, text, text]);
  });
});
