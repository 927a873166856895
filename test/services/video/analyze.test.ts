import { readdirSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probe } from '../../../src/ffmpeg/index.js';
import { makeTempDir } from '../../helpers.js';
import { ffmpegChildren, makeClip, makeDimensionBomb, truncateCopy } from '../../support/media-fixtures.js';
import { startVideo, upload, type Harness } from './harness.js';

const tmp = makeTempDir('pitchey-video-fx-');
let h: Harness;
let clip = '';
let portrait = '';

beforeAll(async () => {
  h = await startVideo({ PITCHEY_VIDEO_MAX_UPLOAD_MB: '1' });
  [clip, portrait] = await Promise.all([
    makeClip(tmp.dir, { name: 'clip', seconds: 2, width: 320, height: 240 }),
    makeClip(tmp.dir, { name: 'portrait', seconds: 2, width: 320, height: 180, rotate: 90, audio: false }),
  ]);
});
afterAll(async () => {
  await h.close();
  tmp.remove();
});

async function imageSize(body: Buffer, name: string): Promise<{ width: number | undefined; height: number | undefined; codec: string | undefined }> {
  const path = join(tmp.dir, name);
  await writeFile(path, body);
  const v = (await probe(path)).video;
  return { width: v?.width, height: v?.height, codec: v?.codec };
}

describe('POST /analyze', () => {
  it('reports the contract fields and more, with the display size honouring rotation', async () => {
    const r = await upload(h, '/analyze', clip);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ filename: 'clip.mp4', supported_operations: ['transcode', 'compress', 'analyze'] });
    expect(r.json.analysis).toMatchObject({
      width: 320,
      height: 240,
      framerate: 25,
      framerate_fraction: '25/1',
      codec: 'h264',
      audio_codec: 'aac',
      format: 'mp4',
      pixel_format: 'yuv420p',
      rotation: 0,
      has_audio: true,
    });
    expect((r.json.analysis as { duration: number }).duration).toBeCloseTo(2, 1);
    const p = await upload(h, '/analyze', portrait);
    expect(p.json.analysis).toMatchObject({ width: 320, height: 180, display_width: 180, display_height: 320, rotation: 90, audio_codec: null, has_audio: false });
  });

  it('accepts every listed container by content, whatever the file is called', async () => {
    for (const container of ['mkv', 'webm', 'avi', 'flv', 'wmv', 'mov'] as const) {
      const path = await makeClip(tmp.dir, { name: `c-${container}`, seconds: 1, width: 160, height: 120, container });
      const renamed = join(tmp.dir, `renamed-${container}.bin`);
      await writeFile(renamed, await readFile(path));
      const r = await upload(h, '/analyze', renamed);
      expect([container, r.status, (r.json.analysis as { format?: string } | undefined)?.format]).toEqual([container, 200, container]);
    }
  });

  it("answers 415 for a file that is not video, 413 over the cap, 422 with ffmpeg's reason for a truncated file", async () => {
    const text = join(tmp.dir, 'notes.mp4');
    await writeFile(text, 'just some text, not a video\n'.repeat(20));
    expect([(await upload(h, '/analyze', text)).status]).toEqual([415]);
    const big = await makeClip(tmp.dir, { name: 'big', seconds: 3, width: 640, height: 480, codec: 'mpeg4', container: 'avi' });
    const tooBig = join(tmp.dir, 'big-padded.avi');
    await writeFile(tooBig, Buffer.concat([await readFile(big), Buffer.alloc(1024 * 1024)]));
    expect((await upload(h, '/analyze', tooBig)).status).toBe(413);
    const cut = await truncateCopy(clip, join(tmp.dir, 'cut.mp4'), 4000);
    const r = await upload(h, '/analyze', cut);
    expect([r.status, r.json.code]).toEqual([422, 'UNPROCESSABLE']);
    expect(String(r.json.detail)).toMatch(/moov atom not found|Invalid data/);
    expect(String(r.json.detail)).not.toContain(h.dir);
  });

  it('refuses a dimension bomb by its declared size, before decoding (thumbnails too, leaving no ffmpeg)', async () => {
    const bomb = await makeDimensionBomb(tmp.dir);
    const r = await upload(h, '/analyze', bomb);
    expect([r.status, r.json.code]).toEqual([422, 'UNPROCESSABLE']);
    expect(String(r.json.detail)).toMatch(/16000x16000, beyond the limit/);
    const t = await upload(h, '/thumbnail', bomb, { timestamp: '0' });
    expect([t.status, String(t.json.detail)]).toEqual([422, expect.stringMatching(/16000x16000, beyond the limit/)]);
    expect(ffmpegChildren()).toEqual([]);
  });
});

describe('POST /thumbnail', () => {
  it('answers a JPEG of the requested width with the aspect kept (timestamp as a form field or query)', async () => {
    const r = await upload(h, '/thumbnail', clip, { timestamp: '1.0', width: '160' });
    expect([r.status, r.headers.get('content-type')]).toEqual([200, 'image/jpeg']);
    expect(await imageSize(r.body, 't1.jpg')).toEqual({ width: 160, height: 120, codec: 'mjpeg' });
    const q = await upload(h, '/thumbnail', clip, {}, '?timestamp=0.5&height=60');
    expect(await imageSize(q.body, 't2.jpg')).toMatchObject({ width: 80, height: 60 });
  });

  it('picks a representative frame without a timestamp, fits 320x240 by default, and honours rotation', async () => {
    const r = await upload(h, '/thumbnail', portrait);
    expect(r.status).toBe(200);
    expect(await imageSize(r.body, 't3.jpg')).toMatchObject({ width: 134, height: 240 });
  });

  it('writes PNG and WebP on request, with both sides exact when both are given', async () => {
    const png = await upload(h, '/thumbnail', clip, { format: 'png', width: '64', height: '64' });
    expect(png.headers.get('content-type')).toBe('image/png');
    expect(await imageSize(png.body, 't4.png')).toEqual({ width: 64, height: 64, codec: 'png' });
    const webp = await upload(h, '/thumbnail', clip, { format: 'webp', timestamp: '00:00:01.5' });
    expect([webp.status, webp.headers.get('content-type'), webp.body.subarray(8, 12).toString()]).toEqual([200, 'image/webp', 'WEBP']);
  });

  it('answers 422 for a timestamp past the end, 400 for a malformed one', async () => {
    const r = await upload(h, '/thumbnail', clip, { timestamp: '12' });
    expect([r.status, r.json.code, r.json.field]).toEqual([422, 'UNPROCESSABLE', 'timestamp']);
    expect(String(r.json.detail)).toMatch(/past the end of the video \(2 s\)/);
    expect((await upload(h, '/thumbnail', clip, { timestamp: 'soon' })).status).toBe(400);
    expect((await upload(h, '/thumbnail', clip, { width: '100000' })).status).toBe(400);
  });
});

describe('afterwards', () => {
  it('has left no upload or thumbnail folders and no ffmpeg behind', async () => {
    let left = readdirSync(h.svc.ctx.tmpDir);
    for (let i = 0; i < 40 && left.length > 0; i++) {
      await sleep(25);
      left = readdirSync(h.svc.ctx.tmpDir);
    }
    expect(left).toEqual([]);
    expect(ffmpegChildren()).toEqual([]);
  });
});
