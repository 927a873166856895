// A long run of documents in every script the typesetter sets (Latin, Cyrillic, Greek, Vietnamese)
// across the built-in templates, and the check that a PDF's text layer gives back each word put in.
// The run opens with Cyrillic and Greek, whose letters are drawn from Latin glyphs (the order in
// which a warm font cache once lost Latin letters from every later document).
import { generatePdf, type GenerateRequest } from '../../src/services/document/generate.js';
import type { DocSpec } from '../../src/services/document/render.js';
import { pdftotext } from './document-fixtures.js';

interface Script {
  title: string;
  names: [string, string];
  text: string;
  cells: string[];
}

export const SCRIPTS: Record<string, Script> = {
  cyrillic: {
    title: 'Договор Аренды Ёлки',
    names: ['Александр Ёжиков', 'Эльвира Щукина'],
    text: 'Арендатор обязуется вернуть Ёмкость и Жёлтый Шкаф в целости. Юрист Эдуард Яковлев подписал.',
    cells: ['Сумма', 'Ответственный', 'Ёжиков'],
  },
  greek: {
    title: 'Άλφα Συμφωνία Ωμέγα',
    names: ['Ελένη Παπαδοπούλου', 'Άγγελος Ζαχαρίου'],
    text: 'Ο Ήλιος και η Ελλάδα· Ίσως ο Όμηρος ή ο Ύψιλον έγραψαν τη Συμφωνία.',
    cells: ['Ποσό', 'Υπεύθυνος', 'Ζαχαρίου'],
  },
  vietnamese: {
    title: 'Hợp Đồng Bảo Mật',
    names: ['Nguyễn Thị Minh Khai', 'Trần Hưng Đạo'],
    text: 'Ếch ngồi đáy giếng. Ở Việt Nam, Ủy ban Nhân dân Thành phố Hồ Chí Minh đã ký.',
    cells: ['Số tiền', 'Người phụ trách', 'Nguyễn'],
  },
  latin: {
    title: 'Alpha Beta Agreement',
    names: ['Zoë Ångström', 'José Núñez of Łódź'],
    text: 'Éloïse and Ærøskøbing Straße agree with Øystein Œuvre; Agreement Executed on Easter Eve.',
    cells: ['Amount', 'Owner', 'Ångström'],
  },
};

const TEMPLATES = ['basic', 'report', 'contract', 'nda'] as const;

export interface Sample {
  request: GenerateRequest;
  words: string[];
}

/** The i-th document of the run: scripts turn with every document, templates every four. */
export function sample(i: number): Sample {
  const name = Object.keys(SCRIPTS)[i % 4] as string;
  const s = SCRIPTS[name] as Script;
  // Every other Vietnamese document arrives decomposed (NFD), as macOS and some keyboards send it.
  const input = (text: string): string => (name === 'vietnamese' && i % 8 >= 4 ? text.normalize('NFD') : text);
  const title = `${s.title} ${i}`;
  const sections = [{ heading: s.names[0], content: s.text, table: { data: [s.cells, ['1200', s.names[1]]] } }];
  const template = TEMPLATES[Math.floor(i / 4) % 4] as string;
  const data = {
    basic: { title, author: s.names[0], sections },
    report: { title, author: s.names[1], sections },
    contract: { title, parties: [{ name: s.names[0] }, { name: s.names[1] }], sections },
    nda: { date: '2025-03-14', disclosing_party: s.names[0], receiving_party: s.names[1], purpose: s.text, governing_law: s.title },
  }[template];
  const texts = template === 'nda' ? [...s.names, s.text, s.title] : [title, ...s.names, s.text, ...s.cells];
  const words = texts.flatMap((t) => t.split(/\s+/));
  return { request: { template, data: JSON.parse(input(JSON.stringify(data))) as unknown, deterministic: true }, words };
}

/** Renders the i-th document through `render` (in-thread, or a pool's). */
export function renderSample(i: number, render: (spec: DocSpec) => Promise<Buffer>): Promise<Buffer> {
  return generatePdf({ user: new Map() }, sample(i).request, render);
}

const bare = (word: string): string => word.replace(/^\p{P}+|\p{P}+$/gu, '');

/** The words of `expected` that pdftotext does not give back from `pdf`, exactly (so in NFC). */
export function unreadWords(pdf: Buffer, expected: string[], dir: string): string[] {
  const read = new Set(pdftotext(pdf, dir).split(/\s+/).map(bare));
  return expected.map(bare).filter((w) => w !== '' && !read.has(w));
}
