// Compression: a bitrate from `target_size_mb` and the duration (or the contract's fraction of
// the input bitrate), encoded in two passes; if the result still misses the target by more than
// the tolerance, pass 2 runs once more with the bitrate corrected by the measured error.
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { inputArgs, runFfmpeg, type FfmpegRunResult, type MediaInfo, type RunFfmpegOptions } from '../../ffmpeg/index.js';
import { Problem } from '../../kit/index.js';
import { audioArgs, bitrateVideoArgs, outputArgs, streamMaps, videoFilter, type OutputSize } from './encode-args.js';
import { COMPRESSION_LEVELS, type CompressionLevel, type OutputFormat, type Quality } from './params.js';

export const MB = 1024 * 1024;
/** Share of the bitrate lost to container overhead (headers, index, interleaving). */
const MUX_OVERHEAD = 0.03;
const MIN_VIDEO_KBPS = 24;
export const SIZE_TOLERANCE = 0.1;

export interface Bitrates {
  videoKbps: number;
  audioKbps: number;
  targetBytes: number | null;
}

/** Bitrates that make the output land on `targetMb` (MiB), or a fraction of the input's. */
export function compressBitrates(info: MediaInfo, targetMb: number | null, level: CompressionLevel): Bitrates {
  const duration = Math.max(info.durationS, 0.1);
  if (targetMb !== null) {
    const targetBytes = Math.round(targetMb * MB);
    const totalKbps = (targetBytes * 8) / 1000 / duration;
    const audioKbps = info.audio === null ? 0 : Math.min(128, Math.max(32, Math.round(totalKbps * 0.1)));
    const videoKbps = Math.floor(totalKbps * (1 - MUX_OVERHEAD) - audioKbps);
    if (videoKbps < MIN_VIDEO_KBPS) {
      const neededMb = ((MIN_VIDEO_KBPS + audioKbps) * 1000 * duration) / 8 / (1 - MUX_OVERHEAD) / MB;
      throw new Problem('UNPROCESSABLE', `target_size_mb ${targetMb} is too small for ${duration.toFixed(1)} s of video; at least ${neededMb.toFixed(2)} MB is needed.`, {
        extensions: { field: 'target_size_mb' },
      });
    }
    return { videoKbps, audioKbps, targetBytes };
  }
  const fraction = COMPRESSION_LEVELS[level];
  const audioSource = info.audio === null ? 0 : (info.audio.bitrate ?? 128_000) / 1000;
  const totalSource = info.bitrate === null ? (info.sizeBytes * 8) / 1000 / duration : info.bitrate / 1000;
  const videoSource = info.video?.bitrate === null || info.video?.bitrate === undefined ? Math.max(totalSource - audioSource, MIN_VIDEO_KBPS) : info.video.bitrate / 1000;
  const audioKbps = info.audio === null ? 0 : Math.min(128, Math.max(32, Math.round(audioSource * Math.max(fraction, 0.5))));
  return { videoKbps: Math.max(MIN_VIDEO_KBPS, Math.round(videoSource * fraction)), audioKbps, targetBytes: null };
}

export interface CompressJob {
  input: string;
  output: string;
  workDir: string;
  info: MediaInfo;
  format: OutputFormat;
  quality: Quality;
  size: OutputSize;
  bitrates: Bitrates;
  run: Pick<RunFfmpegOptions, 'signal' | 'timeoutMs' | 'stallMs'>;
  progress: (percent: number, etaS: number | null, step: string) => void;
}

/** Runs the passes; resolves the final video bitrate and how many second passes it took. */
export async function compress(job: CompressJob): Promise<{ videoKbps: number; passes: number; last: FfmpegRunResult }> {
  const { input, output, info, format, quality, size, bitrates } = job;
  const passLog = join(job.workDir, 'pass');
  const common = [...inputArgs(input), ...streamMaps(info), ...videoFilter(size)];
  const step = (from: number, span: number, label: string): Pick<RunFfmpegOptions, 'durationS' | 'onProgress'> => ({
    durationS: info.durationS,
    onProgress: (p) => job.progress(from + (p.percent * span) / 100, p.etaS, label),
  });
  await runFfmpeg([...common, ...bitrateVideoArgs(format, quality, bitrates.videoKbps, 1, passLog), '-an', '-f', 'null', '-'], { ...job.run, ...step(0, 40, 'analysing (pass 1 of 2)') });
  let videoKbps = bitrates.videoKbps;
  let passes = 0;
  let last: FfmpegRunResult;
  for (;;) {
    passes += 1;
    last = await runFfmpeg([...common, ...bitrateVideoArgs(format, quality, videoKbps, 2, passLog), ...audioArgs(format, bitrates.audioKbps, info), ...outputArgs(format, output)], {
      ...job.run,
      ...step(passes === 1 ? 40 : 80, passes === 1 ? 60 : 20, 'encoding (pass 2 of 2)'),
    });
    if (bitrates.targetBytes === null || passes >= 2) break;
    const actual = (await stat(output)).size;
    const error = actual / bitrates.targetBytes - 1;
    if (Math.abs(error) <= SIZE_TOLERANCE * 0.8) break;
    // Scale only the video share: the audio and the container overhead do not shrink with it.
    const videoBytes = Math.max(1, actual - (bitrates.audioKbps * 1000 * info.durationS) / 8);
    const wantVideoBytes = videoBytes - (actual - bitrates.targetBytes);
    videoKbps = Math.max(MIN_VIDEO_KBPS, Math.round(videoKbps * Math.max(0.2, wantVideoBytes / videoBytes)));
  }
  // The first pass's logs (x264 writes `<passlog>-0.log` and its `.mbtree`) are not part of the result.
  await Promise.all([rm(`${passLog}-0.log`, { force: true }), rm(`${passLog}-0.log.mbtree`, { force: true })]);
  return { videoKbps, passes, last };
}
