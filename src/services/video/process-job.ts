// The `process` job: transcode (remux when the input already fits), compress to a size or a
// fraction of the input bitrate, or analyze. Progress and ETA come from ffmpeg's own clock.
import { rm, stat } from 'node:fs/promises';
import { dirname, join, parse } from 'node:path';
import { ffmpegJobError, probe, runFfmpeg, type MediaInfo } from '../../ffmpeg/index.js';
import { JobError, Problem, type JobContext, type JobHandler, type JobInput } from '../../kit/index.js';
import { analysisOf } from './analysis.js';
import { compress, compressBitrates, SIZE_TOLERANCE } from './compress.js';
import { CONTAINERS, outputSize, transcodePlan } from './encode-args.js';
import type { CompressionLevel, Operation, OutputFormat, Quality } from './params.js';
import { diskNeededFor, requireDiskSpace } from './storage.js';

export interface ProcessPayload {
  operation: Operation;
  format: OutputFormat;
  quality: Quality;
  resolution: { width: number | null; height: number } | null;
  allowUpscale: boolean;
  targetSizeMb: number | null;
  compressionLevel: CompressionLevel;
  info: MediaInfo;
  inputs: JobInput[];
}

/** Wall-clock allowance for one job: generous for slow presets on small machines, yet bounded. */
export function jobTimeoutMs(info: MediaInfo): number {
  return Math.min(6 * 3_600_000, 120_000 + Math.ceil(info.durationS * 20_000));
}
export const JOB_STALL_MS = 180_000;

function reporter(ctx: JobContext): (percent: number, etaS: number | null, step: string) => void {
  return (percent, etaS, step) => ctx.progress(percent, etaS === null ? step : `${step}, about ${Math.ceil(etaS)} s left`);
}

function outputSummary(info: MediaInfo): Record<string, unknown> {
  return { duration: info.durationS, width: info.video?.displayWidth ?? null, height: info.video?.displayHeight ?? null, codec: info.video?.codec ?? null, audio_codec: info.audio?.codec ?? null, bitrate: info.bitrate, size_bytes: info.sizeBytes };
}

async function encode(ctx: JobContext, p: ProcessPayload, input: JobInput): Promise<Record<string, unknown>> {
  const { info } = p;
  if (info.video === null) throw new JobError('UNPROCESSABLE', 'The file has no video stream.');
  const size = outputSize(info.video, p.resolution, p.allowUpscale);
  const output = join(ctx.workDir, `${parse(input.filename).name || 'video'}-${p.operation}.${p.format}`);
  const run = { signal: ctx.signal, timeoutMs: jobTimeoutMs(info), stallMs: JOB_STALL_MS - 30_000 };
  const progress = reporter(ctx);
  const extra: Record<string, unknown> = {};
  let errors: string;
  if (p.operation === 'transcode') {
    const plan = transcodePlan(input.path, output, info, { format: p.format, quality: p.quality, size });
    ({ errors } = await runFfmpeg(plan.args, { ...run, durationS: info.durationS, onProgress: (x) => progress(x.percent, x.etaS, plan.mode === 'remux' ? 'remuxing' : 'encoding') }));
    Object.assign(extra, { remuxed: plan.mode === 'remux', quality: p.quality });
  } else {
    const bitrates = compressBitrates(info, p.targetSizeMb, p.compressionLevel);
    const done = await compress({ input: input.path, output, workDir: ctx.workDir, info, format: p.format, quality: p.quality, size, bitrates, run, progress });
    errors = done.errors;
    const actual = (await stat(output)).size;
    Object.assign(extra, {
      video_bitrate_kbps: done.videoKbps, audio_bitrate_kbps: bitrates.audioKbps, second_passes: done.passes,
      ...(bitrates.targetBytes === null
        ? { compression_level: p.compressionLevel }
        : { target_size_bytes: bitrates.targetBytes, size_deviation_percent: Math.round((actual / bitrates.targetBytes - 1) * 1000) / 10, within_tolerance: Math.abs(actual / bitrates.targetBytes - 1) <= SIZE_TOLERANCE }),
      compression_ratio: Math.round((info.sizeBytes / actual) * 100) / 100,
    });
  }
  const produced = await probe(output, { signal: ctx.signal });
  // ffmpeg ends quietly (exit 0) at a truncated input's cut; its logged errors say why.
  if (errors !== '' && produced.durationS < info.durationS * 0.9) {
    throw new JobError('UNPROCESSABLE', `The input is truncated or corrupt: the output stops at ${produced.durationS} s of ${info.durationS} s (ffmpeg: ${errors}).`);
  }
  return {
    operation: p.operation, format: p.format, ...extra,
    upscale_refused: size.upscaleRefused,
    input: outputSummary(info), output_info: outputSummary(produced),
    output: { path: output, filename: parse(output).base, contentType: CONTAINERS[p.format].contentType, size: produced.sizeBytes },
  };
}

export const processJob: JobHandler = async (ctx) => {
  const p = ctx.payload as ProcessPayload;
  const input = p.inputs[0];
  if (input === undefined) throw new JobError('UPLOAD_MISSING', 'The job has no input file.');
  let result: Record<string, unknown>;
  try {
    if (p.operation === 'analyze') result = { operation: 'analyze', filename: input.filename, analysis: analysisOf(p.info) };
    else {
      await requireDiskSpace(ctx.workDir, diskNeededFor(input.size, p.targetSizeMb === null ? null : p.targetSizeMb * 1024 * 1024));
      result = await encode(ctx, p, input);
    }
  } catch (err) {
    if (err instanceof Problem) throw new JobError(err.code, err.message);
    throw ffmpegJobError(err);
  }
  // The upload is no longer needed once the output exists; only the output waits for its download.
  await rm(dirname(input.path), { recursive: true, force: true });
  const out = (result.output as { path?: string } | undefined)?.path;
  return { result, files: out === undefined ? [] : [out] };
};
