// A video backlog on a Redis job store, drained by one `pitchey worker video` process against two,
// in the same run: N transcodes (a 1080p clip to 360p, the video service's own `process` job)
// queued at once, then timed from the queue filling to the last completion; each worker runs one
// job at a time. Our figure is two workers' throughput (jobs/min); the baseline is one worker's.
// Both workers are on this machine and share its cores, so the gain here is what a second
// process adds on one host (ffmpeg already uses several threads); on a second host it is the
// machine's worth. The jobs are queued as the service queues them (its payload, the clip probed),
// straight into the store, so no instance's own runner competes for them.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { probe } from '../dist/ffmpeg/index.js';
import { createRedisJobBackend } from '../dist/jobs/index.js';
import { SERVICE_PATHS, serviceDataDir } from '../dist/kit/data-dir.js';
import { CLI, report, setting, startRedis, stop, tempDir, track } from './lib.mjs';

const JOBS = setting('BENCH_VIDEO_JOBS', 8, 4);
const SECONDS = setting('BENCH_CLIP_SECONDS', 6, 3);

const data = tempDir('pitchey-bench-workers-');
const src = join(data.dir, 'source.mp4');
const lavfi = (graph) => ['-f', 'lavfi', '-i', graph];
const made = spawn(
  'ffmpeg',
  [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    ...lavfi(`testsrc2=size=1920x1080:rate=25:duration=${SECONDS}`),
    ...lavfi(`sine=frequency=440:duration=${SECONDS}`),
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    src,
  ],
  {
    stdio: 'inherit',
  },
);
await new Promise((resolve, reject) => made.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`fixture: ffmpeg exited ${code}`)))));
const info = await probe(src);

const redis = await startRedis(data.dir);
const store = createRedisJobBackend({ url: redis.url, namespace: 'video' });
const env = { ...process.env, PITCHEY_JOBS: redis.url, PITCHEY_DATA_DIR: join(data.dir, 'host'), PITCHEY_LOG_LEVEL: 'warn' };
const workRoot = join(serviceDataDir(env.PITCHEY_DATA_DIR, 'video'), SERVICE_PATHS.jobs);

/** Queues one transcode as the video service does: its upload in the job's inputs folder (the job removes it). */
async function enqueue(i) {
  const id = `bench-${Date.now()}-${i}`;
  const inputs = join(workRoot, id, 'inputs');
  mkdirSync(inputs, { recursive: true });
  const path = join(inputs, 'input-0.mp4');
  copyFileSync(src, path);
  const payload = {
    operation: 'transcode',
    format: 'mp4',
    quality: 'medium',
    resolution: { width: null, height: 360 },
    allowUpscale: false,
    targetSizeMb: null,
    compressionLevel: 'medium',
    info,
    inputs: [{ path, filename: 'source.mp4', mime: 'video/mp4', size: statSync(path).size }],
  };
  return (await store.enqueue('process', payload, { id, files: [join(workRoot, id)] }, Date.now())).id;
}

async function drain(workers) {
  const procs = [];
  for (let i = 0; i < workers; i += 1) procs.push(track(spawn(process.execPath, [CLI, 'worker', 'video', '--concurrency', '1'], { env, stdio: ['ignore', 'ignore', 'inherit'] })));
  await sleep(1500); // started and idle: the figure is the backlog's, not the start-up's
  const started = performance.now();
  const ids = [];
  for (let i = 0; i < JOBS; i += 1) ids.push(await enqueue(i));
  for (;;) {
    const jobs = await Promise.all(ids.map((id) => store.get(id)));
    const failed = jobs.find((job) => job?.state === 'failed');
    if (failed) throw new Error(`job failed: ${JSON.stringify(failed.error)}`);
    if (jobs.every((job) => job?.state === 'completed')) break;
    await sleep(100);
  }
  const minutes = (performance.now() - started) / 60_000;
  await Promise.all(procs.map(stop));
  console.log(`${workers} worker(s): ${JOBS} transcodes in ${(minutes * 60).toFixed(1)} s`);
  return JOBS / minutes;
}

try {
  const one = await drain(1);
  const two = await drain(2);
  report({ name: `video backlog, ${JOBS} transcodes 1080p→360p, two worker processes vs one`, ours: two, baseline: one, unit: 'jobs/min', better: 'higher' });
} finally {
  await store.close();
  await stop(redis.child);
  data.remove();
}
