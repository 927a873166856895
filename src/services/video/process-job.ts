// The `process` job: transcode (remux when the input already fits), compress to a size or a
// fraction of the input bitrate, or analyze. Progress and ETA come from ffmpeg's own clock.
import { rm, stat } from 'node:fs/promises';
import { dirname, join, parse } from 'node:path';
import { ffmpegJobError, runFfmpeg, type FfmpegRunResult, type MediaInfo } from '../../ffmpeg/index.js';
import { JobError, Problem, requireDiskSpace, type JobContext, type JobHandler, type JobInput } from '../../kit/index.js';
import { analysisOf } from './analysis.js';
import { compress, compressBitrates, SIZE_TOLERANCE } from './compress.js';
import { CONTAINERS, outputCodecs, outputSize, transcodePlan, type OutputSize } from './encode-args.js';
import type { CompressionLevel, Operation, OutputFormat, Quality } from './params.js';
import { diskNeededFor } from './storage.js';

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

function inputSummary(info: MediaInfo): Record<string, unknown> {
  return {
    duration: info.durationS,
    width: info.video?.displayWidth ?? null,
    height: info.video?.displayHeight ?? null,
    codec: info.video?.codec ?? null,
    audio_codec: info.audio?.codec ?? null,
    bitrate: info.bitrate,
    size_bytes: info.sizeBytes,
  };
}

/**
 * The output as ffmpeg wrote it: its end time from ffmpeg's last progress report, the size and
 * codecs the plan gave it, the bytes on disk. No second probe: it would cost a whole ffprobe start
 * (about 0.15 CPU-s of library loading) per job for facts the run already told us.
 */
function producedSummary(info: MediaInfo, format: OutputFormat, remuxed: boolean, size: OutputSize, durationS: number, bytes: number): Record<string, unknown> {
  const codecs = outputCodecs(info, format, remuxed);
  return {
    duration: Math.round(durationS * 1000) / 1000,
    width: size.width,
    height: size.height,
    codec: codecs.video,
    audio_codec: codecs.audio,
    bitrate: durationS > 0 ? Math.round((bytes * 8) / durationS) : null,
    size_bytes: bytes,
  };
}

async function encode(ctx: JobContext, p: ProcessPayload, input: JobInput): Promise<Record<string, unknown>> {
  const { info } = p;
  if (info.video === null) throw new JobError('UNPROCESSABLE', 'The file has no video stream.');
  const size = outputSize(info.video, p.resolution, p.allowUpscale);
  const output = join(ctx.workDir, `${parse(input.filename).name || 'video'}-${p.operation}.${p.format}`);
  const run = { signal: ctx.signal, timeoutMs: jobTimeoutMs(info), stallMs: JOB_STALL_MS - 30_000 };
  const progress = reporter(ctx);
  // What each operation adds to the result, given the output's size on disk.
  let details: (bytes: number) => Record<string, unknown>;
  let last: FfmpegRunResult;
  let remuxed = false;
  if (p.operation === 'transcode') {
    const plan = transcodePlan(input.path, output, info, { format: p.format, quality: p.quality, size });
    remuxed = plan.mode === 'remux';
    last = await runFfmpeg(plan.args, { ...run, durationS: info.durationS, onProgress: (x) => progress(x.percent, x.etaS, remuxed ? 'remuxing' : 'encoding') });
    details = () => ({ remuxed, quality: p.quality });
  } else {
    const bitrates = compressBitrates(info, p.targetSizeMb, p.compressionLevel);
    const done = await compress({ input: input.path, output, workDir: ctx.workDir, info, format: p.format, quality: p.quality, size, bitrates, run, progress });
    last = done.last;
    details = (actual) => ({
      video_bitrate_kbps: done.videoKbps,
      audio_bitrate_kbps: bitrates.audioKbps,
      second_passes: done.passes,
      ...(bitrates.targetBytes === null
        ? { compression_level: p.compressionLevel }
        : {
            target_size_bytes: bitrates.targetBytes,
            size_deviation_percent: Math.round((actual / bitrates.targetBytes - 1) * 1000) / 10,
            within_tolerance: Math.abs(actual / bitrates.targetBytes - 1) <= SIZE_TOLERANCE,
          }),
      compression_ratio: Math.round((info.sizeBytes / actual) * 100) / 100,
    });
  }
  // ffmpeg ends quietly (exit 0) at a truncated input's cut; its logged errors say why.
  if (last.errors !== '' && last.outTimeS < info.durationS * 0.9) {
    throw new JobError('UNPROCESSABLE', `The input is truncated or corrupt: the output stops at ${Math.round(last.outTimeS * 100) / 100} s of ${info.durationS} s (ffmpeg: ${last.errors}).`);
  }
  const bytes = (await stat(output)).size;
  return {
    operation: p.operation,
    format: p.format,
    ...details(bytes),
    upscale_refused: size.upscaleRefused,
    input: inputSummary(info),
    output_info: producedSummary(info, p.format, remuxed, size, last.outTimeS, bytes),
    output: { path: output, filename: parse(output).base, contentType: CONTAINERS[p.format].contentType, size: bytes },
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
    throw err instanceof Problem ? err : ffmpegJobError(err);
  }
  // The upload is no longer needed once the output exists; only the output waits for its download.
  await rm(dirname(input.path), { recursive: true, force: true });
  const out = (result.output as { path?: string } | undefined)?.path;
  return { result, files: out === undefined ? [] : [out] };
};
