// The built-in PDF templates and the fields each one takes (JSON Schema), as the contract names them.
import { Type, type Static } from '../../kit/index.js';

const Section = Type.Object({
  heading: Type.Optional(Type.String({ maxLength: 500 })),
  content: Type.Optional(Type.String({ maxLength: 100_000 })),
  table: Type.Optional(Type.Object({ data: Type.Array(Type.Array(Type.Union([Type.String(), Type.Number()])), { maxItems: 10_000 }) })),
});

const Generic = Type.Object({
  title: Type.String({ minLength: 1, maxLength: 500 }),
  sections: Type.Optional(Type.Array(Section, { maxItems: 1_000 })),
  footer: Type.Optional(Type.String({ maxLength: 1_000 })),
});

const Nda = Type.Object({
  date: Type.String({ format: 'date', description: 'ISO date (YYYY-MM-DD)' }),
  disclosing_party: Type.String({ minLength: 1, maxLength: 300 }),
  receiving_party: Type.String({ minLength: 1, maxLength: 300 }),
  purpose: Type.String({ default: 'Evaluation of potential business opportunity', maxLength: 2_000 }),
  term: Type.String({ default: '5 years', maxLength: 100 }),
});

const Contract = Type.Intersect([Generic, Type.Object({
  parties: Type.Array(Type.Object({ name: Type.String({ minLength: 1 }), role: Type.Optional(Type.String()) }), { minItems: 2, maxItems: 20 }),
  effective_date: Type.Optional(Type.String({ format: 'date' })),
})]);

export const TEMPLATES = {
  basic: { description: 'A titled document with sections, tables and a footer', fields: Generic },
  report: { description: 'A report: title page, sections with tables, page numbers', fields: Generic },
  nda: { description: 'Mutual non-disclosure agreement with signature blocks', fields: Nda },
  contract: { description: 'A contract between named parties with signature blocks', fields: Contract },
} as const;

export type NdaFields = Static<typeof Nda>;
