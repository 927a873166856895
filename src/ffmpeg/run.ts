// Every ffmpeg run goes through here: argv only, progress parsed into percent/ETA, a deadline, a
// no-progress watchdog, the last stderr lines kept for the reason, the whole tree killed on abort.
import { runProcess } from '../kit/index.js';
import { FfmpegError, looksLikeInputFault, stderrReason } from './errors.js';
import { ProgressParser, type FfmpegProgress } from './progress.js';

export interface RunFfmpegOptions {
  /** Expected output duration, for percent and ETA. */
  durationS?: number;
  timeoutMs: number;
  /** Abort when the output has not advanced for this long; default 60 s. */
  stallMs?: number;
  signal?: AbortSignal;
  onProgress?: (p: FfmpegProgress) => void;
  cwd?: string;
}

/** The options every run starts with: quiet but for errors, machine-readable progress on stdout. */
export const FFMPEG_PREAMBLE = ['-hide_banner', '-nostdin', '-y', '-loglevel', 'error', '-progress', 'pipe:1', '-nostats'] as const;

/**
 * `-i` for a file we own: `file:` so a name never selects another protocol, and only files may be
 * opened; `maxPixels` makes the decoder itself refuse larger frames (a guard even before a probe).
 */
export function inputArgs(path: string, opts: { maxPixels?: number } = {}): string[] {
  return [...(opts.maxPixels === undefined ? [] : ['-max_pixels', String(opts.maxPixels)]), '-protocol_whitelist', 'file', '-i', `file:${path}`];
}

/** An output path with the `file:` protocol, for the same reason as inputs. */
export function outputArg(path: string): string {
  return `file:${path}`;
}

/**
 * A run that exited 0 may still have logged errors (a truncated input ends the run early, quietly).
 * `outTimeS` is the output's end time as ffmpeg reported it last (0 when it reported none).
 */
export interface FfmpegRunResult {
  errors: string;
  outTimeS: number;
}

export async function runFfmpeg(args: string[], opts: RunFfmpegOptions): Promise<FfmpegRunResult> {
  const stallMs = opts.stallMs ?? 60_000;
  const control = new AbortController();
  let stalled = false;
  const onOuterAbort = (): void => control.abort();
  if (opts.signal?.aborted === true) control.abort();
  opts.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const watchdog = setTimeout(() => {
    stalled = true;
    control.abort();
  }, stallMs);
  const parser = new ProgressParser(opts.durationS);
  let lastMark = '';
  let outTimeS = 0;
  try {
    const run = await runProcess('ffmpeg', [...FFMPEG_PREAMBLE, ...args], {
      timeoutMs: opts.timeoutMs,
      signal: control.signal,
      keepStdout: false,
      stderrTailBytes: 16 * 1024,
      ...(opts.cwd === undefined ? {} : { cwd: opts.cwd }),
      onStdout: (chunk) => {
        for (const p of parser.push(chunk.toString('utf8'))) {
          const mark = `${p.outTimeS}|${p.percent}`;
          if (mark !== lastMark) {
            lastMark = mark;
            watchdog.refresh();
          }
          outTimeS = Math.max(outTimeS, p.outTimeS);
          opts.onProgress?.(p);
        }
      },
    });
    if (run.spawnError !== null) throw new FfmpegError('unavailable', `ffmpeg could not start: ${run.spawnError}`);
    const reason = stderrReason(run.stderr);
    if (run.timedOut) throw new FfmpegError('timeout', `ffmpeg ran past its ${Math.round(opts.timeoutMs / 1000)} s limit${reason === '' ? '' : `: ${reason}`}`);
    if (stalled && run.aborted) throw new FfmpegError('stalled', `ffmpeg made no progress for ${Math.round(stallMs / 1000)} s${reason === '' ? '' : `: ${reason}`}`);
    if (run.aborted) throw new FfmpegError('aborted', 'the ffmpeg run was cancelled');
    if (run.exitCode !== 0) {
      const why = reason === '' ? `ffmpeg exited with ${run.exitCode ?? run.signal ?? 'an error'}` : reason;
      throw new FfmpegError(looksLikeInputFault(run.stderr) ? 'invalid-input' : 'failed', why);
    }
    return { errors: reason, outTimeS };
  } finally {
    clearTimeout(watchdog);
    opts.signal?.removeEventListener('abort', onOuterAbort);
  }
}
