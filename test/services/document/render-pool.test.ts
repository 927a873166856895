// The render pool on real worker threads, running the compiled worker that production runs (built
// here first when dist/ is missing or older than the sources; a thread cannot load TypeScript):
// concurrent renders come back whole and identical to an in-thread render, a render that fails in
// its thread fails alone, and warm threads keep every word in the text layer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ndaSpec } from '../../../src/services/document/layouts.js';
import { createRenderPool, type RenderPool } from '../../../src/services/document/render-pool.js';
import { renderPdf, type DocSpec } from '../../../src/services/document/render.js';
import { makeTempDir } from '../../helpers.js';
import { builtFile } from '../../support/build.js';
import { renderSample, sample, unreadWords } from '../../support/text-layer.js';

const tmp = makeTempDir('pitchey-doc-pool-');
let threads: RenderPool | undefined;
beforeAll(() => {
  threads = createRenderPool(2, builtFile('services/document/render-worker.js'));
  // The pool renders in-thread when it finds no worker: that must fail here, never pass quietly.
  if (threads.threads !== 2) throw new Error('the render pool found no compiled worker and fell back to rendering in-thread');
}, 180_000);
afterAll(async () => {
  tmp.remove();
  await threads?.close();
});
const pool = (): RenderPool => threads ?? expect.unreachable('the render pool did not start');

const nda = (i: number): DocSpec => ndaSpec({ date: '2025-03-14', disclosing_party: `Studio ${i} — Zoë Ångström`, receiving_party: 'José Núñez of Łódź', purpose: 'Evaluation', term: '5 years' });

describe('render pool (worker threads)', () => {
  it('runs on threads and renders concurrent documents exactly as in-thread', async () => {
    const specs = Array.from({ length: 6 }, (_, i) => nda(i));
    const threaded = await Promise.all(specs.map((s) => pool().render(s)));
    for (const [i, pdf] of threaded.entries()) expect(pdf.equals(await renderPdf(specs[i] as DocSpec))).toBe(true);
  });

  it('fails only the render whose thread could not typeset it, and keeps serving', async () => {
    const broken = { ...nda(0), blocks: [{ type: 'table', rows: 'not rows' }] } as unknown as DocSpec;
    const [bad, good] = await Promise.allSettled([pool().render(broken), pool().render(nda(1))]);
    expect(bad.status).toBe('rejected');
    expect(good.status).toBe('fulfilled');
    expect((await pool().render(nda(2))).subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('keeps every word in the text layer of four dozen documents from warm threads', async () => {
    const lost: string[] = [];
    // Two at a time, so that both threads warm up on the mix of scripts and templates.
    for (let i = 0; i < 48; i += 2) {
      const pdfs = await Promise.all([i, i + 1].map((n) => renderSample(n, (spec) => pool().render(spec))));
      for (const [j, pdf] of pdfs.entries()) {
        const unread = unreadWords(pdf, sample(i + j).words, tmp.dir);
        if (unread.length > 0) lost.push(`document ${i + j} (${sample(i + j).request.template}): ${unread.join(' ')}`);
      }
    }
    expect(lost).toEqual([]);
  });
});
