import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FfmpegError, ffmpegJobError, ffmpegProblem, probe, runFfmpeg, type FfmpegProgress } from '../../src/ffmpeg/index.js';
import type { JobError, Problem } from '../../src/kit/index.js';
import { jobOutcome } from '../../src/kit/service-jobs.js';
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

  it("fails with ffmpeg's own reason", async () => {
    const err = await runFfmpeg(['-i', `file:${join(tmp.dir, 'missing.mp4')}`, join(tmp.dir, 'x.mp4')], { timeoutMs: 10_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FfmpegError);
    expect((err as FfmpegError).reason).toMatch(/missing\.mp4: No such file/);
    expect((err as FfmpegError).reason).not.toContain(tmp.dir);
  });

  it('tells broken input (422) from a run that failed on our side (500) and a tool that cannot start (503)', async () => {
    const asProblem = (err: unknown): Problem => ffmpegProblem(err) as Problem;
    const notMedia = join(tmp.dir, 'not-media.mp4');
    execFileSync('sh', ['-c', `head -c 4096 /dev/urandom > '${notMedia}'`]);
    const broken = await runFfmpeg(['-i', `file:${notMedia}`, join(tmp.dir, 'y.mp4')], { timeoutMs: 10_000 }).catch((e: unknown) => e);
    expect(asProblem(broken)).toMatchObject({ status: 422, extensions: { ffmpeg_error: 'invalid-input' } });
    const ours = await runFfmpeg([...lavfi(1), '-c:v', 'no_such_encoder', join(tmp.dir, 'z.mp4')], { timeoutMs: 10_000 }).catch((e: unknown) => e);
    expect(asProblem(ours)).toMatchObject({ status: 500, code: 'INTERNAL_ERROR', extensions: { ffmpeg_error: 'failed' } });
    // In a job the same split decides what the processing objectives count: broken input is the
    // client's (rejected, not counted), a failed run is ours (failed).
    const settledAs = (err: unknown): string => jobOutcome({ state: 'failed', error: { code: (ffmpegJobError(err) as JobError).code, message: '' } });
    expect([settledAs(broken), settledAs(ours)]).toEqual(['rejected', 'failed']);
    const path = process.env.PATH;
    process.env.PATH = tmp.dir; // no ffmpeg here
    const missing = await runFfmpeg([...lavfi(1), join(tmp.dir, 'w.mp4')], { timeoutMs: 10_000 })
      .catch((e: unknown) => e)
      .finally(() => {
        process.env.PATH = path;
      });
    expect(asProblem(missing)).toMatchObject({ status: 503, code: 'DEPENDENCY_MISSING', extensions: { ffmpeg_error: 'unavailable' } });
    expect((missing as FfmpegError).reason).toMatch(/could not start/);
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
