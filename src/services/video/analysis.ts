// The contract's analysis fields (duration, width, height, framerate, codec, bitrate, size_bytes,
// audio_codec, format) plus what clients also need: rotation and the displayed size, pixel format,
// the exact frame-rate fraction and the audio details.
import type { MediaInfo } from '../../ffmpeg/index.js';
import { Nullable, StringEnum, Type, type Static } from '../../kit/index.js';
import { VideoFormats } from './formats.js';
import { OPERATIONS } from './params.js';

/** One upload's facts (null where the file has no such stream). */
export const VideoAnalysis = Type.Object({
  duration: Type.Number({ minimum: 0, description: 'Seconds' }),
  width: Nullable(Type.Integer()),
  height: Nullable(Type.Integer()),
  display_width: Nullable(Type.Integer({ description: 'The width a player shows (pixel aspect and rotation applied)' })),
  display_height: Nullable(Type.Integer()),
  rotation: Type.Integer({ minimum: 0, maximum: 359, description: 'Degrees, from the display matrix' }),
  framerate: Nullable(Type.Number()),
  framerate_fraction: Nullable(Type.String({ description: 'As ffprobe wrote it, e.g. `30000/1001`' })),
  codec: Nullable(Type.String()),
  pixel_format: Nullable(Type.String()),
  bitrate: Nullable(Type.Integer({ description: 'Bits per second, the whole file' })),
  video_bitrate: Nullable(Type.Integer()),
  size_bytes: Type.Integer({ minimum: 0 }),
  audio_codec: Nullable(Type.String()),
  audio_channels: Nullable(Type.Integer()),
  audio_sample_rate: Nullable(Type.Integer()),
  audio_bitrate: Nullable(Type.Integer()),
  has_audio: Type.Boolean(),
  has_video: Type.Boolean(),
  format: Type.String({ description: 'The container: mp4, mov, mkv, webm, avi, flv, wmv, …' }),
});

/** `POST /analyze`'s answer. */
export const AnalyzeAnswer = Type.Object({
  filename: Type.String(),
  analysis: VideoAnalysis,
  supported_operations: Type.Array(StringEnum(OPERATIONS)),
  supported_formats: VideoFormats,
});

export function analysisOf(info: MediaInfo): Static<typeof VideoAnalysis> {
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
