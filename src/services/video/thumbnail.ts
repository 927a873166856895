// One still frame: at a timestamp (a timestamp past the end is the client's error, not a black
// frame) or, without one, a representative frame picked by ffmpeg's `thumbnail` filter. With a
// timestamp, ffmpeg runs first with its decoder bounded by `-max_pixels`; the upload is probed
// only when a failure needs explaining (past the end, no video, over a limit).
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { inputArgs, outputArg, runFfmpeg, type MediaInfo } from '../../ffmpeg/index.js';
import { Problem } from '../../kit/index.js';
import type { ImageFormat } from './params.js';

export interface ThumbnailRequest {
  timestamp: number | null;
  width: number | null;
  height: number | null;
  format: ImageFormat;
}

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

/** Without a timestamp: skip the first 5 % (fades from black); `thumbnail` then picks from the next 50 frames. */
export function representativeSeek(durationS: number): number {
  return durationS >= 3 ? Math.round(durationS * 0.05 * 1000) / 1000 : 0;
}

/** The ffmpeg arguments (after the preamble) for one still written to `out`. */
export function thumbnailArgs(input: string, req: ThumbnailRequest, out: string, opts: { seekS: number; maxPixels: number }): string[] {
  const scale = thumbnailScale(req.width, req.height);
  // `thumbnail` holds all 50 candidate frames: scaled first, they cost kilobytes, not 50 4K frames.
  const filter = req.timestamp === null ? `${scale},thumbnail=n=50` : scale;
  return ['-ss', String(opts.seekS), ...inputArgs(input, { maxPixels: opts.maxPixels }), '-map', '0:v:0', '-frames:v', '1', '-vf', filter, ...IMAGE[req.format].args, outputArg(out)];
}

export interface Thumbnail {
  path: string;
  contentType: string;
  ext: string;
}

function checkAgainst(info: MediaInfo, req: ThumbnailRequest): void {
  if (info.video === null) throw new Problem('UNPROCESSABLE', 'The file has no video stream to take a thumbnail from.');
  if (req.timestamp !== null && info.durationS > 0 && req.timestamp >= info.durationS) {
    throw new Problem('UNPROCESSABLE', `timestamp ${req.timestamp} s is past the end of the video (${info.durationS} s).`, { extensions: { field: 'timestamp', duration: info.durationS } });
  }
}

/**
 * `probe` is the upload's probe within limits. With a timestamp, ffmpeg goes first (its decoder
 * bounded by `-max_pixels`) and the probe runs only to explain a failure or a missing frame:
 * past the end, no video, or a limit; without one, the probe's duration places the search.
 */
export async function makeThumbnail(
  input: string,
  probe: () => Promise<MediaInfo>,
  req: ThumbnailRequest,
  dir: string,
  opts: { signal: AbortSignal; timeoutMs: number; maxPixels: number },
): Promise<Thumbnail> {
  const image = IMAGE[req.format];
  const out = { path: join(dir, `thumbnail.${image.ext}`), contentType: image.contentType, ext: image.ext };
  const run = (seekS: number): Promise<unknown> =>
    runFfmpeg(thumbnailArgs(input, req, out.path, { seekS, maxPixels: opts.maxPixels }), { signal: opts.signal, timeoutMs: opts.timeoutMs, stallMs: 30_000 });
  const written = async (): Promise<boolean> =>
    (await stat(out.path).then(
      (s) => s.size,
      () => 0,
    )) > 0;
  if (req.timestamp === null) {
    const info = await probe();
    checkAgainst(info, req);
    await run(representativeSeek(info.durationS));
  } else {
    const failure = await run(req.timestamp).then(
      () => null,
      (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
    );
    if (failure === null && (await written())) return out;
    checkAgainst(await probe(), req);
    if (failure !== null) throw failure;
  }
  if (!(await written())) throw new Problem('UNPROCESSABLE', `No frame could be decoded at ${req.timestamp ?? 0} s; the file may be truncated there.`, { extensions: { field: 'timestamp' } });
  return out;
}
