// Receiving a multipart upload (the kit's receiveMultipart: parse, write to disk, detect the type
// by content) beside merely reading the same request body and discarding it, in the same run: the
// floor any upload route pays. A 10 s 1080p H.264 clip (about 4 MB), the video routes' typical input.
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { median, postMultipart, report, setting, tempDir } from './lib.mjs';
import { receiveMultipart } from '../dist/kit/uploads.js';

const RUNS = setting('BENCH_RUNS', 25, 3);
const CLIP_SECONDS = setting('BENCH_CLIP_SECONDS', 10, 2);
const data = tempDir('pitchey-bench-upload-');
const clip = join(data.dir, 'clip.mp4');
const made = spawnSync('ffmpeg', [
  '-hide_banner',
  '-loglevel',
  'error',
  '-y',
  '-f',
  'lavfi',
  '-i',
  `testsrc2=size=1920x1080:rate=25:duration=${CLIP_SECONDS}`,
  '-c:v',
  'libx264',
  '-preset',
  'veryfast',
  '-b:v',
  '3000k',
  '-pix_fmt',
  'yuv420p',
  clip,
]);
if (made.status !== 0) throw new Error(`fixture: ${made.stderr}`);

const server = createServer(async (req, res) => {
  const started = performance.now();
  if (req.url === '/drain') for await (const _ of req);
  // receiveMultipart needs only the request's headers and raw stream from Fastify's request.
  else await receiveMultipart({ headers: req.headers, raw: req }, join(data.dir, 'tmp'), { maxBytes: 64 * 1024 * 1024, accept: ['video/*'] });
  res.end(String(performance.now() - started));
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${server.address().port}`;
const size = statSync(clip).size;
async function post(path) {
  return Number((await postMultipart(`${base}${path}`, {}, { path: clip, name: 'clip.mp4' })).body.toString());
}
const times = { drain: [], receive: [] };
for (let i = 0; i < RUNS + 3; i++) {
  const d = await post('/drain');
  const r = await post('/receive');
  if (i >= 3) {
    times.drain.push(d);
    times.receive.push(r);
  }
}
server.close();
data.remove();
console.log(`multipart upload of ${(size / 1e6).toFixed(1)} MB over loopback, server-side ms, median of ${RUNS}`);
console.log('| path | median ms |\n|---|---|');
console.log(`| receiveMultipart (parse, to disk, type by content) | ${median(times.receive).toFixed(1)} |`);
console.log(`| read the body and discard it (baseline) | ${median(times.drain).toFixed(1)} |`);
report({ name: 'multipart upload received (parse, to disk, type) vs body read and discarded', ours: median(times.receive), baseline: median(times.drain), unit: 'ms', better: 'lower' });
