// What each built-in template says: validated fields in, a block description of the document out.
import type { Block, DocSpec } from './render.js';
import type { ContractData, GenericData, NdaFields } from './templates.js';

/** The fixed moment `deterministic` output is stamped with when the data names no date. */
export const FIXED_DATE = new Date('2000-01-01T00:00:00Z');

function docDate(date: string | undefined, deterministic: boolean): Date {
  if (date !== undefined) return new Date(`${date}T00:00:00Z`);
  return deterministic ? FIXED_DATE : new Date();
}

function sectionBlocks(sections: GenericData['sections']): Block[] {
  const blocks: Block[] = [];
  for (const s of sections ?? []) {
    if (s.heading !== undefined && s.heading !== '') blocks.push({ type: 'heading', text: s.heading });
    for (const para of (s.content ?? '').split(/\n{2,}/)) if (para.trim() !== '') blocks.push({ type: 'paragraph', text: para.trim() });
    if (s.table !== undefined && s.table.data.length > 0) blocks.push({ type: 'table', rows: s.table.data.map((r) => r.map(String)) });
  }
  return blocks;
}

export function basicSpec(d: GenericData, deterministic: boolean): DocSpec {
  return { title: d.title, author: d.author, footer: d.footer, date: docDate(d.date, deterministic), blocks: sectionBlocks(d.sections) };
}

export function reportSpec(d: GenericData, deterministic: boolean): DocSpec {
  const date = docDate(d.date, deterministic);
  const cover: Block[] = [
    { type: 'spacer', lines: 6 },
    { type: 'paragraph', text: `Report${d.author === undefined ? '' : ` prepared by ${d.author}`}` },
    { type: 'paragraph', text: `Date: ${date.toISOString().slice(0, 10)}` },
    { type: 'pagebreak' },
  ];
  return { title: d.title, author: d.author, header: d.title, footer: d.footer, subject: 'Report', date, blocks: [...cover, ...sectionBlocks(d.sections)] };
}

export function ndaSpec(d: NdaFields): DocSpec {
  const law = d.governing_law === undefined ? '' : ` This Agreement is governed by the laws of ${d.governing_law}.`;
  const p = (text: string): Block => ({ type: 'paragraph', text });
  const h = (text: string): Block => ({ type: 'heading', text, level: 2 });
  return {
    title: 'Mutual Non-Disclosure Agreement',
    subject: `NDA between ${d.disclosing_party} and ${d.receiving_party}`,
    author: d.disclosing_party,
    header: `Non-Disclosure Agreement — ${d.disclosing_party} / ${d.receiving_party}`,
    footer: 'Confidential',
    date: docDate(d.date, true),
    blocks: [
      p(
        `This Mutual Non-Disclosure Agreement (the "Agreement") is entered into on ${d.date} by and between ${d.disclosing_party} (the "Disclosing Party") and ${d.receiving_party} (the "Receiving Party"), each a "Party".`,
      ),
      h('1. Purpose'),
      p(`The Parties wish to exchange confidential information for the following purpose: ${d.purpose} (the "Purpose").`),
      h('2. Confidential Information'),
      p(
        '"Confidential Information" means any non-public information disclosed by one Party to the other, in writing, orally or by inspection, that is marked confidential or that a reasonable person would understand to be confidential, including business plans, financial information, technical data, pitches, scripts and creative material.',
      ),
      h('3. Obligations'),
      p(
        'The Receiving Party shall hold Confidential Information in strict confidence, use it solely for the Purpose, restrict disclosure to its employees and advisers who need to know it and are bound by obligations no less protective than these, and protect it with at least the care it uses for its own confidential information, and no less than reasonable care.',
      ),
      h('4. Exclusions'),
      p(
        'These obligations do not apply to information that is or becomes public through no fault of the Receiving Party, was known to it before disclosure, is independently developed without use of the Confidential Information, or is rightfully received from a third party without a duty of confidentiality, nor to disclosure required by law, provided prompt notice is given where lawful.',
      ),
      h('5. Term'),
      p(`This Agreement remains in effect for ${d.term} from the date above. The obligations survive for that period after the last disclosure.`),
      h('6. Return of Materials'),
      p('On request, the Receiving Party shall promptly return or destroy all Confidential Information and confirm so in writing.'),
      h('7. General'),
      p(
        `No licence or other right is granted by this Agreement except as expressly stated. This Agreement is the entire agreement of the Parties on its subject and may be amended only in writing signed by both Parties.${law}`,
      ),
      {
        type: 'signatures',
        parties: [
          { name: d.disclosing_party, role: 'Disclosing Party' },
          { name: d.receiving_party, role: 'Receiving Party' },
        ],
      },
    ],
  };
}

export function contractSpec(d: ContractData, deterministic: boolean): DocSpec {
  const names = d.parties.map((p) => (p.role === undefined ? p.name : `${p.name} ("${p.role}")`));
  const effective = d.effective_date ?? d.date;
  const intro = `This agreement${effective === undefined ? '' : `, effective ${effective},`} is made between ${names.slice(0, -1).join(', ')} and ${names.at(-1) ?? ''}.`;
  return {
    title: d.title,
    author: d.author ?? d.parties[0]?.name,
    footer: d.footer,
    header: d.title,
    date: docDate(effective, deterministic),
    blocks: [{ type: 'paragraph', text: intro }, ...sectionBlocks(d.sections), { type: 'signatures', parties: d.parties }],
  };
}
