// Document processor (:8082, /api/document/): PDFs from templates, text extraction with OCR,
// watermark, merge, split.
import { join } from 'node:path';
import { SERVICE_PATHS, StringEnum, Type, detectTools, type ServiceManifest, type Static } from '../../kit/index.js';
import { listTemplates, type TemplateCatalog } from './generate.js';
import { extractJob, registerProcessingRoutes } from './routes.js';
import { TEMPLATES } from './templates.js';
import { loadUserTemplates } from './user-templates.js';

const FORMATS: Array<{ ext: string; kind: 'document' | 'image'; tool: string | null; note?: string }> = [
  { ext: '.pdf', kind: 'document', tool: 'pdftotext' },
  { ext: '.txt', kind: 'document', tool: null },
  { ext: '.docx', kind: 'document', tool: null },
  { ext: '.png', kind: 'image', tool: 'tesseract' },
  { ext: '.jpg', kind: 'image', tool: 'tesseract' },
  { ext: '.jpeg', kind: 'image', tool: 'tesseract' },
  { ext: '.tiff', kind: 'image', tool: 'tesseract' },
  { ext: '.bmp', kind: 'image', tool: 'tesseract' },
];

/** `GET /templates`' answer: each template with the JSON Schema its `data` must fit, and the user templates refused at start. */
export const TemplatesAnswer = Type.Object({
  templates: Type.Array(
    Type.Object({
      name: Type.String(),
      description: Type.String(),
      source: StringEnum(['builtin', 'user']),
      fields: Type.Object({}, { additionalProperties: true, description: 'A JSON Schema: what `data` must be for this template' }),
    }),
  ),
  rejected: Type.Array(Type.Object({ file: Type.String(), reasons: Type.Array(Type.String()) }), { description: 'User template files not loaded, and why' }),
});

// The original advertised these; this build has no office suite to read them, so it says so.
const UNSUPPORTED = ['.doc', '.rtf', '.odt', '.xlsx', '.pptx'];

const Extensions = (description?: string) => Type.Array(Type.String({ pattern: '^\\.[a-z0-9]+$' }), description === undefined ? {} : { description });
/** `GET /formats`' answer: what this machine can read now (the tools it has decide). */
export const FormatsAnswer = Type.Object({
  input: Extensions(),
  images: Extensions('Read by OCR (tesseract)'),
  unavailable: Type.Array(Type.Object({ format: Type.String(), reason: Type.String() })),
  output: Extensions(),
});

export const documentService: ServiceManifest = {
  name: 'document',
  title: 'Pitchey document processor',
  description: 'PDF generation from templates, text extraction with OCR, watermarking, merge and split.',
  requiredTools: ['pdfinfo', 'pdftotext', 'pdftoppm'],
  jobHandlers: (ctx) => ({ 'extract-text': extractJob(ctx) }),
  async routes(app, ctx) {
    const templatesDir = ctx.config.docTemplatesDir ?? join(ctx.dataDir, SERVICE_PATHS.templates);
    const loaded = await loadUserTemplates(templatesDir, Object.keys(TEMPLATES));
    for (const r of loaded.rejected) app.log.warn({ file: r.file, reasons: r.reasons }, 'user template rejected');
    const catalog: TemplateCatalog = { user: loaded.templates };
    app.get(
      '/templates',
      { config: { auth: 'public' }, schema: { summary: 'Templates and the JSON Schema of their fields', doc: { ok: { json: TemplatesAnswer } } } },
      (): Static<typeof TemplatesAnswer> => ({
        templates: listTemplates(catalog),
        rejected: loaded.rejected,
      }),
    );
    registerProcessingRoutes(app, ctx, catalog);
    app.get(
      '/formats',
      { config: { auth: 'public' }, schema: { summary: 'Input formats and whether this machine can read them', doc: { ok: { json: FormatsAnswer } } } },
      async (): Promise<Static<typeof FormatsAnswer>> => {
        const tools = new Map((await detectTools(['pdftotext', 'tesseract'])).map((t) => [t.name, t.present]));
        const usable = (f: (typeof FORMATS)[number]): boolean => f.tool === null || tools.get(f.tool) === true;
        return {
          input: FORMATS.filter((f) => f.kind === 'document' && usable(f)).map((f) => f.ext),
          images: FORMATS.filter((f) => f.kind === 'image' && usable(f)).map((f) => f.ext),
          unavailable: [
            ...FORMATS.filter((f) => !usable(f)).map((f) => ({ format: f.ext, reason: `${f.tool} is not installed` })),
            ...UNSUPPORTED.map((ext) => ({ format: ext, reason: 'no office-document reader in this build' })),
          ],
          output: ['.pdf'],
        };
      },
    );
  },
};
