// ffmpeg argument builders for the video processor's outputs: per-format codecs and quality
// presets (the contract's CRF/speed table), scaling that keeps the aspect and never upscales
// unless asked, and the remux decision (copy streams when the input already fits the target).
import { inputArgs, outputArg, scaleFrame, shortSideScale, type MediaInfo, type VideoStreamInfo } from '../../ffmpeg/index.js';
import type { OutputFormat, Quality } from './params.js';

/** `copyVideo`/`copyAudio`: codecs kept as they are; the first of each is what an encode produces. */
interface ContainerSpec {
  muxer: string;
  contentType: string;
  copyVideo: string[];
  copyAudio: string[];
  tail: string[];
}

export const CONTAINERS: Record<OutputFormat, ContainerSpec> = {
  mp4: { muxer: 'mp4', contentType: 'video/mp4', copyVideo: ['h264'], copyAudio: ['aac'], tail: ['-movflags', '+faststart'] },
  mov: { muxer: 'mov', contentType: 'video/quicktime', copyVideo: ['h264'], copyAudio: ['aac'], tail: ['-movflags', '+faststart'] },
  webm: { muxer: 'webm', contentType: 'video/webm', copyVideo: ['vp9', 'vp8', 'av1'], copyAudio: ['opus', 'vorbis'], tail: [] },
  avi: { muxer: 'avi', contentType: 'video/x-msvideo', copyVideo: ['mpeg4'], copyAudio: ['mp3'], tail: [] },
};

/** The codecs an output holds: the input's when its streams were copied, else the format's encoders'. */
export function outputCodecs(info: MediaInfo, format: OutputFormat, remuxed: boolean): { video: string | null; audio: string | null } {
  const spec = CONTAINERS[format];
  return {
    video: info.video === null ? null : remuxed ? info.video.codec : (spec.copyVideo[0] ?? null),
    audio: info.audio === null ? null : remuxed ? info.audio.codec : (spec.copyAudio[0] ?? null),
  };
}

/** The contract's presets: CRF and x264 speed; VP9 and MPEG-4 equivalents; audio bitrate. */
const PRESETS: Record<Quality, { crf: number; speed: string; vp9Crf: number; vp9Cpu: number; mpeg4Q: number; audioKbps: number; bitsPerPixel: number }> = {
  low: { crf: 28, speed: 'fast', vp9Crf: 40, vp9Cpu: 5, mpeg4Q: 8, audioKbps: 96, bitsPerPixel: 0.06 },
  medium: { crf: 23, speed: 'medium', vp9Crf: 33, vp9Cpu: 4, mpeg4Q: 5, audioKbps: 128, bitsPerPixel: 0.1 },
  high: { crf: 18, speed: 'slow', vp9Crf: 28, vp9Cpu: 2, mpeg4Q: 3, audioKbps: 160, bitsPerPixel: 0.16 },
  ultra: { crf: 15, speed: 'veryslow', vp9Crf: 24, vp9Cpu: 1, mpeg4Q: 2, audioKbps: 192, bitsPerPixel: 0.25 },
};

export interface OutputSize {
  width: number;
  height: number;
  scaled: boolean;
  upscaleRefused: boolean;
}

/**
 * The displayed frame fitted into the requested box, or at a named size (`720p`, width null: the
 * short side, as the media ladder reads it); the aspect is kept and nothing upscaled unless allowed.
 */
export function outputSize(video: VideoStreamInfo, box: { width: number | null; height: number } | null, allowUpscale: boolean): OutputSize {
  const frame = { width: video.displayWidth, height: video.displayHeight };
  const wanted = box === null ? 1 : box.width === null ? shortSideScale(frame, box.height) : Math.min(box.width / frame.width, box.height / frame.height);
  const upscaleRefused = wanted > 1 && !allowUpscale;
  const { width, height } = scaleFrame(frame, upscaleRefused ? 1 : wanted);
  return { width, height, scaled: width !== frame.width || height !== frame.height, upscaleRefused };
}

function audioKbpsFor(quality: Quality, info: MediaInfo): number {
  const source = info.audio?.bitrate;
  // Re-encoding never needs more bits than the source audio had.
  return source === null || source === undefined ? PRESETS[quality].audioKbps : Math.min(PRESETS[quality].audioKbps, Math.max(32, Math.round(source / 1000)));
}

