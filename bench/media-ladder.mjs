// A 3-rung HLS ladder (1080p, 720p, 480p) from a 20 s 1080p source: ONE ffmpeg pass (decode once,
// split, encode every rung) vs three separate ffmpeg runs, one per rung (PeerTube's way), with the
// same encoder settings, in the same run. Prints wall times, the ratio (target ≤ 0.7), the
// realtime factor, and the service path (upload → POST /hls-transcode → finished stream) once.
// This shared machine's speed drifts by a third from minute to minute, so the two sides alternate
// over BENCH_RUNS rounds (default 3) and medians are compared, with each round's ratio shown.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { KEY, cpuMs, freePort, median, postMultipart, report, setting, startRole, stop, tempDir, waitReady } from './lib.mjs';

const { buildLadderArgs, FFMPEG_PREAMBLE, inputArgs } = await import('../dist/ffmpeg/index.js');
const { planLadder, parseQualities } = await import('../dist/services/media/ladder.js');

const SECONDS = setting('BENCH_MEDIA_SECONDS', 20, 2);
const RUNS = setting('BENCH_RUNS', 3, 1);
const data = tempDir('pitchey-bench-media-');

// CPU seconds of this process and the children it has waited for: spawnSync blocks it, so the
// figure is the ffmpeg run's.
const cpuSeconds = () => cpuMs(process.pid) / 1000;

