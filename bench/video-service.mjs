// The video processor over HTTP (`pitchey serve video`: upload, probe, job, download) against the
// identical ffmpeg command run directly on the same file, in the same run: a thumbnail at 5 s and
// a 1080p → 720p transcode of a 10 s clip. Our figure is the client's wall time (the upload sent
// as curl -F sends it); target ≤ 1.05×.
// The machine is shared, so CPU seconds are reported too (the service process with the ffmpeg it
// ran, against the direct ffmpeg): they do not drift with other people's load.
import { spawn, spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_MEDIA_LIMITS, FFMPEG_PREAMBLE, probe } from '../dist/ffmpeg/index.js';
import { outputSize, transcodePlan } from '../dist/services/video/encode-args.js';
import { thumbnailArgs } from '../dist/services/video/thumbnail.js';
import { KEY, cpuMs, freePort, median, postMultipart, report, setting, startRole, stop, tempDir, track, waitReady } from './lib.mjs';

const SECONDS = setting('BENCH_CLIP_SECONDS', 10, 2);
const THUMB_RUNS = setting('BENCH_THUMB_RUNS', 7, 1);
const TRANSCODE_RUNS = setting('BENCH_TRANSCODE_RUNS', 2, 1);
const AT = Math.min(5, SECONDS / 2);

const data = tempDir('pitchey-bench-video-');
const src = join(data.dir, 'source.mp4');
const made = spawnSync('ffmpeg', [
  '-hide_banner',
  '-loglevel',
  'error',
  '-y',
  '-f',
  'lavfi',
  '-i',
  `testsrc2=size=1920x1080:rate=25:duration=${SECONDS}`,
  '-f',
  'lavfi',
  '-i',
  `sine=frequency=440:sample_rate=48000:duration=${SECONDS}`,
  '-c:v',
  'libx264',
  '-preset',
  'veryfast',
  '-b:v',
  '3000k',
  '-pix_fmt',
  'yuv420p',
  '-c:a',
  'aac',
  '-b:a',
  '128k',
  src,
]);
if (made.status !== 0) throw new Error(`fixture: ${made.stderr}`);

function runDirect(args) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const cpu0 = cpuMs(process.pid);
    // Detached like the kit's runProcess: a session of its own, so the kernel's autogroup
    // scheduling treats both sides alike on a shared machine.
    const p = track(spawn('ffmpeg', [...FFMPEG_PREAMBLE, ...args], { stdio: ['ignore', 'ignore', 'pipe'], detached: true }), { group: true });
    let err = '';
    p.stderr.on('data', (c) => {
      err += c;
    });
    p.on('close', (code) => (code === 0 ? resolve({ ms: performance.now() - started, cpu: cpuMs(process.pid) - cpu0 }) : reject(new Error(err))));
  });
}

async function post(base, path, fields) {
  const res = await postMultipart(`${base}${path}`, fields, { path: src, name: 'source.mp4' }, { 'x-api-key': KEY });
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${res.body.toString()}`);
  return res.body;
}

async function viaService(base, kind) {
  const started = performance.now();
  const cpu0 = cpuMs(svc.pid);
  if (kind === 'thumbnail') {
    const body = await post(base, '/thumbnail', { timestamp: String(AT), width: '320' });
    return { ms: performance.now() - started, cpu: cpuMs(svc.pid) - cpu0, bytes: body.length };
  }
  const job = JSON.parse((await post(base, '/process', { operation: 'transcode', format: 'mp4', quality: 'medium', resolution: '1280x720' })).toString());
  const file = Buffer.from(await (await fetch(`${base}${job.download_url}`, { headers: { 'x-api-key': KEY } })).arrayBuffer());
  return { ms: performance.now() - started, cpu: cpuMs(svc.pid) - cpu0, bytes: file.length, remuxed: job.result.remuxed };
}

const port = await freePort();
const svc = startRole('video', { PITCHEY_DATA_DIR: data.dir, PITCHEY_PORT: String(port), PITCHEY_RATE_LIMIT: 'false', PITCHEY_JOB_WAIT_MS: '600000', PITCHEY_JOB_CONCURRENCY: '1' });
try {
  const base = `http://127.0.0.1:${port}`;
  await waitReady(base);
  const info = await probe(src);
  const thumbOut = join(data.dir, 'direct.jpg');
  const mp4Out = join(data.dir, 'direct.mp4');
  const cases = [
    {
      kind: 'thumbnail',
      runs: THUMB_RUNS,
      out: thumbOut,
      args: thumbnailArgs(src, { timestamp: AT, width: 320, height: null, format: 'jpeg' }, thumbOut, { seekS: AT, maxPixels: DEFAULT_MEDIA_LIMITS.maxPixels }),
    },
    {
      kind: 'transcode',
      runs: TRANSCODE_RUNS,
      out: mp4Out,
      args: transcodePlan(src, mp4Out, info, { format: 'mp4', quality: 'medium', size: outputSize(info.video, { width: 1280, height: 720 }, false) }).args,
    },
  ];
  console.log(`video service vs the same ffmpeg command, ${SECONDS} s 1920x1080 H.264 source (${(statSync(src).size / 1e6).toFixed(1)} MB), 2 shared cores; medians`);
  for (const c of cases) {
    await runDirect(c.args); // warm-up (page cache, codec init), discarded
    await viaService(base, c.kind);
    const direct = [];
    const service = [];
    let last = null;
    for (let i = 0; i < c.runs; i++) {
      // Alternate the order so drift on the shared machine hits both sides alike.
      if (i % 2 === 0) {
        direct.push(await runDirect(c.args));
        last = await viaService(base, c.kind);
        service.push(last);
      } else {
        last = await viaService(base, c.kind);
        service.push(last);
        direct.push(await runDirect(c.args));
      }
    }
    const ours = median(service.map((r) => r.ms));
    const baseline = median(direct.map((r) => r.ms));
    const oursCpu = median(service.map((r) => r.cpu));
    const baseCpu = median(direct.map((r) => r.cpu));
    const same = Math.abs(last.bytes - statSync(c.out).size) <= Math.max(1024, statSync(c.out).size * 0.01) ? 'same output size' : `output ${last.bytes} B vs ${statSync(c.out).size} B`;
    console.log(
      `${c.kind.padEnd(10)} wall: service ${ours.toFixed(0).padStart(6)} ms  direct ffmpeg ${baseline.toFixed(0).padStart(6)} ms  ratio ${(ours / baseline).toFixed(3)} (target ≤ 1.05)  runs ${c.runs}  ${same}${c.kind === 'transcode' ? `, realtime ×${(SECONDS / (ours / 1000)).toFixed(2)}` : ''}`,
    );
    console.log(
      `${''.padEnd(10)} CPU:  service ${oursCpu.toFixed(0).padStart(6)} ms  direct ffmpeg ${baseCpu.toFixed(0).padStart(6)} ms  ratio ${(oursCpu / baseCpu).toFixed(3)} (service process + its ffmpeg, load-independent)`,
    );
    report({ name: `video ${c.kind} through the service vs the same ffmpeg command (wall)`, ours, baseline, unit: 'ms', better: 'lower' });
    report({ name: `video ${c.kind} through the service vs the same ffmpeg command (CPU)`, ours: oursCpu, baseline: baseCpu, unit: 'CPU ms', better: 'lower' });
  }
} finally {
  await stop(svc);
  data.remove();
}
