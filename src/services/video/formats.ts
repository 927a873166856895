// The video formats this build really handles: each container is offered only when the local
// ffmpeg has its demuxer (input) or its muxer and encoders (output). Uploads are accepted by
// the type detected from their content, never by their name.
import { Type, type Static } from '../../kit/index.js';
import type { FfmpegCapabilities } from '../../ffmpeg/index.js';

const INPUTS: Array<{ ext: string; demuxer: string; mimes: string[] }> = [
  { ext: '.mp4', demuxer: 'mp4', mimes: ['video/mp4', 'video/x-m4v'] },
  { ext: '.avi', demuxer: 'avi', mimes: ['video/vnd.avi', 'video/x-msvideo', 'video/avi'] },
  { ext: '.mov', demuxer: 'mov', mimes: ['video/quicktime'] },
  { ext: '.mkv', demuxer: 'matroska', mimes: ['video/matroska', 'video/x-matroska'] },
  { ext: '.webm', demuxer: 'webm', mimes: ['video/webm'] },
  { ext: '.flv', demuxer: 'flv', mimes: ['video/x-flv'] },
  { ext: '.wmv', demuxer: 'asf', mimes: ['video/x-ms-asf', 'video/x-ms-wmv'] },
];

/** Detected content types an upload may have (the inputs above). */
export const ACCEPTED_VIDEO_TYPES: readonly string[] = INPUTS.flatMap((i) => i.mimes);

const OUTPUTS: Array<{ ext: string; muxer: string; encoders: string[] }> = [
  { ext: '.mp4', muxer: 'mp4', encoders: ['libx264', 'aac'] },
  { ext: '.webm', muxer: 'webm', encoders: ['libvpx-vp9', 'libopus'] },
  { ext: '.mov', muxer: 'mov', encoders: ['libx264', 'aac'] },
  { ext: '.avi', muxer: 'avi', encoders: ['mpeg4', 'libmp3lame'] },
];

/** `GET /formats`'s answer: what this build reads and writes, and why any other is missing. */
export const VideoFormats = Type.Object({
  input: Type.Array(Type.String(), { description: 'Containers an upload may be in' }),
  output: Type.Array(Type.String(), { description: 'Containers `/process` can write' }),
  unavailable: Type.Array(Type.Object({ format: Type.String(), reason: Type.String() }), { description: "Formats this machine's ffmpeg cannot handle, and why" }),
});

export function videoFormats(caps: FfmpegCapabilities): Static<typeof VideoFormats> {
  const unavailable: Array<{ format: string; reason: string }> = [];
  const input = INPUTS.filter((i) => {
    const ok = caps.demuxers.has(i.demuxer);
    if (!ok) unavailable.push({ format: i.ext, reason: caps.available ? `ffmpeg lacks the ${i.demuxer} demuxer` : 'ffmpeg is not installed' });
    return ok;
  }).map((i) => i.ext);
  const output = OUTPUTS.filter((o) => {
    const missing = [o.muxer, ...o.encoders].filter((n) => !caps.muxers.has(n) && !caps.encoders.has(n));
    if (missing.length > 0) unavailable.push({ format: o.ext, reason: caps.available ? `ffmpeg lacks ${missing.join(', ')}` : 'ffmpeg is not installed' });
    return missing.length === 0;
  }).map((o) => o.ext);
  return { input, output, unavailable };
}
