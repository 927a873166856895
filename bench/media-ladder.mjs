// A 3-rung HLS ladder (1080p, 720p, 480p) from a 20 s 1080p source: ONE ffmpeg pass (decode once,
// split, encode every rung) vs three separate ffmpeg runs, one per rung (PeerTube's way), with the
// same encoder settings, in the same run. Prints wall times, the ratio (target ≤ 0.7), the
// realtime factor, and the service path (upload → POST /hls-transcode → finished stream) once.
import { Blob } from 'node:buffer';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KEY, freePort, startRole, stop, tempDir, waitReady } from './lib.mjs';

const { buildLadderArgs, FFMPEG_PREAMBLE, inputArgs } = await import('../dist/ffmpeg/index.js');
const { planLadder, parseQualities } = await import('../dist/services/media/ladder.js');

const SECONDS = Number(process.env.BENCH_MEDIA_SECONDS ?? 20);
const data = tempDir('pitchey-bench-media-');

/** CPU seconds of the children this process has waited for (user + system), from /proc. */
function childCpuSeconds() {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

/** Runs ffmpeg to completion: wall seconds and CPU seconds (the machine is shared; CPU is the steadier figure). */
function ffmpeg(args) {
  const started = performance.now();
  const cpu0 = childCpuSeconds();
  const r = spawnSync('ffmpeg', [...FFMPEG_PREAMBLE.filter((a) => a !== '-progress' && a !== 'pipe:1'), ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`ffmpeg failed: ${r.stderr.toString().slice(-600)}`);
  return { wall: (performance.now() - started) / 1000, cpu: childCpuSeconds() - cpu0 };
}
const add = (a, b) => ({ wall: a.wall + b.wall, cpu: a.cpu + b.cpu });

// A camera-like upload: High profile with CABAC at about 8 Mbit/s (an ultrafast source would make
// decoding, the work a single pass shares, unrealistically cheap).
const source = join(data.dir, 'source-1080p.mp4');
ffmpeg(['-f', 'lavfi', '-i', `testsrc2=size=1920x1080:rate=30:duration=${SECONDS}`, '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${SECONDS}`,
  '-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'high', '-b:v', '8M', '-maxrate', '10M', '-bufsize', '16M', '-g', '60', '-pix_fmt', 'yuv420p',
  '-c:a', 'aac', '-b:a', '128k', '-shortest', source]);

const rungs = planLadder(parseQualities('low,medium,high'), { width: 1920, height: 1080, fps: 30 });
const ladder = (rs, dir) => { mkdirSync(dir, { recursive: true }); return buildLadderArgs({ input: inputArgs(source), rungs: rs, audio: true }, { kind: 'hls', dir, segmentSeconds: 6 }); };

const decodeOnly = ffmpeg([...inputArgs(source), '-f', 'null', '-']);
const onePass = ffmpeg(ladder(rungs, join(data.dir, 'one-pass')));
let separate = { wall: 0, cpu: 0 };
for (const [i, rung] of rungs.entries()) separate = add(separate, ffmpeg(ladder([rung], join(data.dir, `separate-${i}`))));

async function servicePath() {
  const port = await freePort();
  const proc = startRole('media', { PITCHEY_DATA_DIR: join(data.dir, 'svc'), PITCHEY_PORT: String(port), PITCHEY_RATE_LIMIT: 'false', PITCHEY_JOB_WAIT_MS: '600000' });
  try {
    await waitReady(`http://127.0.0.1:${port}`);
    const form = new globalThis.FormData();
    form.set('qualities', 'low,medium,high');
    form.set('file', new Blob([readFileSync(source)]), 'source.mp4');
    const started = performance.now();
    const res = await fetch(`http://127.0.0.1:${port}/hls-transcode`, { method: 'POST', headers: { 'x-api-key': KEY }, body: form });
    const body = await res.json();
    if (res.status !== 200) throw new Error(`service answered ${res.status}: ${JSON.stringify(body)}`);
    return (performance.now() - started) / 1000;
  } finally {
    await stop(proc);
  }
}

try {
  const service = await servicePath();
  const ratio = onePass.wall / separate.wall;
  const cpuRatio = onePass.cpu / separate.cpu;
  const fmt = (r) => `${r.wall.toFixed(2)} s wall, ${r.cpu.toFixed(2)} s CPU, realtime factor ${(SECONDS / r.wall).toFixed(2)}x`;
  console.log(`source: ${SECONDS} s 1920x1080 30 fps; ladder: ${rungs.map((r) => `${r.width}x${r.height}`).join(', ')} (x264 veryfast, fMP4 HLS, 6 s segments)`);
  console.log(`OUR  one ffmpeg pass (decode once, split)        ${fmt(onePass)}`);
  console.log(`BASE three ffmpeg runs, one per rung (PeerTube)  ${fmt(separate)}`);
  console.log(`ratio one-pass / separate: wall ${ratio.toFixed(3)}, CPU ${cpuRatio.toFixed(3)} (target <= 0.7) ${ratio <= 0.7 ? 'MET' : 'NOT MET'}`);
  console.log(`decoding the source alone: ${decodeOnly.cpu.toFixed(2)} s CPU, so one pass can save about two decodes: CPU ratio bound ${((separate.cpu - 2 * decodeOnly.cpu) / separate.cpu).toFixed(3)}`);
  console.log(`service path (upload + POST /hls-transcode + master rewrite): ${service.toFixed(2)} s wall (${(service / onePass.wall).toFixed(3)} x the bare one-pass run)`);
} finally {
  data.remove();
}
