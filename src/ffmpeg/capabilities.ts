// What this machine's ffmpeg build can actually do (encoders, muxers, demuxers), read once from
// ffmpeg itself so catalogs never promise a codec the build lacks.
import { runProcess } from '../kit/index.js';

export interface FfmpegCapabilities {
  available: boolean;
  version: string | null;
  encoders: Set<string>;
  muxers: Set<string>;
  demuxers: Set<string>;
}

async function list(args: string[], pattern: RegExp): Promise<Set<string>> {
  const run = await runProcess('ffmpeg', ['-hide_banner', ...args], { timeoutMs: 10_000 });
  const names = new Set<string>();
  if (run.exitCode !== 0) return names;
  for (const line of run.stdout.toString('utf8').split('\n')) {
    const m = pattern.exec(line);
    if (m?.[1] !== undefined) for (const n of m[1].split(',')) names.add(n);
  }
  return names;
}

let cached: Promise<FfmpegCapabilities> | null = null;

export function readFfmpegCapabilities(): Promise<FfmpegCapabilities> {
  cached ??= (async () => {
    const version = await runProcess('ffmpeg', ['-hide_banner', '-version'], { timeoutMs: 10_000 });
    if (version.exitCode !== 0) return { available: false, version: null, encoders: new Set(), muxers: new Set(), demuxers: new Set() };
    const [encoders, muxers, demuxers] = await Promise.all([list(['-encoders'], /^ [VAS][\w.]{5} (\S+)/), list(['-muxers'], /^ [D ]E (\S+)/), list(['-demuxers'], /^ D[E ] (\S+)/)]);
    return { available: true, version: /ffmpeg version (\S+)/.exec(version.stdout.toString())?.[1] ?? 'unknown', encoders, muxers, demuxers };
  })();
  return cached;
}
