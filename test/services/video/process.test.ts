import { existsSync } from 'node:fs';
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probe } from '../../../src/ffmpeg/index.js';
import { makeTempDir, until } from '../../helpers.js';
import { parseQualities, planLadder } from '../../../src/services/media/ladder.js';
import { ffmpegChildren, makeClip, truncateCopy } from '../../support/media-fixtures.js';
import { get, jobDir, settle, startVideo, upload, type Answer, type Harness } from './harness.js';

const tmp = makeTempDir('pitchey-video-proc-');
let h: Harness;
let h264 = '';
let avi = '';

beforeAll(async () => {
  h = await startVideo();
  [h264, avi] = await Promise.all([
    makeClip(tmp.dir, { name: 'clip', seconds: 2, width: 320, height: 240, videoKbps: 150 }),
    makeClip(tmp.dir, { name: 'old', seconds: 3, width: 320, height: 240, container: 'avi', codec: 'mpeg4' }),
  ]);
});
afterAll(async () => {
  await h.close();
  tmp.remove();
});

/** Downloads a finished job's output and probes it. */
async function fetchOutput(r: Answer, name: string): Promise<Awaited<ReturnType<typeof probe>>> {
  expect(r.status, JSON.stringify(r.json)).toBe(200);
  const file = await get(h, String(r.json.download_url));
  expect(file.status).toBe(200);
  const path = join(tmp.dir, name);
  await writeFile(path, file.body);
  const out = await probe(path);
  // The result's output facts come from the run itself (no second probe): they must agree with one.
  const said = (r.json.result as { output_info: Record<string, unknown> }).output_info;
  expect(said).toMatchObject({ width: out.video?.displayWidth, height: out.video?.displayHeight, codec: out.video?.codec, audio_codec: out.audio?.codec ?? null, size_bytes: out.sizeBytes });
  expect(Math.abs(Number(said.duration) - out.durationS)).toBeLessThan(0.15);
  return out;
}

