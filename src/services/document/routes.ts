// The processing routes of the document service: generate, extract, watermark, merge, split.
import { readFile, rm } from 'node:fs/promises';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  BINARY,
  clientGoneSignal,
  invalidField,
  type ProblemCode,
  JobError,
  Problem,
  receiveMultipart,
  requireFile,
  type HttpApp,
  type JobHandler,
  type JobInput,
  type ServiceContext,
} from '../../kit/index.js';
import { METHODS, EXTRACT_ACCEPT, PDF, extractText, pagesNeedingOcr, readPdfText, type ExtractInput, type ExtractOptions, type Method, type PdfText } from './extract.js';
import { generatePdf, type TemplateCatalog } from './generate.js';
import { inspectImage, inspectPdf } from './inspect.js';
import { createRenderPool, type RenderPool } from './render-pool.js';
import { indicesOf, loadPdf, parseRanges, PdfMerger, splitPdf } from './pdf-ops.js';
import { POSITIONS, parseColor, watermarkPdf, type Position, type WatermarkSpec } from './watermark.js';

const MAX_UPLOAD = 100 * 1024 * 1024;
const PDF_PROBLEMS: ProblemCode[] = ['UNPROCESSABLE', 'DOCUMENT_ENCRYPTED', 'DOCUMENT_INVALID', 'DOCUMENT_TOO_COMPLEX'];
const PDF_ANSWER = { file: [PDF] };
const WATERMARK_FIELDS = {
  image: { ...BINARY, description: 'a PNG or JPEG to stamp' },
  watermark_text: { type: 'string', maxLength: 500 },
  position: { type: 'string', enum: [...POSITIONS], default: 'center' },
  opacity: { type: 'number', minimum: 0, maximum: 1, default: 0.3 },
  rotation: { type: 'number', default: 45 },
  font_size: { type: 'number', default: 48 },
  color: { type: 'string', default: '#808080' },
  pages: { type: 'string', description: 'page ranges; default all' },
};
/** pdf-lib parses a PDF from one buffer: up to this much per request is kept as it arrives, not read back. */
const KEEP_PDFS = 16 * 1024 * 1024;
/** PDFs needing OCR on more pages than this run as a job (202 with progress) rather than inline. */
const INLINE_OCR_PAGES = 2;

function sendPdf(reply: FastifyReply, body: Buffer, filename: string, type = 'application/pdf'): FastifyReply {
  const safe = filename.replace(/[^\w.-]+/g, '_').slice(0, 100) || 'document.pdf';
  return reply.type(type).header('content-disposition', `attachment; filename="${safe}"`).send(body);
}

