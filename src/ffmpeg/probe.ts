// ffprobe's JSON turned into the facts services use. Frame rates stay fractions parsed by a regex
// (never evaluated); rotation comes from the display matrix; the probe itself is bounded.
import { stat } from 'node:fs/promises';
import { runProcess } from '../kit/index.js';
import { FfmpegError, stderrReason } from './errors.js';

export interface VideoStreamInfo {
  codec: string;
  width: number;
  height: number;
  /** The size a player shows: the pixel aspect applied to the width, then swapped for a 90/270 rotation. */
  displayWidth: number;
  displayHeight: number;
  /** Display-matrix rotation in degrees, 0..359, as ffprobe reports it. */
  rotation: number;
  fps: number;
  /** The frame rate as ffprobe wrote it, e.g. `30000/1001`. */
  fpsFraction: string;
  pixFmt: string;
  bitrate: number | null;
}

export interface AudioStreamInfo {
  codec: string;
  channels: number;
  sampleRate: number;
  bitrate: number | null;
}

export interface MediaInfo {
  /** Short container name: mp4, mov, mkv, webm, avi, flv, wmv, … */
  container: string;
  durationS: number;
  sizeBytes: number;
  bitrate: number | null;
  video: VideoStreamInfo | null;
  audio: AudioStreamInfo | null;
}

type Json = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
function num(v: unknown): number | null {
  const s = str(v);
  if (s === '' || s === 'N/A') return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

/** `num/den` → its value, or null when it is not a positive fraction. */
export function parseFraction(raw: unknown): { value: number; text: string } | null {
  const m = /^(\d{1,9})\/(\d{1,9})$/.exec(str(raw));
  if (m === null) return null;
  const n = Number(m[1]);
  const d = Number(m[2]);
  if (n === 0 || d === 0) return null;
  return { value: Math.round((n / d) * 1000) / 1000, text: `${n}/${d}` };
}

function rotationOf(stream: Json): number {
  const sides = Array.isArray(stream.side_data_list) ? (stream.side_data_list as Json[]) : [];
  const matrix = sides.find((s) => s.side_data_type === 'Display Matrix');
  const tags = (stream.tags ?? {}) as Json;
  const raw = num(matrix?.rotation) ?? num(tags.rotate) ?? 0;
  return ((Math.round(raw) % 360) + 360) % 360;
}

const WEBM_CODECS = new Set(['vp8', 'vp9', 'av1', 'opus', 'vorbis']);

function containerOf(format: Json, streams: Json[]): string {
  const names = str(format.format_name).split(',');
  const tags = (format.tags ?? {}) as Json;
  if (names.includes('mov') || names.includes('mp4')) return str(tags.major_brand).trim() === 'qt' ? 'mov' : 'mp4';
  if (names.includes('matroska') || names.includes('webm')) return streams.every((s) => WEBM_CODECS.has(str(s.codec_name))) ? 'webm' : 'mkv';
  if (names.includes('asf')) return 'wmv';
  return names[0] ?? 'unknown';
}

function videoOf(stream: Json | undefined): VideoStreamInfo | null {
  if (stream === undefined) return null;
  const width = num(stream.width) ?? 0;
  const height = num(stream.height) ?? 0;
  const rotation = rotationOf(stream);
  const turned = rotation === 90 || rotation === 270;
  // Anamorphic video (non-square pixels) is shown wider or narrower than it is stored.
  const sar = /^(\d{1,6}):(\d{1,6})$/.exec(str(stream.sample_aspect_ratio));
  const sarValue = sar === null || Number(sar[1]) === 0 || Number(sar[2]) === 0 ? 1 : Number(sar[1]) / Number(sar[2]);
  const shownWidth = Math.round(width * sarValue);
  const rate = parseFraction(stream.avg_frame_rate) ?? parseFraction(stream.r_frame_rate);
  return {
    codec: str(stream.codec_name),
    width,
    height,
    displayWidth: turned ? height : shownWidth,
    displayHeight: turned ? shownWidth : height,
    rotation,
    fps: rate?.value ?? 0,
    fpsFraction: rate?.text ?? '0/1',
    pixFmt: str(stream.pix_fmt),
    bitrate: num(stream.bit_rate),
  };
}

function audioOf(stream: Json | undefined): AudioStreamInfo | null {
  if (stream === undefined) return null;
  return { codec: str(stream.codec_name), channels: num(stream.channels) ?? 0, sampleRate: num(stream.sample_rate) ?? 0, bitrate: num(stream.bit_rate) };
}

/** ffprobe `-show_format -show_streams` JSON → MediaInfo (pure; exported for tests). */
export function parseProbeJson(json: unknown, sizeBytes: number): MediaInfo {
  const root = (json ?? {}) as Json;
  const format = (root.format ?? {}) as Json;
  const streams = Array.isArray(root.streams) ? (root.streams as Json[]) : [];
  const isCover = (s: Json): boolean => ((s.disposition ?? {}) as Json).attached_pic === 1;
  const video = videoOf(streams.find((s) => s.codec_type === 'video' && !isCover(s)));
  const audio = audioOf(streams.find((s) => s.codec_type === 'audio'));
  const durationS = num(format.duration) ?? Math.max(0, ...streams.map((s) => num(s.duration) ?? 0));
  return { container: containerOf(format, streams), durationS: Math.round(durationS * 1000) / 1000, sizeBytes, bitrate: num(format.bit_rate), video, audio };
}

export interface ProbeOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

/**
 * Probes a local file with bounded effort: only the `file` protocol, a capped probe size and
 * analysis window, a deadline. Anything ffprobe cannot read is an `invalid-input` FfmpegError.
 */
export async function probe(path: string, opts: ProbeOptions = {}): Promise<MediaInfo> {
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const size = await stat(path).then(
    (s) => s.size,
    () => {
      throw new FfmpegError('invalid-input', 'the file does not exist');
    },
  );
  const run = await runProcess(
    'ffprobe',
    ['-v', 'error', '-probesize', '20000000', '-analyzeduration', '10000000', '-protocol_whitelist', 'file', '-print_format', 'json', '-show_format', '-show_streams', `file:${path}`],
    { timeoutMs, maxStdoutBytes: 4 * 1024 * 1024, ...(opts.signal === undefined ? {} : { signal: opts.signal }) },
  );
  if (run.spawnError !== null) throw new FfmpegError('unavailable', `ffprobe could not start: ${run.spawnError}`);
  if (run.timedOut) throw new FfmpegError('timeout', `ffprobe did not finish within ${Math.round(timeoutMs / 1000)} s`);
  if (run.aborted) throw new FfmpegError('aborted', 'the probe was cancelled');
  if (run.outputExceeded) throw new FfmpegError('invalid-input', 'the file declares an implausible number of streams');
  if (run.exitCode !== 0) throw new FfmpegError('invalid-input', stderrReason(run.stderr) || 'ffprobe could not read the file');
  let json: unknown;
  try {
    json = JSON.parse(run.stdout.toString('utf8'));
  } catch {
    throw new FfmpegError('failed', 'ffprobe wrote unreadable JSON');
  }
  const info = parseProbeJson(json, size);
  if (info.video === null && info.audio === null) throw new FfmpegError('invalid-input', 'the file contains no audio or video stream');
  return info;
}
