// The built-in PDF templates and the fields each one takes (JSON Schema), as the contract names
// them, and the one validator every template's data goes through: defaults applied, then every
// missing or invalid field listed in a single 422.
import { Problem, Type, Value, type Static, type TSchema } from '../../kit/index.js';

const ISO_DATE = '^\\d{4}-\\d{2}-\\d{2}$';

const Section = Type.Object({
  heading: Type.Optional(Type.String({ maxLength: 500 })),
  content: Type.Optional(Type.String({ maxLength: 100_000 })),
  table: Type.Optional(Type.Object({ data: Type.Array(Type.Array(Type.Union([Type.String({ maxLength: 2_000 }), Type.Number()]), { maxItems: 50 }), { maxItems: 10_000 }) })),
});

const GenericFields = {
  title: Type.String({ minLength: 1, maxLength: 500 }),
  author: Type.Optional(Type.String({ maxLength: 300 })),
  date: Type.Optional(Type.String({ pattern: ISO_DATE, description: 'ISO date (YYYY-MM-DD)' })),
  sections: Type.Optional(Type.Array(Section, { maxItems: 1_000 })),
  footer: Type.Optional(Type.String({ maxLength: 1_000 })),
};
const Generic = Type.Object(GenericFields);

const Nda = Type.Object({
  date: Type.String({ pattern: ISO_DATE, description: 'ISO date (YYYY-MM-DD)' }),
  disclosing_party: Type.String({ minLength: 1, maxLength: 300 }),
  receiving_party: Type.String({ minLength: 1, maxLength: 300 }),
  purpose: Type.String({ default: 'Evaluation of potential business opportunity', maxLength: 2_000 }),
  term: Type.String({ default: '5 years', maxLength: 100 }),
  governing_law: Type.Optional(Type.String({ maxLength: 200 })),
});

const Party = Type.Object({ name: Type.String({ minLength: 1, maxLength: 300 }), role: Type.Optional(Type.String({ maxLength: 200 })) });
const Contract = Type.Object({
  ...GenericFields,
  parties: Type.Array(Party, { minItems: 2, maxItems: 20 }),
  effective_date: Type.Optional(Type.String({ pattern: ISO_DATE })),
});

export const TEMPLATES = {
  basic: { description: 'A titled document with sections, tables and a footer', fields: Generic },
  report: { description: 'A report: title page, sections with tables, page numbers', fields: Generic },
  nda: { description: 'Mutual non-disclosure agreement with signature blocks', fields: Nda },
  contract: { description: 'A contract between named parties with signature blocks', fields: Contract },
} as const;

export type BuiltinName = keyof typeof TEMPLATES;
export type GenericData = Static<typeof Generic>;
export type NdaFields = Static<typeof Nda>;
export type ContractData = Static<typeof Contract>;

export interface FieldIssue {
  field: string;
  message: string;
}

function fieldName(path: string): string {
  return path === '' ? '(data)' : path.slice(1).replaceAll('/', '.');
}

/** Applies defaults and checks `data` against `schema`; a 422 lists every bad or missing field. */
export function validateFields<T extends TSchema>(template: string, schema: T, data: unknown): Static<T> {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new Problem('TEMPLATE_FIELDS_INVALID', `Template "${template}" needs "data" to be a JSON object.`, { extensions: { fields: [{ field: '(data)', message: 'must be an object' }] } });
  }
  const value = Value.Default(schema, structuredClone(data));
  if (Value.Check(schema, value)) return value;
  const issues: FieldIssue[] = [];
  const seen = new Set<string>();
  for (const e of Value.Errors(schema, value)) {
    const missing = e.value === undefined;
    const field = fieldName(e.path);
    if (seen.has(field)) continue;
    seen.add(field);
    issues.push({ field, message: missing ? 'is required' : e.message });
    if (issues.length >= 50) break;
  }
  const list = issues.map((i) => `${i.field} ${i.message}`).join('; ');
  throw new Problem('TEMPLATE_FIELDS_INVALID', `Template "${template}" cannot be filled: ${list}.`, { extensions: { fields: issues } });
}
