import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_KEY, makeTempDir } from '../../helpers.js';
import { NDA, contentStreams, pdfPages, pdftotext, startDocService, type DocClient } from '../../support/document-fixtures.js';

const tmp = makeTempDir('pitchey-doc-gen-');
let doc: DocClient;

const INVOICE = {
  description: 'An invoice with line items',
  title: 'Invoice {{number}}',
  author: '{{company}}',
  footer: 'Thank you, {{customer}}',
  fields: {
    number: { type: 'string', required: true, maxLength: 20 },
    company: { type: 'string', default: 'Pitchey Ltd' },
    customer: { type: 'string', required: true },
    due: { type: 'date' },
    items: { type: 'table', required: true },
  },
  blocks: [
    { type: 'heading', text: 'Invoice {{number}} for {{customer}}' },
    { type: 'paragraph', text: 'Payment is due on {{due}}.' },
    { type: 'table', field: 'items' },
    { type: 'signatures', names: ['{{company}}'] },
  ],
};

beforeAll(async () => {
  const templates = join(tmp.dir, 'templates');
  mkdirSync(templates);
  writeFileSync(join(templates, 'invoice.json'), JSON.stringify(INVOICE));
  writeFileSync(join(templates, 'evil.json'), JSON.stringify({ ...INVOICE, blocks: [{ type: 'script', code: 'process.exit(1)' }] }));
  writeFileSync(join(templates, 'typo.json'), JSON.stringify({ ...INVOICE, title: 'Invoice {{nubmer}}' }));
  writeFileSync(join(templates, 'nda.json'), JSON.stringify(INVOICE));
  symlinkSync('/etc/passwd', join(templates, 'linked.json'));
  doc = await startDocService(join(tmp.dir, 'data'), { PITCHEY_DOC_TEMPLATES_DIR: templates });
});
afterAll(async () => {
  await doc.svc.drain();
  tmp.remove();
});

