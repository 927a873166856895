// Test media generated on the spot with ffmpeg's lavfi sources (test pattern + tone): small,
// fast (ultrafast/realtime encoders), never downloaded, written into the caller's temp folder.
import { readdirSync, readFileSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runProcess } from '../../src/kit/index.js';

export type ClipCodec = 'h264' | 'vp9' | 'mpeg4' | 'wmv2';
export type ClipContainer = 'mp4' | 'mkv' | 'webm' | 'avi' | 'mov' | 'flv' | 'wmv';

export interface ClipOptions {
  /** File name without extension; the container's extension is added. */
  name: string;
  seconds: number;
  width: number;
  height: number;
  fps?: number;
  audio?: boolean;
  /** Display-matrix rotation (mp4/mov only), as ffprobe reports it. */
  rotate?: 0 | 90 | 180 | 270;
  codec?: ClipCodec;
  container?: ClipContainer;
  /** Average video bitrate in kbit/s (default: the encoder's own, high for ultrafast test patterns). */
  videoKbps?: number;
  /** mp4/mov: index (moov) first, so a truncated copy still probes but cannot be decoded to the end. */
  faststart?: boolean;
  /** Pixel format of the video stream; default yuv420p. */
  pixFmt?: string;
}

const VIDEO_ARGS: Record<ClipCodec, string[]> = {
  h264: ['-c:v', 'libx264', '-preset', 'ultrafast'],
  vp9: ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '300k'],
  mpeg4: ['-c:v', 'mpeg4', '-q:v', '5'],
  wmv2: ['-c:v', 'wmv2', '-q:v', '5'],
};

const DEFAULT_CODEC: Record<ClipContainer, ClipCodec> = { mp4: 'h264', mkv: 'h264', webm: 'vp9', avi: 'mpeg4', mov: 'h264', flv: 'h264', wmv: 'wmv2' };
const AUDIO_ARGS: Record<ClipContainer, string[]> = {
  mp4: ['-c:a', 'aac', '-b:a', '64k'],
  mkv: ['-c:a', 'aac', '-b:a', '64k'],
  mov: ['-c:a', 'aac', '-b:a', '64k'],
  flv: ['-c:a', 'aac', '-b:a', '64k'],
  webm: ['-c:a', 'libopus', '-b:a', '48k'],
  avi: ['-c:a', 'libmp3lame', '-b:a', '64k'],
  wmv: ['-c:a', 'wmav2', '-b:a', '64k'],
};

async function ffmpeg(args: string[]): Promise<void> {
  const run = await runProcess('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args], { timeoutMs: 120_000 });
  if (run.exitCode !== 0) throw new Error(`ffmpeg fixture failed: ${run.spawnError ?? run.stderr.trim().slice(-800)}`);
}

/** Writes `<dir>/<name>.<container>` and returns its path. */
export async function makeClip(dir: string, opts: ClipOptions): Promise<string> {
  const container = opts.container ?? 'mp4';
  const codec = opts.codec ?? DEFAULT_CODEC[container];
  const fps = opts.fps ?? 25;
  const rotate = opts.rotate ?? 0;
  if (rotate !== 0 && container !== 'mp4' && container !== 'mov') throw new Error('rotation metadata is written for mp4/mov only');
  const out = join(dir, `${opts.name}.${container}`);
  const target = rotate === 0 ? out : join(dir, `${opts.name}.unrotated.${container}`);
  const args = ['-f', 'lavfi', '-i', `testsrc2=size=${opts.width}x${opts.height}:rate=${fps}:duration=${opts.seconds}`];
  if (opts.audio ?? true) args.push('-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${opts.seconds}`);
  args.push(...VIDEO_ARGS[codec], ...(opts.videoKbps === undefined ? [] : ['-b:v', `${opts.videoKbps}k`]), '-pix_fmt', opts.pixFmt ?? 'yuv420p', '-g', String(fps * 2));
  if (opts.audio ?? true) args.push(...AUDIO_ARGS[container]);
  if (opts.faststart === true) args.push('-movflags', '+faststart');
  args.push('-t', String(opts.seconds), target);
  await ffmpeg(args);
  if (rotate !== 0) {
    // ffmpeg 5.1 drops the rotate tag while encoding but turns it into a display matrix on a copy.
    await ffmpeg(['-i', target, '-c', 'copy', '-metadata:s:v:0', `rotate=${rotate}`, `${out}.tmp.${container}`]);
    await rename(`${out}.tmp.${container}`, out);
    await rm(target, { force: true });
  }
  return out;
}

/** The first `keepBytes` of a clip: a truncated file for the "corrupt input" cases. */
export async function truncateCopy(src: string, dest: string, keepBytes: number): Promise<string> {
  await writeFile(dest, (await readFile(src)).subarray(0, keepBytes));
  return dest;
}

/**
 * A "dimension bomb": a tiny AVI (one 16x16 raw frame) whose headers declare `side`x`side` (16000² = 256 megapixels), the
 * kind of file that makes a naive decoder allocate gigabytes. Only limits checked on the probe stop it.
 */
export async function makeDimensionBomb(dir: string, name = 'bomb', side = 16000): Promise<string> {
  const out = join(dir, `${name}.avi`);
  await ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=16x16:rate=1:duration=1', '-c:v', 'rawvideo', '-pix_fmt', 'bgr24', '-frames:v', '1', out]);
  const bytes = await readFile(out);
  const avih = bytes.indexOf('avih');
  const strf = bytes.indexOf('strf');
  if (avih < 0 || strf < 0) throw new Error('unexpected AVI layout');
  // avih: width/height at data+32/+36; strf (BITMAPINFOHEADER): biWidth/biHeight at data+4/+8.
  for (const at of [avih + 8 + 32, avih + 8 + 36, strf + 8 + 4, strf + 8 + 8]) bytes.writeUInt32LE(side, at);
  await writeFile(out, bytes);
  return out;
}

/** ffmpeg processes that are our descendants (the test runner's tree). */
export function ffmpegChildren(): number[] {
  const mine = new Set([process.pid]);
  const found: number[] = [];
  const procs = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return { pid: Number(pid), ppid: Number(after[1]), comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) };
      } catch {
        return null;
      }
    })
    .filter((p) => p !== null);
  for (let grew = true; grew;) {
    grew = false;
    for (const p of procs)
      if (mine.has(p.ppid) && !mine.has(p.pid)) {
        mine.add(p.pid);
        grew = true;
        if (p.comm.startsWith('ffmpeg')) found.push(p.pid);
      }
  }
  return found;
}
