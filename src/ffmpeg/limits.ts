// Limits checked on the probe, before anything is decoded: a small file that declares a huge
// frame (a "dimension bomb") or an absurd duration is refused instead of exhausting the host.
import type { Config } from '../kit/index.js';
import { FfmpegError } from './errors.js';
import { probe, type MediaInfo, type ProbeOptions } from './probe.js';

export interface MediaLimits {
  maxWidth: number;
  maxHeight: number;
  /** Width × height of one frame. */
  maxPixels: number;
  maxDurationS: number;
}

/** 8K in either orientation; six hours. */
export const DEFAULT_MEDIA_LIMITS: MediaLimits = { maxWidth: 8192, maxHeight: 8192, maxPixels: 8192 * 4320, maxDurationS: 6 * 3600 };

/** The limits an operator configured (PITCHEY_MEDIA_MAX_*). */
export function mediaLimitsFromConfig(config: Pick<Config, 'mediaMaxDimension' | 'mediaMaxPixels' | 'mediaMaxDurationS'>): MediaLimits {
  return { maxWidth: config.mediaMaxDimension, maxHeight: config.mediaMaxDimension, maxPixels: config.mediaMaxPixels, maxDurationS: config.mediaMaxDurationS };
}

/** Throws an `invalid-input` FfmpegError naming the limit the file breaks. */
export function checkMediaLimits(info: MediaInfo, limits: MediaLimits = DEFAULT_MEDIA_LIMITS): void {
  const v = info.video;
  if (v !== null) {
    if (v.width <= 0 || v.height <= 0) throw new FfmpegError('invalid-input', 'the video stream declares no valid frame size');
    if (v.width > limits.maxWidth || v.height > limits.maxHeight || v.width * v.height > limits.maxPixels) {
      throw new FfmpegError('invalid-input', `the video declares ${v.width}x${v.height}, beyond the limit of ${limits.maxWidth}x${limits.maxHeight} (${limits.maxPixels} pixels)`);
    }
  }
  if (!Number.isFinite(info.durationS) || info.durationS > limits.maxDurationS) {
    throw new FfmpegError('invalid-input', `the media declares a duration of ${Math.round(info.durationS)} s, beyond the limit of ${limits.maxDurationS} s`);
  }
}

/** The safe way in: a bounded probe, then the limits. */
export async function probeWithinLimits(path: string, limits: MediaLimits = DEFAULT_MEDIA_LIMITS, opts: ProbeOptions = {}): Promise<MediaInfo> {
  const info = await probe(path, opts);
  checkMediaLimits(info, limits);
  return info;
}