function num(fields: Record<string, string>, name: string, fallback: number, min: number, max: number): number {
  const raw = fields[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const v = Number(raw);
  if (!Number.isFinite(v) || v < min || v > max) throw invalidField(`body/${name}`, `must be a number from ${min} to ${max} (got "${raw.slice(0, 40)}")`);
  return v;
}

const stem = (filename: string): string => filename.replace(/\.[^.]*$/, '') || 'document';
const truthy = (v: unknown): boolean => v === true || v === 'true' || v === '1';

/** `data` comes as a JSON object (JSON body) or a JSON string (form field, as the original took it). */
function parseData(raw: unknown): unknown {
  if (typeof raw !== 'string') return raw ?? {};
  try {
    return JSON.parse(raw) as unknown;
  } catch (err) {
    throw invalidField('body/data', `is not valid JSON: ${(err as Error).message}`);
  }
}

async function generateRoute(ctx: ServiceContext, catalog: TemplateCatalog, pool: RenderPool, req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  let fields: Record<string, unknown>;
  if (/^multipart\/form-data/i.test(req.headers['content-type'] ?? '')) fields = (await receiveMultipart(req, ctx.tmpDir, { maxBytes: 1, maxFiles: 0, accept: [] })).fields;
  else fields = (req.body ?? {}) as Record<string, unknown>;
  const query = req.query as Record<string, unknown>;
  const template = typeof fields.template === 'string' && fields.template !== '' ? fields.template : 'basic';
  const pdf = await generatePdf(catalog, { template, data: parseData(fields.data), deterministic: truthy(fields.deterministic) || truthy(query.deterministic) }, (spec) => pool.render(spec));
  return sendPdf(reply, pdf, `${template}.pdf`);
}

function extractOptions(
  ctx: ServiceContext,
  fields: Record<string, string>,
  workDir: string,
): { method: Method; language: string; workDir: string; maxPages: number; ocrMaxPages: number; timeoutMs: number } {
  const method = (fields.method ?? 'auto') as Method;
  if (!METHODS.includes(method)) throw invalidField('body/method', `must be one of ${METHODS.join(', ')} (got "${method.slice(0, 40)}")`);
  return { method, language: fields.language ?? 'eng', workDir, maxPages: ctx.config.docMaxPages, ocrMaxPages: ctx.config.ocrMaxPages, timeoutMs: ctx.config.ocrTimeoutMs };
}

/**
 * A PDF that may need OCR is read first (inspection and native text, once): many pages to OCR
 * make the extraction a job; otherwise what was read is used inline. `null`: a job either way.
 */
async function readForInline(req: FastifyRequest, input: ExtractInput, opts: ExtractOptions): Promise<{ read?: PdfText } | null> {
  if (truthy((req.query as Record<string, unknown>).async)) return null;
  if (input.mime !== PDF || opts.method === 'native') return {};
  const read = await readPdfText(input, opts);
  return pagesNeedingOcr(opts.method, read.native).length > INLINE_OCR_PAGES ? null : { read };
}

async function extractRoute(ctx: ServiceContext, req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const form = await receiveMultipart(req, ctx.tmpDir, { maxBytes: MAX_UPLOAD, accept: EXTRACT_ACCEPT });
  const file = requireFile(form);
  const opts = extractOptions(ctx, form.fields, form.dir);
  const input = { path: file.path, filename: file.filename, mime: file.mime };
  const inline = await readForInline(req, input, opts);
  if (inline === null) {
    return ctx.submit(req, reply, { type: 'extract-text', payload: { method: opts.method, language: opts.language }, inputs: [file], timeoutMs: opts.timeoutMs + 60_000 });
  }
  // A client that hangs up stops its OCR (the tools' process groups are killed), as does the time cap.
  const gone = clientGoneSignal(reply);
  const signal = AbortSignal.any([AbortSignal.timeout(opts.timeoutMs), gone]);
  try {
    return reply.send(await extractText(input, { ...opts, signal }, inline.read));
  } finally {
    // After a hang-up no response hook may run, and the killed tools may still have been writing.
    if (gone.aborted) await rm(form.dir, { recursive: true, force: true, maxRetries: 3 });
  }
}

function pageList(raw: string | undefined, pages: number): number[] | null {
  if (raw === undefined || raw.trim() === '' || raw.trim() === 'all') return null;
  return [...new Set(parseRanges(raw, pages).flatMap(indicesOf))];
}

async function watermarkRoute(ctx: ServiceContext, req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const form = await receiveMultipart(req, ctx.tmpDir, { maxBytes: MAX_UPLOAD, maxFiles: 2, accept: [PDF, 'image/png', 'image/jpeg'], keepInMemoryBytes: KEEP_PDFS });
  const file = requireFile(form);
  if (file.mime !== PDF) throw new Problem('UPLOAD_TYPE_REJECTED', `"${file.filename}" is ${file.mime}; the "file" field must be a PDF.`);
  const imageFile = form.files.find((f) => f.field === 'image');
  const f = form.fields;
  const text = f.watermark_text ?? f.text;
  if ((text === undefined || text.trim() === '') && imageFile === undefined) throw invalidField('body/watermark_text', 'is required unless an image file is sent in the "image" field');
  if (text !== undefined && text.length > 500) throw invalidField('body/watermark_text', 'may be at most 500 characters');
  if (imageFile !== undefined && imageFile.mime === PDF) throw new Problem('UPLOAD_TYPE_REJECTED', 'The "image" field must be a PNG or JPEG.');
  if (imageFile !== undefined) await inspectImage(imageFile.path, imageFile.filename, imageFile.mime);
  const position = (f.position ?? 'center') as Position;
  if (!POSITIONS.includes(position)) throw invalidField('body/position', `must be one of ${POSITIONS.join(', ')}`);
  const info = await inspectPdf(file.path, file.filename, ctx.config.docMaxPages);
  const spec: WatermarkSpec = {
    ...(text === undefined || text.trim() === '' ? {} : { text }),
    ...(imageFile === undefined ? {} : { image: { bytes: await readFile(imageFile.path), mime: imageFile.mime as 'image/png' | 'image/jpeg' } }),
    imageScale: num(f, 'image_scale', 0.4, 0.01, 1),
    opacity: num(f, 'opacity', 0.3, 0, 1),
    rotation: num(f, 'rotation', 45, -360, 360),
    fontSize: num(f, 'font_size', 48, 4, 400),
    color: parseColor(f.color ?? '#808080'),
    position,
    pages: pageList(f.pages, info.pages),
  };
  const out = await watermarkPdf(await loadPdf(file), spec);
  return sendPdf(reply, out, `${stem(file.filename)}-watermarked.pdf`);
}

async function mergeRoute(ctx: ServiceContext, req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  // Each PDF is merged as soon as it has arrived, while the next ones are still uploading.
  const merger = new PdfMerger(ctx.config.docMaxPages);
  try {
    const form = await receiveMultipart(req, ctx.tmpDir, { maxBytes: MAX_UPLOAD, maxFiles: 100, accept: [PDF], keepInMemoryBytes: KEEP_PDFS, onFile: (f) => merger.add(f) });
    if (form.files.length < 2) throw new Problem('UPLOAD_MISSING', 'Send two or more PDFs in the "files" form field.');
    return sendPdf(reply, await merger.finish(), 'merged.pdf');
  } finally {
    merger.stop();
  }
}

async function splitRoute(ctx: ServiceContext, req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const form = await receiveMultipart(req, ctx.tmpDir, { maxBytes: MAX_UPLOAD, accept: [PDF], keepInMemoryBytes: KEEP_PDFS });
  const file = requireFile(form);
  const info = await inspectPdf(file.path, file.filename, ctx.config.docMaxPages);
  const ranges = parseRanges(form.fields.ranges ?? form.fields.pages ?? '', info.pages, form.fields.ranges === undefined ? 'body/pages' : 'body/ranges');
  const single = form.fields.mode === 'single';
  const out = await splitPdf(await loadPdf(file), ranges, single, stem(file.filename));
  return sendPdf(reply, out.body, out.filename, out.contentType);
}

export function registerProcessingRoutes(app: HttpApp, ctx: ServiceContext, catalog: TemplateCatalog): void {
  const pool = createRenderPool();
  app.addHook('onClose', async () => {
    await pool.close();
  });
  const upload = { bodyLimit: MAX_UPLOAD * 2 };
  app.post(
    '/generate-pdf',
    {
      schema: {
        summary: 'A PDF from a template (form or JSON: template, data, deterministic)',
        doc: { ok: PDF_ANSWER, problems: ['BAD_REQUEST', 'VALIDATION_FAILED', 'TEMPLATE_NOT_FOUND', 'TEMPLATE_FIELDS_INVALID', 'DOCUMENT_TOO_COMPLEX'] },
      },
    },
    (req, reply) => generateRoute(ctx, catalog, pool, req, reply),
  );
  app.post(
    '/extract-text',
    {
      ...upload,
      schema: {
        summary: 'Text per page (auto | native | ocr); long OCR runs become jobs',
        doc: {
          upload: { fields: { method: { type: 'string', enum: ['auto', 'native', 'ocr'] }, language: { type: 'string', default: 'eng' } } },
          job: true,
          problems: [...PDF_PROBLEMS, 'LANGUAGE_UNAVAILABLE'],
        },
      },
    },
    (req, reply) => extractRoute(ctx, req, reply),
  );
  app.post(
    '/watermark',
    {
      ...upload,
      schema: { summary: 'Text and/or image watermark at any rotation, opacity, position or tiled', doc: { upload: { fields: WATERMARK_FIELDS }, ok: PDF_ANSWER, problems: PDF_PROBLEMS } },
    },
    (req, reply) => watermarkRoute(ctx, req, reply),
  );
  app.post(
    '/merge',
    { ...upload, schema: { summary: 'Two or more PDFs merged in the order sent', doc: { upload: { field: 'files', files: 'many' }, ok: PDF_ANSWER, problems: PDF_PROBLEMS } } },
    (req, reply) => mergeRoute(ctx, req, reply),
  );
  app.post(
    '/split',
    {
      ...upload,
      schema: {
        summary: 'Page ranges as one PDF, or a zip of one PDF per range',
        doc: {
          upload: { fields: { ranges: { type: 'string', examples: ['1-3,5'] }, mode: { type: 'string', enum: ['single', 'zip'] } } },
          ok: { file: ['application/pdf', 'application/zip'] },
          problems: PDF_PROBLEMS,
        },
      },
    },
    (req, reply) => splitRoute(ctx, req, reply),
  );
}

/** The extract-text job: the same extraction, with per-page progress, in the job's own folder. */
export function extractJob(ctx: ServiceContext): JobHandler {
  return async (job) => {
    const payload = job.payload as { method: Method; language: string; inputs: JobInput[] };
    const input = payload.inputs[0];
    if (input === undefined) throw new JobError('UPLOAD_MISSING', 'The job has no input file.');
    const result = await extractText(
      { path: input.path, filename: input.filename, mime: input.mime },
      {
        ...extractOptions(ctx, { method: payload.method, language: payload.language }, job.workDir),
        signal: job.signal,
        progress: (p, m) => job.progress(p, m),
      },
    );
    return { result };
  };
}
