// POST /generate-pdf: a template (built-in or the operator's) filled with validated data, typeset.
import { Problem, type TSchema } from '../../kit/index.js';
import { FIXED_DATE, basicSpec, contractSpec, ndaSpec, reportSpec } from './layouts.js';
import type { DocSpec } from './render.js';
import { TEMPLATES, validateFields, type BuiltinName } from './templates.js';
import type { UserTemplate } from './user-templates.js';

export interface GenerateRequest {
  template: string;
  data: unknown;
  deterministic: boolean;
}

export interface TemplateCatalog {
  user: Map<string, UserTemplate>;
}

function builtinSpec(name: BuiltinName, data: unknown, deterministic: boolean): DocSpec {
  switch (name) {
    case 'nda':
      return ndaSpec(validateFields(name, TEMPLATES.nda.fields, data));
    case 'basic':
      return basicSpec(validateFields(name, TEMPLATES.basic.fields, data), deterministic);
    case 'report':
      return reportSpec(validateFields(name, TEMPLATES.report.fields, data), deterministic);
    case 'contract':
      return contractSpec(validateFields(name, TEMPLATES.contract.fields, data), deterministic);
  }
}

/** Every template a client may name, with the JSON Schema of its fields. */
export function listTemplates(catalog: TemplateCatalog): Array<{ name: string; description: string; source: 'builtin' | 'user'; fields: TSchema }> {
  return [
    ...Object.entries(TEMPLATES).map(([name, t]) => ({ name, description: t.description, source: 'builtin' as const, fields: t.fields })),
    ...[...catalog.user.values()].map((t) => ({ name: t.name, description: t.description, source: 'user' as const, fields: t.fields })),
  ];
}

export async function generatePdf(
  catalog: TemplateCatalog,
  req: GenerateRequest,
  render: (spec: DocSpec) => Promise<Buffer> = async (s) => (await import('./render.js')).renderPdf(s),
): Promise<Buffer> {
  let spec: DocSpec;
  if (req.template in TEMPLATES) {
    spec = builtinSpec(req.template as BuiltinName, req.data, req.deterministic);
  } else {
    const user = catalog.user.get(req.template);
    if (user === undefined) {
      const names = listTemplates(catalog).map((t) => t.name);
      throw new Problem('TEMPLATE_NOT_FOUND', `No template "${req.template}"; available: ${names.join(', ')}.`, { extensions: { available: names } });
    }
    const data = validateFields(req.template, user.fields, req.data) as Record<string, unknown>;
    const date = typeof data.date === 'string' ? new Date(`${data.date}T00:00:00Z`) : FIXED_DATE;
    spec = user.build(data, date);
  }
  // Metadata dates: the document's own date under `deterministic`, else the moment of rendering.
  if (!req.deterministic) spec = { ...spec, date: new Date() };
  return render(spec);
}
