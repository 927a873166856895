import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FfmpegError, probe, runFfmpeg, type FfmpegProgress } from '../../src/ffmpeg/index.js';
import { makeTempDir } from '../helpers.js';
import { ffmpegChildren } from '../support/media-fixtures.js';

const tmp = makeTempDir('pitchey-run-');
afterAll(() => tmp.remove());

const lavfi = (seconds: number): string[] => ['-f', 'lavfi', '-i', `testsrc2=size=160x120:rate=25:duration=${seconds}`];

describe('runFfmpeg', () => {
  it('runs an encode and reports rising progress ending at 100 %', async () => {
    const out = join(tmp.dir, 'out.mp4');
    const seen: FfmpegProgress[] = [];
    await runFfmpeg([...lavfi(2), '-c:v', 'libx264', '-preset', 'ultrafast', out], { durationS: 2, timeoutMs: 30_000, onProgress: (p) => seen.push(p) });
    expect(seen.at(-1)).toMatchObject({ percent: 100, etaS: 0 });
    expect(seen.map((p) => p.percent)).toEqual([...seen.map((p) => p.percent)].sort((a, b) => a - b));
    expect((await probe(out)).durationS).toBeCloseTo(2, 1);
  });

  it('fails with ffmpeg\'s own reason', async () => {
    const err = await runFfmpeg(['-i', `file:${join(tmp.dir, 'missing.mp4')}`, join(tmp.dir, 'x.mp4')], { timeoutMs: 10_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FfmpegError);
    expect((err as FfmpegError).reason).toMatch(/missing\.mp4: No such file/);
    expect((err as FfmpegError).reason).not.toContain(tmp.dir);
  });

  it('is killed with its whole tree on abort, at the deadline and when it stalls', async () => {
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 500);
    await expect(runFfmpeg(['-re', ...lavfi(600), '-f', 'null', '-'], { timeoutMs: 30_000, signal: ctl.signal })).rejects.toMatchObject({ kind: 'aborted' });
    expect(ffmpegChildren()).toEqual([]);
    await expect(runFfmpeg(['-re', ...lavfi(600), '-f', 'null', '-'], { timeoutMs: 700 })).rejects.toMatchObject({ kind: 'timeout' });
    expect(ffmpegChildren()).toEqual([]);
    // A FIFO nobody writes: ffmpeg blocks opening its input and never makes progress.
    const fifo = join(tmp.dir, 'never.fifo');
    execFileSync('mkfifo', [fifo]);
    await expect(runFfmpeg(['-i', `file:${fifo}`, '-f', 'null', '-'], { timeoutMs: 30_000, stallMs: 700 })).rejects.toMatchObject({ kind: 'stalled' });
    expect(ffmpegChildren()).toEqual([]);
  });
});
