// Video processor (:8081, /api/video/): analysis, thumbnails, transcodes and compression on ffmpeg.
// Uploads are probed (within limits) in the request, so bad input is answered at once; the heavy
// work runs as a job with progress and ETA, downloadable until it expires.
import { readFile } from 'node:fs/promises';
import type { FastifyRequest } from 'fastify';
import { ffmpegProblem, probeWithinLimits, readFfmpegCapabilities, type MediaInfo } from '../../ffmpeg/index.js';
import {
  clientGoneSignal,
  Problem,
  type ProblemCode,
  receiveMultipart,
  requireDiskSpace,
  requireFile,
  type ServiceContext,
  type ServiceManifest,
  type Static,
  type UploadedFile,
} from '../../kit/index.js';
import { AnalyzeAnswer, analysisOf } from './analysis.js';
import { compressBitrates } from './compress.js';
import { ACCEPTED_VIDEO_TYPES, VideoFormats, videoFormats } from './formats.js';
import { videoLimits } from './limits.js';
import {
  COMPRESSION_LEVELS,
  IMAGE_FORMATS,
  mergeFields,
  oneOf,
  OPERATIONS,
  OUTPUT_FORMATS,
  parseBoolean,
  parsePositive,
  parseResolution,
  parseSide,
  parseTimestamp,
  QUALITIES,
  type CompressionLevel,
  type Fields,
} from './params.js';
import { jobTimeoutMs, processJob, type ProcessPayload } from './process-job.js';
import { diskNeededFor } from './storage.js';
import { makeThumbnail } from './thumbnail.js';

const SYNC_FFMPEG_MS = 60_000;
const VIDEO_PROBLEMS: ProblemCode[] = ['UNPROCESSABLE', 'DEPENDENCY_MISSING', 'UPSTREAM_TIMEOUT'];
const THUMBNAIL_FIELDS = {
  timestamp: { type: 'string', description: 'seconds or HH:MM:SS; default a representative frame' },
  width: { type: 'integer' },
  height: { type: 'integer' },
  format: { type: 'string', enum: [...IMAGE_FORMATS], default: 'jpeg' },
};
const PROCESS_FIELDS = {
  operation: { type: 'string', enum: [...OPERATIONS], default: 'transcode' },
  format: { type: 'string', enum: [...OUTPUT_FORMATS] },
  quality: { type: 'string', enum: [...QUALITIES] },
  resolution: { type: 'string', description: 'WIDTHxHEIGHT or a named size (720p)' },
  target_size_mb: { type: 'number' },
  compression_level: { type: 'string', enum: Object.keys(COMPRESSION_LEVELS) },
};

/** `dir`: the request's own temp folder (removed after the response), where outputs may go too. */
async function receiveUpload(req: FastifyRequest, ctx: ServiceContext): Promise<{ file: UploadedFile; fields: Fields; dir: string }> {
  const form = await receiveMultipart(req, ctx.tmpDir, { maxBytes: videoLimits(ctx.config).maxUploadBytes, accept: ACCEPTED_VIDEO_TYPES });
  return { file: requireFile(form), fields: mergeFields(form.fields, req.query), dir: form.dir };
}

/** The upload's probe within the configured limits; ffmpeg's failures as Problems. */
function probeUpload(file: UploadedFile, ctx: ServiceContext, signal: AbortSignal): Promise<MediaInfo> {
  return probeWithinLimits(file.path, videoLimits(ctx.config).media, { signal, timeoutMs: 20_000 }).catch((err: unknown) => {
    throw ffmpegProblem(err);
  });
}

async function requireOutputFormat(format: string): Promise<void> {
  const formats = videoFormats(await readFfmpegCapabilities());
  if (!formats.output.includes(`.${format}`))
    throw new Problem('DEPENDENCY_MISSING', `This build cannot write ${format}: ${formats.unavailable.find((u) => u.format === `.${format}`)?.reason ?? 'unavailable'}.`);
}

function processOptions(fields: Fields): Omit<ProcessPayload, 'inputs' | 'info'> {
  return {
    operation: oneOf(fields, 'operation', OPERATIONS, 'transcode'),
    format: oneOf(fields, 'format', OUTPUT_FORMATS, 'mp4'),
    quality: oneOf(fields, 'quality', QUALITIES, 'medium'),
    resolution: parseResolution(fields),
    allowUpscale: parseBoolean(fields, 'allow_upscale'),
    targetSizeMb: parsePositive(fields, 'target_size_mb', 100_000),
    compressionLevel: oneOf(fields, 'compression_level', Object.keys(COMPRESSION_LEVELS) as CompressionLevel[], 'medium'),
  };
}

