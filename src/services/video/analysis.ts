// The contract's analysis fields (duration, width, height, framerate, codec, bitrate, size_bytes,
// audio_codec, format) plus what clients also need: rotation and the displayed size, pixel format,
// the exact frame-rate fraction and the audio details.
import type { MediaInfo } from '../../ffmpeg/index.js';

export function analysisOf(info: MediaInfo): Record<string, unknown> {
  const v = info.video;
  const a = info.audio;
  return {
    duration: info.durationS,
    width: v?.width ?? null,
    height: v?.height ?? null,
    display_width: v?.displayWidth ?? null,
    display_height: v?.displayHeight ?? null,
    rotation: v?.rotation ?? 0,
    framerate: v?.fps ?? null,
    framerate_fraction: v?.fpsFraction ?? null,
    codec: v?.codec ?? null,
    pixel_format: v?.pixFmt ?? null,
    bitrate: info.bitrate,
    video_bitrate: v?.bitrate ?? null,
    size_bytes: info.sizeBytes,
    audio_codec: a?.codec ?? null,
    audio_channels: a?.channels ?? null,
    audio_sample_rate: a?.sampleRate ?? null,
    audio_bitrate: a?.bitrate ?? null,
    has_audio: a !== null,
    has_video: v !== null,
    format: info.container,
  };
}
