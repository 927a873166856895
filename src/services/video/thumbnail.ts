// One still frame: at a timestamp (a timestamp past the end is the client's error, not a black
// frame) or, without one, a representative frame picked by ffmpeg's `thumbnail` filter.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { inputArgs, outputArg, runFfmpeg, type MediaInfo } from '../../ffmpeg/index.js';
import { Problem } from '../../kit/index.js';
import type { ImageFormat } from './params.js';

export interface ThumbnailRequest { timestamp: number | null; width: number | null; height: number | null; format: ImageFormat }

const IMAGE: Record<ImageFormat, { ext: string; contentType: string; args: string[] }> = {
  jpeg: { ext: 'jpg', contentType: 'image/jpeg', args: ['-c:v', 'mjpeg', '-q:v', '3', '-f', 'image2'] },
  png: { ext: 'png', contentType: 'image/png', args: ['-c:v', 'png', '-f', 'image2'] },
  webp: { ext: 'webp', contentType: 'image/webp', args: ['-c:v', 'libwebp', '-quality', '80', '-f', 'webp'] },
};

/** Both sides: exactly that size; one side: the other follows the aspect; none: fit in 320x240. */
export function thumbnailScale(width: number | null, height: number | null): string {
  if (width !== null && height !== null) return `scale=${width}:${height}`;
  if (width !== null) return `scale=${width}:-2`;
  if (height !== null) return `scale=-2:${height}`;
  return 'scale=320:240:force_original_aspect_ratio=decrease,scale=trunc(iw/2)*2:trunc(ih/2)*2';
}

export interface Thumbnail { path: string; contentType: string; ext: string; timestamp: number | null }

export async function makeThumbnail(input: string, info: MediaInfo, req: ThumbnailRequest, dir: string, opts: { signal?: AbortSignal; timeoutMs: number }): Promise<Thumbnail> {
  if (info.video === null) throw new Problem('UNPROCESSABLE', 'The file has no video stream to take a thumbnail from.');
  if (req.timestamp !== null && info.durationS > 0 && req.timestamp >= info.durationS) {
    throw new Problem('UNPROCESSABLE', `timestamp ${req.timestamp} s is past the end of the video (${info.durationS} s).`, { extensions: { field: 'timestamp', duration: info.durationS } });
  }
  const image = IMAGE[req.format];
  const out = join(dir, `thumbnail.${image.ext}`);
  const scale = thumbnailScale(req.width, req.height);
  // Without a timestamp: skip the first 5 % (fades from black), then let `thumbnail` pick the
  // most typical of the next 50 frames.
  const seek = req.timestamp ?? (info.durationS >= 3 ? Math.round(info.durationS * 0.05 * 1000) / 1000 : 0);
  const filter = req.timestamp === null ? `thumbnail=n=50,${scale}` : scale;
  await runFfmpeg(['-ss', String(seek), ...inputArgs(input), '-map', '0:v:0', '-frames:v', '1', '-vf', filter, ...image.args, outputArg(out)], { ...opts, stallMs: 30_000 });
  const size = await stat(out).then((s) => s.size, () => 0);
  if (size === 0) throw new Problem('UNPROCESSABLE', `No frame could be decoded at ${seek} s; the file may be truncated there.`, { extensions: { field: 'timestamp' } });
  return { path: out, contentType: image.contentType, ext: image.ext, timestamp: req.timestamp };
}