async function postJson(body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${doc.base}/generate-pdf`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': TEST_KEY }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('generate-pdf', () => {
  it('renders an NDA with the contract defaults, Unicode names, signature blocks, page numbers and metadata', async () => {
    const pdf = await doc.generate('nda', NDA);
    const text = pdftotext(pdf, tmp.dir);
    for (const s of [
      'Mutual Non-Disclosure Agreement',
      'Zoë Ångström Films Ltd',
      'José Núñez of Łódź',
      'Evaluation of potential business opportunity',
      '5 years',
      'Disclosing Party',
      'Receiving Party',
      'Date: ____',
    ])
      expect(text).toContain(s);
    expect(text).not.toContain('?');
    const pages = pdfPages(pdf, tmp.dir);
    expect(text).toContain(`Page ${pages} of ${pages}`);
    writeFileSync(join(tmp.dir, 'nda.pdf'), pdf);
    const info = execFileSync('pdfinfo', [join(tmp.dir, 'nda.pdf')], { encoding: 'utf8' });
    expect(info).toMatch(/Title:\s+Mutual Non-Disclosure Agreement/);
    expect(info).toMatch(/Author:\s+Zoë Ångström Films Ltd/);
    expect(info).toMatch(/CreationDate:\s+Fri Mar 14 00:00:00 2025 UTC/);
    const fonts = execFileSync('pdffonts', [join(tmp.dir, 'nda.pdf')], { encoding: 'utf8' });
    expect(fonts).toMatch(/DejaVuSans\s.*yes\s+yes/);
  });

  it('is byte-identical for identical input when deterministic=true', async () => {
    const [a, b] = await Promise.all([doc.generate('nda', NDA), doc.generate('nda', NDA)]);
    expect(a.equals(b)).toBe(true);
    const r1 = await doc.generate('report', { title: 'Q3', sections: [{ heading: 'A', content: 'x' }] });
    const r2 = await doc.generate('report', { title: 'Q3', sections: [{ heading: 'A', content: 'x' }] });
    expect(r1.equals(r2)).toBe(true);
  });

  it('flows long content over pages with tables, headings and a footer on each page', async () => {
    const rows = [['Item', 'Owner', 'Amount'], ...Array.from({ length: 60 }, (_, i) => [`Row ${i + 1}`, 'Zoë Ångström', String(i * 10)])];
    const pdf = await doc.generate('basic', {
      title: 'Budget',
      footer: 'Pitchey — internal',
      sections: [
        { heading: 'Overview', content: 'The plan. '.repeat(400) },
        { heading: 'Lines', table: { data: rows } },
      ],
    });
    const pages = pdfPages(pdf, tmp.dir);
    expect(pages).toBeGreaterThanOrEqual(3);
    for (let p = 1; p <= pages; p++) expect(pdftotext(pdf, tmp.dir, p)).toContain(`Page ${p} of ${pages}`);
    const all = pdftotext(pdf, tmp.dir, undefined, ['-layout']);
    expect(all).toMatch(/Row 60\s+Zoë Ångström\s+590/);
    expect(all).toContain('Pitchey — internal');
  });

  it('puts signature blocks for every contract party', async () => {
    const pdf = await doc.generate('contract', {
      title: 'Co-production',
      parties: [{ name: 'Łódź Studio', role: 'Producer' }, { name: 'Zoë Ångström', role: 'Director' }, { name: 'José Núñez' }],
      sections: [{ heading: 'Terms', content: 'Agreed.' }],
    });
    const text = pdftotext(pdf, tmp.dir);
    expect(text).toMatch(/Łódź Studio[\s\S]*Signature — Producer/);
    expect(text).toContain('Signature — Director');
    expect(text).toContain('José Núñez');
    expect(contentStreams(pdf, tmp.dir)).toMatch(/\bl\b[\s\S]*\bS\b/);
  });

  it('answers 422 listing every missing or invalid field', async () => {
    const r = await postJson({ template: 'nda', data: { date: '14/03/2025', receiving_party: '' } });
    expect(r.status).toBe(422);
    expect(r.json.code).toBe('TEMPLATE_FIELDS_INVALID');
    const fields = (r.json.fields as Array<{ field: string }>).map((f) => f.field).sort();
    expect(fields).toEqual(['date', 'disclosing_party', 'receiving_party']);
  });

  it('answers data that is not JSON as a bad field: 400 VALIDATION_FAILED naming body/data', async () => {
    const r = await postJson({ template: 'nda', data: '{not json' });
    expect([r.status, r.json.code, (r.json.errors as Array<{ field: string }>)[0]?.field]).toEqual([400, 'VALIDATION_FAILED', 'body/data']);
  });

  it('refuses characters the font cannot draw with a 422 naming them, never a silent "?"', async () => {
    const r = await postJson({ template: 'nda', data: { ...NDA, receiving_party: '山田太郎' } });
    expect(r.status).toBe(422);
    expect(String(r.json.detail)).toContain('U+5C71');
  });

  it('refuses Arabic and Hebrew names with a 422 naming the script, rather than setting them in the wrong order', async () => {
    for (const [script, name] of [
      ['Arabic', 'محمد عبد الله'],
      ['Hebrew', 'דוד בן גוריון'],
    ] as const) {
      const r = await postJson({ template: 'nda', data: { ...NDA, receiving_party: name } });
      expect([r.status, r.json.code, r.json.unsupported_scripts]).toEqual([422, 'UNPROCESSABLE', [script]]);
      expect(String(r.json.detail)).toContain(`${script} text cannot be typeset`);
    }
  });

  it('takes the original form fields (template, data as a JSON string) and names unknown templates', async () => {
    const ok = await doc.post('/generate-pdf', [
      { name: 'template', data: 'nda' },
      { name: 'data', data: JSON.stringify(NDA) },
      { name: 'deterministic', data: 'true' },
    ]);
    expect([ok.status, ok.type]).toEqual([200, 'application/pdf']);
    expect(ok.body.equals(await doc.generate('nda', NDA))).toBe(true);
    const bad = await postJson({ template: 'nope', data: {} });
    expect([bad.status, bad.json.code]).toEqual([404, 'TEMPLATE_NOT_FOUND']);
  });

  it('serves user templates from the templates folder, and lists the rejected ones with reasons', async () => {
    const list = (await (await fetch(`${doc.base}/templates`)).json()) as {
      templates: Array<{ name: string; source: string; fields: { properties: Record<string, unknown> } }>;
      rejected: Array<{ file: string; reasons: string[] }>;
    };
    expect(list.templates.map((t) => t.name)).toEqual(['basic', 'report', 'nda', 'contract', 'invoice']);
    expect(Object.keys(list.templates[4]?.fields.properties ?? {})).toEqual(['number', 'company', 'customer', 'due', 'items']);
    const rejected = Object.fromEntries(list.rejected.map((r) => [r.file, r.reasons.join(' ')]));
    expect(Object.keys(rejected).sort()).toEqual(['evil.json', 'linked.json', 'nda.json', 'typo.json']);
    expect(rejected['typo.json']).toContain('{{nubmer}} names no declared field');
    expect(rejected['linked.json']).toContain('links are not followed');
    const pdf = await doc.generate('invoice', {
      number: 'A-17',
      customer: 'Zoë Ångström',
      due: '2025-04-01',
      items: [
        ['Item', 'Price'],
        ['Edit', 1200],
      ],
    });
    const text = pdftotext(pdf, tmp.dir);
    for (const s of ['Invoice A-17 for Zoë Ångström', 'Payment is due on 2025-04-01.', 'Edit', '1200', 'Pitchey Ltd', 'Thank you, Zoë Ångström']) expect(text).toContain(s);
    const missing = await postJson({ template: 'invoice', data: { number: 'A-1' } });
    expect((missing.json.fields as Array<{ field: string }>).map((f) => f.field).sort()).toEqual(['customer', 'items']);
  });
});