const safeName = (name: string): string =>
  name
    .replace(/\.[^.]*$/, '')
    .replace(/[^\w.-]+/g, '_')
    .slice(0, 80) || 'video';

export const videoService: ServiceManifest = {
  name: 'video',
  title: 'Pitchey video processor',
  description: 'Video analysis, thumbnails, transcoding and compression on ffmpeg.',
  requiredTools: ['ffmpeg', 'ffprobe'],
  jobHandlers: () => ({ process: processJob }),
  routes(app, ctx) {
    app.get('/formats', { config: { auth: 'public' }, schema: { summary: 'Containers this build reads and writes', doc: { ok: { json: VideoFormats } } } }, async () =>
      videoFormats(await readFfmpegCapabilities()),
    );

    app.post(
      '/analyze',
      {
        schema: { summary: 'Duration, size, frame rate, codecs, bitrate, rotation and pixel format of an uploaded video', doc: { upload: {}, ok: { json: AnalyzeAnswer }, problems: VIDEO_PROBLEMS } },
      },
      async (req, reply): Promise<Static<typeof AnalyzeAnswer>> => {
        const signal = clientGoneSignal(reply);
        const { file } = await receiveUpload(req, ctx);
        const info = await probeUpload(file, ctx, signal);
        return { filename: file.filename, analysis: analysisOf(info), supported_operations: [...OPERATIONS], supported_formats: videoFormats(await readFfmpegCapabilities()) };
      },
    );

    app.post(
      '/thumbnail',
      {
        schema: {
          summary: 'A JPEG (or PNG/WebP) frame at `timestamp`, or a representative frame',
          doc: { upload: { fields: THUMBNAIL_FIELDS }, ok: { file: ['image/jpeg', 'image/png', 'image/webp'] }, problems: VIDEO_PROBLEMS },
        },
      },
      async (req, reply) => {
        const signal = clientGoneSignal(reply);
        const { file, fields, dir } = await receiveUpload(req, ctx);
        const request = { timestamp: parseTimestamp(fields), width: parseSide(fields, 'width'), height: parseSide(fields, 'height'), format: oneOf(fields, 'format', IMAGE_FORMATS, 'jpeg') };
        const maxPixels = videoLimits(ctx.config).media.maxPixels;
        const thumb = await makeThumbnail(file.path, () => probeUpload(file, ctx, signal), request, dir, { signal, timeoutMs: SYNC_FFMPEG_MS, maxPixels }).catch((err: unknown) => {
          throw ffmpegProblem(err);
        });
        return reply
          .type(thumb.contentType)
          .header('content-disposition', `inline; filename="${safeName(file.filename)}.${thumb.ext}"`)
          .header('cache-control', 'no-store')
          .send(await readFile(thumb.path));
      },
    );

    app.post(
      '/process',
      {
        schema: {
          summary: 'Transcode, compress or analyze an uploaded video as a job (`?async=true` answers 202 at once)',
          doc: { upload: { fields: PROCESS_FIELDS }, job: true, problems: [...VIDEO_PROBLEMS, 'STORAGE_INSUFFICIENT'] },
        },
      },
      async (req, reply) => {
        const signal = clientGoneSignal(reply);
        const { file, fields } = await receiveUpload(req, ctx);
        // Options first: a misspelt field is a 400 before any probing.
        const payload = { ...processOptions(fields), info: await probeUpload(file, ctx, signal) };
        const { info } = payload;
        if (payload.operation !== 'analyze') {
          if (info.video === null) throw new Problem('UNPROCESSABLE', 'The file has no video stream to transcode or compress.');
          await requireOutputFormat(payload.format);
          // Refuses an unreachable target size now rather than in the job.
          const target = payload.operation === 'compress' ? compressBitrates(info, payload.targetSizeMb, payload.compressionLevel).targetBytes : null;
          await requireDiskSpace(ctx.jobs.workRoot, diskNeededFor(file.size, target));
        }
        return ctx.submit(req, reply, { type: 'process', payload, inputs: [file], timeoutMs: jobTimeoutMs(info) + 60_000 });
      },
    );
  },
};