/** Runs ffmpeg to completion: wall seconds and CPU seconds (the machine is shared; CPU is the steadier figure). */
function ffmpeg(args) {
  const started = performance.now();
  const cpu0 = cpuSeconds();
  const r = spawnSync('ffmpeg', [...FFMPEG_PREAMBLE.filter((a) => a !== '-progress' && a !== 'pipe:1'), ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`ffmpeg failed: ${r.stderr.toString().slice(-600)}`);
  return { wall: (performance.now() - started) / 1000, cpu: cpuSeconds() - cpu0 };
}
const add = (a, b) => ({ wall: a.wall + b.wall, cpu: a.cpu + b.cpu });

// A camera-like upload: High profile with CABAC at about 8 Mbit/s (an ultrafast source would make
// decoding, the work a single pass shares, unrealistically cheap).
const source = join(data.dir, 'source-1080p.mp4');
ffmpeg([
  '-f',
  'lavfi',
  '-i',
  `testsrc2=size=1920x1080:rate=30:duration=${SECONDS}`,
  '-f',
  'lavfi',
  '-i',
  `sine=frequency=440:sample_rate=48000:duration=${SECONDS}`,
  '-c:v',
  'libx264',
  '-preset',
  'veryfast',
  '-profile:v',
  'high',
  '-b:v',
  '8M',
  '-maxrate',
  '10M',
  '-bufsize',
  '16M',
  '-g',
  '60',
  '-pix_fmt',
  'yuv420p',
  '-c:a',
  'aac',
  '-b:a',
  '128k',
  '-shortest',
  source,
]);

const { rungs } = planLadder(parseQualities('low,medium,high'), { width: 1920, height: 1080, fps: 30 });
const ladder = (rs, dir) => {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return buildLadderArgs({ input: inputArgs(source), rungs: rs, audio: true }, { kind: 'hls', dir, segmentSeconds: 6 });
};

const decodeOnly = ffmpeg([...inputArgs(source), '-f', 'null', '-']);
const runOnePass = () => ffmpeg(ladder(rungs, join(data.dir, 'one-pass')));
const runSeparate = () => rungs.reduce((sum, rung, i) => add(sum, ffmpeg(ladder([rung], join(data.dir, `separate-${i}`)))), { wall: 0, cpu: 0 });
const rounds = [];
for (let i = 0; i < RUNS; i++) {
  // Alternate which side goes first, so drift on the shared machine hits both alike.
  if (i % 2 === 0) {
    const one = runOnePass();
    rounds.push({ one, sep: runSeparate() });
  } else {
    const sep = runSeparate();
    rounds.push({ one: runOnePass(), sep });
  }
}
const mid = (side) => ({ wall: median(rounds.map((r) => r[side].wall)), cpu: median(rounds.map((r) => r[side].cpu)) });
const onePass = mid('one');
const separate = mid('sep');

async function servicePath() {
  const port = await freePort();
  const proc = startRole('media', { PITCHEY_DATA_DIR: join(data.dir, 'svc'), PITCHEY_PORT: String(port), PITCHEY_RATE_LIMIT: 'false', PITCHEY_JOB_WAIT_MS: '600000' });
  try {
    await waitReady(`http://127.0.0.1:${port}`);
    const started = performance.now();
    const res = await postMultipart(`http://127.0.0.1:${port}/hls-transcode`, { qualities: 'low,medium,high' }, { path: source, name: 'source.mp4' }, { 'x-api-key': KEY });
    if (res.status !== 200) throw new Error(`service answered ${res.status}: ${res.body.toString()}`);
    return (performance.now() - started) / 1000;
  } finally {
    await stop(proc);
  }
}

try {
  const service = await servicePath();
  const ratio = onePass.wall / separate.wall;
  const fmt = (r) => `${r.wall.toFixed(2)} s wall, ${r.cpu.toFixed(2)} s CPU, realtime factor ${(SECONDS / r.wall).toFixed(2)}x`;
  console.log(`source: ${SECONDS} s 1920x1080 30 fps; ladder: ${rungs.map((r) => `${r.width}x${r.height}`).join(', ')} (x264 veryfast, fMP4 HLS, 6 s segments)`);
  console.log(`medians of ${RUNS} alternating rounds`);
  console.log(`OUR  one ffmpeg pass (decode once, split)        ${fmt(onePass)}`);
  console.log(`BASE three ffmpeg runs, one per rung (PeerTube)  ${fmt(separate)}`);
  // A round's two sides ran back to back, so the median of the rounds' ratios is the figure that
  // drift disturbs least; the ratio of the medians is shown beside it.
  const paired = median(rounds.map((r) => r.one.wall / r.sep.wall));
  console.log(`each round's ratio (wall / CPU): ${rounds.map((r) => `${(r.one.wall / r.sep.wall).toFixed(3)} / ${(r.one.cpu / r.sep.cpu).toFixed(3)}`).join(', ')}`);
  console.log(
    `ratio one-pass / separate: wall ${paired.toFixed(3)} (median of the rounds; ratio of the medians ${ratio.toFixed(3)}), CPU ${median(rounds.map((r) => r.one.cpu / r.sep.cpu)).toFixed(3)} (target <= 0.7) ${paired <= 0.7 ? 'MET' : 'NOT MET'}`,
  );
  // Not a bound: three processes also pay three encoder start-ups and compete for the cores, so
  // one pass measures below this on some runs.
  console.log(`decoding the source alone: ${decodeOnly.cpu.toFixed(2)} s CPU; sharing two decodes alone would give a CPU ratio of ${((separate.cpu - 2 * decodeOnly.cpu) / separate.cpu).toFixed(3)}`);
  // Both sides run the same x264 work (most of the CPU); one pass can only save the shared decode
  // and scaling, and keep both cores busier. Its best wall time is its CPU spread over every core.
  const cores = availableParallelism();
  const floors = rounds.map((r) => r.one.cpu / cores / r.sep.wall);
  console.log(
    `cores busy: one pass ${(onePass.cpu / onePass.wall).toFixed(2)}, separate ${(separate.cpu / separate.wall).toFixed(2)} of ${cores}; one pass keeping all ${cores} busy would reach a wall ratio of ${median(floors).toFixed(3)} (median of the rounds)`,
  );
  console.log(`service path (upload + POST /hls-transcode + master rewrite): ${service.toFixed(2)} s wall (${(service / onePass.wall).toFixed(3)} x the bare one-pass run)`);
  report({
    name: '3-rung HLS ladder, one ffmpeg pass vs one run per rung (wall, median of rounds)',
    ours: median(rounds.map((r) => r.one.wall)),
    baseline: median(rounds.map((r) => r.sep.wall)),
    unit: 's',
    better: 'lower',
  });
  report({ name: '3-rung HLS ladder, one ffmpeg pass vs one run per rung (CPU)', ours: onePass.cpu, baseline: separate.cpu, unit: 'CPU s', better: 'lower' });
  report({ name: 'HLS ladder through the service vs the bare one-pass run', ours: service, baseline: onePass.wall, unit: 's', better: 'lower' });
} finally {
  data.remove();
}
