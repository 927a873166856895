// `-progress pipe:1` output parsed into percent, output time, speed and ETA. ffmpeg writes blocks
// of key=value lines, each closed by `progress=continue` (or `progress=end` at the finish).
export interface FfmpegProgress {
  percent: number;
  etaS: number | null;
  outTimeS: number;
  speed: number | null;
}

function number(raw: string | undefined): number | null {
  if (raw === undefined || raw === 'N/A') return null;
  const n = Number(raw.replace(/x$/, '').trim());
  return Number.isFinite(n) ? n : null;
}

/** One finished block's values → a progress figure against the expected output duration. */
export function progressFromBlock(block: ReadonlyMap<string, string>, durationS: number | undefined): FfmpegProgress {
  const us = number(block.get('out_time_us')) ?? number(block.get('out_time_ms'));
  const outTimeS = us === null ? 0 : Math.max(0, us / 1_000_000);
  const rawSpeed = number(block.get('speed'));
  const speed = rawSpeed !== null && rawSpeed > 0 ? rawSpeed : null;
  const ended = block.get('progress') === 'end';
  const known = durationS !== undefined && durationS > 0;
  const percent = ended ? 100 : known ? Math.min(99.9, (outTimeS / durationS) * 100) : 0;
  const etaS = ended ? 0 : known && speed !== null ? Math.max(0, Math.round(((durationS - outTimeS) / speed) * 10) / 10) : null;
  return { percent: Math.round(percent * 10) / 10, etaS, outTimeS, speed };
}

/** Feed it stdout chunks in any split; it hands back one progress figure per completed block. */
export class ProgressParser {
  private partial = '';
  private block = new Map<string, string>();

  constructor(private readonly durationS?: number) {}

  push(chunk: string): FfmpegProgress[] {
    const text = this.partial + chunk;
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    const out: FfmpegProgress[] = [];
    for (const line of lines) {
      const eq = line.indexOf('=');
      if (eq <= 0) continue;
      const key = line.slice(0, eq).trim();
      this.block.set(key, line.slice(eq + 1).trim());
      if (key === 'progress') {
        out.push(progressFromBlock(this.block, this.durationS));
        this.block = new Map();
      }
    }
    return out;
  }
}
