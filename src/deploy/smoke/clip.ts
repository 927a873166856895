// The one input the media journeys need: a one-second test clip (pattern + tone) made with the
// local ffmpeg, once per process, so nothing is downloaded and no binary lives in the repository.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProcess } from '../../kit/index.js';

let clip: Promise<Buffer> | null = null;

async function make(): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'pitchey-smoke-'));
  try {
    const out = join(dir, 'smoke.mp4');
    const run = await runProcess(
      'ffmpeg',
      [
        '-hide_banner',
        '-nostdin',
        '-loglevel',
        'error',
        '-f',
        'lavfi',
        '-i',
        'testsrc2=size=320x240:rate=15:duration=2',
        '-f',
        'lavfi',
        '-i',
        'sine=frequency=440:duration=2',
        '-c:v',
        'libx264',
        '-preset',
        'ultrafast',
        '-pix_fmt',
        'yuv420p',
        '-c:a',
        'aac',
        '-shortest',
        '-movflags',
        '+faststart',
        out,
      ],
      { timeoutMs: 30_000 },
    );
    if (run.spawnError !== null) throw new Error(`ffmpeg is needed to make the smoke clip: ${run.spawnError}`);
    if (run.exitCode !== 0) throw new Error(`ffmpeg could not make the smoke clip: ${run.stderr.trim().split('\n').at(-1) ?? ''}`);
    return await readFile(out);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A 2 s 320x240 H.264/AAC MP4; made once per process, retried after a failure. */
export function smokeClip(): Promise<Buffer> {
  clip ??= make().catch((err: unknown) => {
    clip = null;
    throw err;
  });
  return clip;
}