/** pitchey_jobs_settled_total of process jobs by outcome, from the service's /metrics. */
async function settledJobs(): Promise<Record<'completed' | 'failed' | 'rejected', number>> {
  const text = (await get(h, '/metrics')).body.toString('utf8');
  const count = (outcome: string): number => Number(new RegExp(`^pitchey_jobs_settled_total\\{[^}]*job_type="process"[^}]*outcome="${outcome}"[^}]*\\} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return { completed: count('completed'), failed: count('failed'), rejected: count('rejected') };
}

describe('POST /process transcode', () => {
  it('re-encodes to H.264/AAC mp4 with faststart and downloads it', async () => {
    const r = await upload(h, '/process', avi, { operation: 'transcode', format: 'mp4', quality: 'low' });
    expect(r.json).toMatchObject({ status: 'completed', progress: 100, output_file: 'old-transcode.mp4', result: { operation: 'transcode', remuxed: false, format: 'mp4' } });
    const out = await fetchOutput(r, 'a.mp4');
    expect(out).toMatchObject({ container: 'mp4', video: { codec: 'h264', width: 320, height: 240, pixFmt: 'yuv420p' }, audio: { codec: 'aac' } });
    expect(out.durationS).toBeCloseTo(3, 0);
    expect(r.json.output_size).toBe(out.sizeBytes);
    // +faststart: the index (moov) comes before the media data (mdat).
    const body = (await get(h, String(r.json.download_url))).body;
    expect(body.indexOf('moov')).toBeLessThan(body.indexOf('mdat'));
  });

  it('remuxes without re-encoding when the input already fits the target', async () => {
    const r = await upload(h, '/process', h264, { operation: 'transcode', format: 'mov' });
    expect(r.json.result).toMatchObject({ remuxed: true });
    const out = await fetchOutput(r, 'b.mov');
    expect(out).toMatchObject({ container: 'mov', video: { codec: 'h264', width: 320, height: 240 } });
  });

  it('writes VP9/Opus webm, scaled into the requested box with the aspect kept', async () => {
    const r = await upload(h, '/process', h264, { operation: 'transcode', format: 'webm', quality: 'low', resolution: '200x200' });
    const out = await fetchOutput(r, 'c.webm');
    expect(out).toMatchObject({ container: 'webm', video: { codec: 'vp9', width: 200, height: 150 }, audio: { codec: 'opus' } });
  });

  it('applies the rotation when re-encoding a portrait clip, and writes MPEG-4/MP3 avi', async () => {
    const portrait = await makeClip(tmp.dir, { name: 'portrait', seconds: 1, width: 320, height: 180, rotate: 90 });
    const r = await upload(h, '/process', portrait, { operation: 'transcode', format: 'avi', quality: 'low' });
    const out = await fetchOutput(r, 'p.avi');
    expect(out).toMatchObject({ container: 'avi', video: { codec: 'mpeg4', width: 180, height: 320, rotation: 0 }, audio: { codec: 'mp3' } });
  });

  it('never upscales unless asked', async () => {
    const refused = await upload(h, '/process', avi, { operation: 'transcode', resolution: '1280x720', quality: 'low' });
    expect(refused.json.result).toMatchObject({ upscale_refused: true });
    expect((await fetchOutput(refused, 'd.mp4')).video).toMatchObject({ width: 320, height: 240 });
    const allowed = await upload(h, '/process', h264, { operation: 'transcode', resolution: '480p', allow_upscale: 'true', quality: 'low' });
    expect((await fetchOutput(allowed, 'e.mp4')).video).toMatchObject({ width: 640, height: 480 });
  });

  it('reads "240p" as the short side, as the media ladder does: a portrait clip stays portrait', async () => {
    const tall = await makeClip(tmp.dir, { name: 'tall', seconds: 1, width: 360, height: 640 });
    const r = await upload(h, '/process', tall, { operation: 'transcode', quality: 'low', resolution: '240p' });
    expect((await fetchOutput(r, 'tall.mp4')).video).toMatchObject({ width: 240, height: 426 });
    const src = (await probe(tall)).video!;
    const [mobile] = planLadder(parseQualities('mobile'), { width: src.displayWidth, height: src.displayHeight, fps: src.fps }).rungs;
    expect(mobile).toMatchObject({ width: 240, height: 426 });
  });

  it('serves the output with HTTP Range and reports analyze jobs without a file', async () => {
    const r = await upload(h, '/process', h264, { operation: 'transcode' });
    const part = await get(h, String(r.json.download_url), { range: 'bytes=0-99' });
    expect([part.status, part.body.length, part.headers.get('content-range')]).toEqual([206, 100, `bytes 0-99/${String(r.json.output_size)}`]);
    const a = await upload(h, '/process', h264, { operation: 'analyze' });
    expect(a.json).toMatchObject({ status: 'completed', result: { operation: 'analyze', analysis: { width: 320, codec: 'h264' } } });
    expect(a.json.download_url).toBeUndefined();
  });

  it('answers 400 for unknown options', async () => {
    expect((await upload(h, '/process', h264, { operation: 'explode' })).status).toBe(400);
    expect((await upload(h, '/process', h264, { format: 'gif' })).status).toBe(400);
    expect((await upload(h, '/process', h264, { resolution: 'huge' })).status).toBe(400);
  });
});

describe('POST /process compress', () => {
  it('lands within ±10 % of target_size_mb', async () => {
    const r = await upload(h, '/process', avi, { operation: 'compress', target_size_mb: '0.1' });
    const out = await fetchOutput(r, 'f.mp4');
    const target = 0.1 * 1024 * 1024;
    expect(Math.abs(out.sizeBytes / target - 1)).toBeLessThanOrEqual(0.1);
    expect(r.json.result).toMatchObject({ operation: 'compress', target_size_bytes: Math.round(target), within_tolerance: true });
    expect(out.video).toMatchObject({ codec: 'h264', width: 320, height: 240 });
  });

  it('reaches the target in webm (VP9 two-pass) too', async () => {
    const r = await upload(h, '/process', avi, { operation: 'compress', format: 'webm', target_size_mb: '0.08', quality: 'low' });
    const out = await fetchOutput(r, 'f.webm');
    expect(out.video?.codec).toBe('vp9');
    expect(Math.abs(out.sizeBytes / (0.08 * 1024 * 1024) - 1)).toBeLessThanOrEqual(0.1);
  });

  it("without a target, takes the contract's fraction of the input bitrate", async () => {
    const r = await upload(h, '/process', avi, { operation: 'compress', compression_level: 'heavy' });
    const out = await fetchOutput(r, 'g.mp4');
    const input = await probe(avi);
    expect(out.sizeBytes).toBeLessThan(input.sizeBytes * 0.6);
    expect(r.json.result).toMatchObject({ compression_level: 'heavy' });
  });

  it('refuses a target too small to reach, before any job', async () => {
    const r = await upload(h, '/process', avi, { operation: 'compress', target_size_mb: '0.001' });
    expect([r.status, r.json.code]).toEqual([422, 'UNPROCESSABLE']);
    expect(String(r.json.detail)).toMatch(/too small/);
  });
});

describe('jobs', () => {
  it("fails a truncated input with 422 and ffmpeg's reason, leaving no files and no ffmpeg", async () => {
    const whole = await makeClip(tmp.dir, { name: 'whole', seconds: 3, width: 320, height: 240, faststart: true });
    const cut = await truncateCopy(whole, join(tmp.dir, 'cut.mp4'), Math.round((await stat(whole)).size * 0.5));
    const before = await settledJobs();
    const r = await upload(h, '/process', cut, { operation: 'transcode', quality: 'low' });
    expect([r.status, r.json.code]).toEqual([422, 'UNPROCESSABLE']);
    expect(String(r.json.detail)).toMatch(/truncated or corrupt: the output stops at [\d.]+ s of 3 s \(ffmpeg: .*(partial file|Invalid)/);
    // The client's input, not our processing: rejected, so the video encoding objective does not count it.
    // The runner counts a job once it has settled it, which may be just after the waiting request answered.
    const after = await until(
      'the job counted',
      async () => {
        const now = await settledJobs();
        return now.rejected + now.failed + now.completed > before.rejected + before.failed + before.completed ? now : undefined;
      },
      5_000,
    );
    expect({ rejected: after.rejected - before.rejected, failed: after.failed - before.failed, completed: after.completed - before.completed }).toEqual({ rejected: 1, failed: 0, completed: 0 });
    expect(existsSync(jobDir(h, String(r.json.task_id)))).toBe(false);
    expect(ffmpegChildren()).toEqual([]);
  });

  it('runs async with progress, and a cancelled job leaves no ffmpeg and no files', async () => {
    const long = await makeClip(tmp.dir, { name: 'long', seconds: 30, width: 320, height: 240, codec: 'mpeg4', container: 'avi' });
    const r = await upload(h, '/process', long, { operation: 'transcode', quality: 'ultra', format: 'webm' }, '?async=true');
    expect(r.status).toBe(202);
    const id = String(r.json.task_id);
    let status: Record<string, unknown> = {};
    for (let i = 0; i < 200; i++) {
      status = (await get(h, `/status/${id}`)).json;
      if (Number(status.progress) > 0) break;
      await sleep(100);
    }
    expect(status).toMatchObject({ status: 'processing' });
    expect(Number(status.progress)).toBeGreaterThan(0);
    expect(String(status.message)).toMatch(/encoding/);
    expect(ffmpegChildren().length).toBeGreaterThan(0);
    const cancel = await fetch(`${h.base}/status/${id}`, { method: 'DELETE', headers: { 'x-api-key': 'test-key-0123456789abcdef' } });
    expect(cancel.status).toBe(202);
    expect(await settle(h, id)).toMatchObject({ status: 'cancelled' });
    for (let i = 0; i < 50 && (ffmpegChildren().length > 0 || existsSync(jobDir(h, id))); i++) await sleep(50);
    expect(ffmpegChildren()).toEqual([]);
    expect(existsSync(jobDir(h, id))).toBe(false);
  });
});