export function audioArgs(format: OutputFormat, kbps: number, info: MediaInfo): string[] {
  if (info.audio === null) return ['-an'];
  const channels = info.audio.channels > 2 ? ['-ac', '2'] : [];
  const codec = format === 'webm' ? 'libopus' : format === 'avi' ? 'libmp3lame' : 'aac';
  return ['-c:a', codec, '-b:a', `${kbps}k`, ...channels];
}

/** Constant-quality video encoder options for a format and preset. */
function qualityVideoArgs(format: OutputFormat, quality: Quality): string[] {
  const p = PRESETS[quality];
  if (format === 'webm') return ['-c:v', 'libvpx-vp9', '-crf', String(p.vp9Crf), '-b:v', '0', '-deadline', 'good', '-cpu-used', String(p.vp9Cpu), '-row-mt', '1'];
  if (format === 'avi') return ['-c:v', 'mpeg4', '-q:v', String(p.mpeg4Q), '-tag:v', 'FMP4'];
  return ['-c:v', 'libx264', '-preset', p.speed, '-crf', String(p.crf), '-profile:v', 'high'];
}

/** Average-bitrate video options for one pass of a two-pass encode (compress). */
export function bitrateVideoArgs(format: OutputFormat, quality: Quality, kbps: number, pass: 1 | 2, passLog: string): string[] {
  const p = PRESETS[quality];
  // Both passes must see the same frames: the null muxer would otherwise drop the duplicates
  // a constant-rate container adds, and the second pass would find the stats incomplete.
  const rate = ['-fps_mode', 'cfr', '-b:v', `${kbps}k`, '-pass', String(pass), '-passlogfile', passLog];
  if (format === 'webm') return ['-c:v', 'libvpx-vp9', ...rate, '-deadline', 'good', '-cpu-used', String(Math.max(p.vp9Cpu, 2)), '-row-mt', '1'];
  if (format === 'avi') return ['-c:v', 'mpeg4', ...rate, '-tag:v', 'FMP4'];
  return ['-c:v', 'libx264', '-preset', p.speed, ...rate];
}

/** Video filter: the target size (after ffmpeg's automatic rotation) in 4:2:0. */
export function videoFilter(size: OutputSize): string[] {
  return ['-vf', `scale=${size.width}:${size.height}:flags=bicubic,setsar=1,format=yuv420p`];
}

export const streamMaps = (info: MediaInfo): string[] => ['-map', '0:v:0', ...(info.audio === null ? [] : ['-map', '0:a:0']), '-sn', '-dn'];

/** Output side: container options and the file. */
export function outputArgs(format: OutputFormat, path: string): string[] {
  return [...CONTAINERS[format].tail, '-f', CONTAINERS[format].muxer, outputArg(path)];
}

/** Copying fits when codecs and pixel format are what the target holds, no scaling is needed, and the bitrate is within the preset's. */
export function canRemux(info: MediaInfo, format: OutputFormat, quality: Quality, size: OutputSize): boolean {
  const v = info.video;
  if (v === null || size.scaled) return false;
  const spec = CONTAINERS[format];
  if (!spec.copyVideo.includes(v.codec) || v.pixFmt !== 'yuv420p') return false;
  if (info.audio !== null && !spec.copyAudio.includes(info.audio.codec)) return false;
  const cap = v.width * v.height * Math.max(v.fps, 1) * PRESETS[quality].bitsPerPixel;
  const bitrate = v.bitrate ?? info.bitrate;
  return bitrate === null || bitrate <= cap;
}

export interface TranscodePlan {
  mode: 'remux' | 'encode';
  size: OutputSize;
  args: string[];
}

export function transcodePlan(input: string, output: string, info: MediaInfo, target: { format: OutputFormat; quality: Quality; size: OutputSize; forceEncode?: boolean }): TranscodePlan {
  const { format, quality, size } = target;
  if (target.forceEncode !== true && canRemux(info, format, quality, size)) {
    return { mode: 'remux', size, args: [...inputArgs(input), ...streamMaps(info), '-c', 'copy', ...outputArgs(format, output)] };
  }
  return {
    mode: 'encode',
    size,
    args: [
      ...inputArgs(input),
      ...streamMaps(info),
      ...videoFilter(size),
      ...qualityVideoArgs(format, quality),
      ...audioArgs(format, audioKbpsFor(quality, info), info),
      ...outputArgs(format, output),
    ],
  };
}
