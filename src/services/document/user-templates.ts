// User templates: JSON files `<name>.json` in the templates folder, data only (never code). Each
// declares its fields (turned into a schema the same validator checks) and layout blocks whose
// text may name fields as {{field}}. Checked when loaded; a bad file is skipped with its reasons.
import { lstat, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Type, Value, type Static, type TSchema } from '../../kit/index.js';
import type { Block, DocSpec } from './render.js';

const FieldDef = Type.Object(
  {
    type: Type.Union([Type.Literal('string'), Type.Literal('number'), Type.Literal('date'), Type.Literal('table'), Type.Literal('parties')]),
    required: Type.Optional(Type.Boolean()),
    default: Type.Optional(Type.Union([Type.String({ maxLength: 10_000 }), Type.Number()])),
    maxLength: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
    description: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);

const Text = Type.String({ maxLength: 20_000 });
const BlockDef = Type.Union([
  Type.Object({ type: Type.Literal('heading'), text: Text, level: Type.Optional(Type.Union([Type.Literal(1), Type.Literal(2)])) }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('paragraph'), text: Text }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('table'), field: Type.String() }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('signatures'), field: Type.Optional(Type.String()), names: Type.Optional(Type.Array(Text, { maxItems: 20 })) }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('spacer'), lines: Type.Optional(Type.Integer({ minimum: 1, maximum: 40 })) }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('pagebreak') }, { additionalProperties: false }),
]);

export const TemplateFile = Type.Object(
  {
    description: Type.String({ maxLength: 500 }),
    title: Text,
    author: Type.Optional(Text),
    header: Type.Optional(Text),
    footer: Type.Optional(Text),
    fields: Type.Record(Type.String({ pattern: '^[a-z][a-z0-9_]{0,63}$' }), FieldDef),
    blocks: Type.Array(BlockDef, { minItems: 1, maxItems: 500 }),
  },
  { additionalProperties: false },
);
type TemplateFileT = Static<typeof TemplateFile>;
type FieldDefT = Static<typeof FieldDef>;

export interface UserTemplate {
  name: string;
  description: string;
  fields: TSchema;
  build(data: Record<string, unknown>, date: Date): DocSpec;
}
export interface LoadResult {
  templates: Map<string, UserTemplate>;
  rejected: Array<{ file: string; reasons: string[] }>;
}

const NAME = /^[a-z][a-z0-9_-]{0,63}$/;
const MAX_FILE_BYTES = 256 * 1024;
const PLACEHOLDER = /\{\{\s*([a-z][a-z0-9_]*)\s*\}\}/g;

function fieldSchema(def: FieldDefT): TSchema {
  const opts = { ...(def.description === undefined ? {} : { description: def.description }), ...(def.default === undefined ? {} : { default: def.default }) };
  switch (def.type) {
    case 'string':
      return Type.String({ maxLength: def.maxLength ?? 10_000, ...opts });
    case 'number':
      return Type.Number(opts);
    case 'date':
      return Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', ...opts });
    case 'table':
      return Type.Array(Type.Array(Type.Union([Type.String({ maxLength: 2_000 }), Type.Number()]), { maxItems: 50 }), { maxItems: 10_000, ...opts });
    case 'parties':
      return Type.Array(Type.Object({ name: Type.String({ minLength: 1, maxLength: 300 }), role: Type.Optional(Type.String({ maxLength: 200 })) }), { minItems: 1, maxItems: 20, ...opts });
  }
}

function schemaOf(t: TemplateFileT): TSchema {
  const props: Record<string, TSchema> = {};
  for (const [name, def] of Object.entries(t.fields)) {
    const s = fieldSchema(def);
    props[name] = def.required === true && def.default === undefined ? s : Type.Optional(s);
  }
  return Type.Object(props);
}

