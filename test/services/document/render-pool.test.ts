// The render pool on real worker threads (the compiled worker from `npm run build`; tests run from
// sources, where the service falls back to rendering in-thread): concurrent renders come back whole
// and identical to an in-thread render, and a render that fails in its thread fails alone.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ndaSpec } from '../../../src/services/document/layouts.js';
import { createRenderPool } from '../../../src/services/document/render-pool.js';
import { renderPdf, type DocSpec } from '../../../src/services/document/render.js';

const BUILT_WORKER = new URL('../../../dist/services/document/render-worker.js', import.meta.url);
const pool = createRenderPool(2, BUILT_WORKER);
afterAll(() => pool.close());

const nda = (i: number): DocSpec => ndaSpec({ date: '2025-03-14', disclosing_party: `Studio ${i} — Zoë Ångström`, receiving_party: 'José Núñez of Łódź', purpose: 'Evaluation', term: '5 years' });

describe.runIf(existsSync(fileURLToPath(BUILT_WORKER)))('render pool (worker threads)', () => {
  it('runs on threads and renders concurrent documents exactly as in-thread', async () => {
    expect(pool.threads).toBe(2);
    const specs = Array.from({ length: 6 }, (_, i) => nda(i));
    const threaded = await Promise.all(specs.map((s) => pool.render(s)));
    for (const [i, pdf] of threaded.entries()) expect(pdf.equals(await renderPdf(specs[i] as DocSpec))).toBe(true);
  });

  it('fails only the render whose thread could not typeset it, and keeps serving', async () => {
    const broken = { ...nda(0), blocks: [{ type: 'table', rows: 'not rows' }] } as unknown as DocSpec;
    const [bad, good] = await Promise.allSettled([pool.render(broken), pool.render(nda(1))]);
    expect(bad.status).toBe('rejected');
    expect(good.status).toBe('fulfilled');
    expect((await pool.render(nda(2))).subarray(0, 5).toString()).toBe('%PDF-');
  });
});
