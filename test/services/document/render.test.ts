// The typesetter's handling of what it is given: decomposed text is set (and reads back) as its
// composed form, and right-to-left scripts, which it cannot order, are refused by name.
import { afterAll, describe, expect, it } from 'vitest';
import { Problem } from '../../../src/kit/index.js';
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
    const lines = pdftotext(await renderPdf(doc(title.normalize('NFD'), text.normalize('NFD'))), tmp.dir)
      .split('\n')
      .filter((l) => l.trim() !== '');
    expect(lines.slice(0, 3)).toEqual([title, text, text]);
  });

  it.each([
    ['Arabic', 'محمد عبد الله'],
    ['Hebrew', 'דוד בן גוריון'],
  ])('refuses %s text with a 422 naming the script, rather than printing it in the wrong order', async (script, name) => {
    let err: unknown;
    try {
      await renderPdf(doc('Agreement', `Signed by ${name}.`));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(Problem);
    const problem = err as Problem;
    expect([problem.status, problem.code]).toEqual([422, 'UNPROCESSABLE']);
    expect(problem.message).toContain(script);
    expect(problem.extensions).toMatchObject({ unsupported_scripts: [script] });
  });
});