/** Reasons a parsed template cannot work: placeholders and block fields must name declared fields of the right type. */
function checkReferences(t: TemplateFileT): string[] {
  const reasons: string[] = [];
  const texts = [t.title, t.author, t.header, t.footer, ...t.blocks.flatMap((b) => ('text' in b ? [b.text] : 'names' in b ? (b.names ?? []) : []))];
  for (const s of texts) {
    for (const m of (s ?? '').matchAll(PLACEHOLDER)) {
      const def = t.fields[m[1] ?? ''];
      if (def === undefined) reasons.push(`{{${m[1]}}} names no declared field`);
      else if (def.type === 'table' || def.type === 'parties') reasons.push(`{{${m[1]}}} is a ${def.type}, not text`);
    }
  }
  for (const b of t.blocks) {
    if (b.type === 'table' && t.fields[b.field]?.type !== 'table') reasons.push(`table block field "${b.field}" is not a declared table field`);
    if (b.type === 'signatures' && b.field !== undefined && t.fields[b.field]?.type !== 'parties') reasons.push(`signatures block field "${b.field}" is not a declared parties field`);
    if (b.type === 'signatures' && b.field === undefined && (b.names ?? []).length === 0) reasons.push('a signatures block needs "field" or "names"');
  }
  return reasons;
}

function fill(text: string, data: Record<string, unknown>): string {
  return text.replace(PLACEHOLDER, (_m, name: string) => {
    const v = data[name];
    return v === undefined ? '' : typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
  });
}

function builder(t: TemplateFileT): UserTemplate['build'] {
  return (data, date) => {
    const blocks: Block[] = t.blocks.map((b): Block => {
      switch (b.type) {
        case 'heading':
          return { type: 'heading', text: fill(b.text, data), level: b.level };
        case 'paragraph':
          return { type: 'paragraph', text: fill(b.text, data) };
        case 'table':
          return { type: 'table', rows: ((data[b.field] ?? []) as Array<Array<string | number>>).map((r) => r.map(String)) };
        case 'signatures':
          return { type: 'signatures', parties: b.field !== undefined ? ((data[b.field] ?? []) as Array<{ name: string; role?: string }>) : (b.names ?? []).map((n) => ({ name: fill(n, data) })) };
        case 'spacer':
          return { type: 'spacer', lines: b.lines };
        case 'pagebreak':
          return { type: 'pagebreak' };
      }
    });
    const opt = (s: string | undefined): string | undefined => (s === undefined ? undefined : fill(s, data));
    return { title: fill(t.title, data), author: opt(t.author), header: opt(t.header), footer: opt(t.footer), date, blocks };
  };
}

/** Parses and checks one template file's text; throws the reasons it is unusable. */
export function parseTemplate(name: string, text: string): UserTemplate {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`not JSON: ${(err as Error).message}`);
  }
  if (!Value.Check(TemplateFile, raw)) {
    const reasons = [...Value.Errors(TemplateFile, raw)].slice(0, 10).map((e) => `${e.path || '/'} ${e.message}`);
    throw new Error(reasons.join('; '));
  }
  const reasons = checkReferences(raw);
  if (reasons.length > 0) throw new Error(reasons.join('; '));
  return { name, description: raw.description, fields: schemaOf(raw), build: builder(raw) };
}

/** Loads every `*.json` in `dir` (regular files only, never links); a missing folder is no templates. */
export async function loadUserTemplates(dir: string, reserved: readonly string[]): Promise<LoadResult> {
  const result: LoadResult = { templates: new Map(), rejected: [] };
  let names: string[];
  try {
    names = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  } catch {
    return result;
  }
  for (const file of names) {
    const name = file.slice(0, -5);
    const reject = (reason: string): void => {
      result.rejected.push({ file, reasons: [reason] });
    };
    if (!NAME.test(name)) {
      reject('name must be lower-case letters, digits, "-" or "_"');
      continue;
    }
    if (reserved.includes(name)) {
      reject(`"${name}" is a built-in template`);
      continue;
    }
    const path = join(dir, file);
    const info = await lstat(path);
    if (!info.isFile()) {
      reject('not a regular file (links are not followed)');
      continue;
    }
    if (info.size > MAX_FILE_BYTES) {
      reject(`larger than ${MAX_FILE_BYTES} bytes`);
      continue;
    }
    try {
      result.templates.set(name, parseTemplate(name, await readFile(path, 'utf8')));
    } catch (err) {
      reject((err as Error).message);
    }
  }
  return result;
}
