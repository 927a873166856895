// The video processor's limits, from config: upload size and what a probed file may declare.
import { mediaLimitsFromConfig, type MediaLimits } from '../../ffmpeg/index.js';
import type { Config } from '../../kit/index.js';

export interface VideoLimits {
  maxUploadBytes: number;
  media: MediaLimits;
}

export function videoLimits(config: Config): VideoLimits {
  return { maxUploadBytes: config.videoMaxUploadMb * 1024 * 1024, media: mediaLimitsFromConfig(config) };
}
