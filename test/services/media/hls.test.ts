// POST /hls-transcode end to end: a generated clip becomes a 2-rung fMP4 ladder; the master and
// media playlists parse, the segments probe as what they claim, ffmpeg plays the stream over HTTP,
// and the stream files resist traversal and links.
import { existsSync } from 'node:fs';
import { readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Parser } from 'm3u8-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probe } from '../../../src/ffmpeg/index.js';
import { runProcess } from '../../../src/kit/index.js';
import { ffmpegChildren, makeClip, makeDimensionBomb } from '../../support/media-fixtures.js';
import { TEST_KEY, makeTempDir } from '../../helpers.js';
import { startMedia, upload, type MediaServer } from './media-test-kit.js';

const tmp = makeTempDir('pitchey-media-hls-');
let server: MediaServer;
let clip: string;
let result: {
  stream_id: string;
  master_playlist: string;
  skipped_renditions: Array<{ name: string; reason: string }>;
  variants: Array<{ quality: string; resolution: string; bandwidth: number; playlist: string; codecs: string }>;
};

const parse = (text: string): Parser['manifest'] => {
  const p = new Parser();
  p.push(text);
  p.end();
  return p.manifest;
};
const get = (path: string, init: RequestInit = {}): Promise<Response> => fetch(`${server.base}${path}`, init);

beforeAll(async () => {
  server = await startMedia(join(tmp.dir, 'data'));
  clip = await makeClip(tmp.dir, { name: 'src', seconds: 3, width: 854, height: 480, fps: 25 });
  const res = await upload(server.base, clip, '/hls-transcode', { qualities: 'mobile,low,medium,high', stream_name: 'demo' });
  expect(res.status).toBe(200);
  result = ((await res.json()) as { result: typeof result }).result;
});
afterAll(async () => {
  await server.svc.drain();
  tmp.remove();
});

describe('POST /hls-transcode', () => {
  it('answers with the master playlist and one variant per rung that fits the source (no upscaling)', () => {
    expect(result.master_playlist).toBe(`/streams/${result.stream_id}/master.m3u8`);
    expect(result.variants.map((v) => [v.quality, v.resolution])).toEqual([
      ['low', '854x480'],
      ['mobile', '428x240'],
    ]);
    const above = 'source is 854x480; renditions above the source are not made';
    expect(result.skipped_renditions).toEqual([
      { name: 'medium', reason: above },
      { name: 'high', reason: above },
    ]);
  });

  it('writes a master with BANDWIDTH (≥ the contract figure), RESOLUTION and CODECS per variant', async () => {
    const res = await get(result.master_playlist);
    expect(res.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
    const master = parse(await res.text());
    expect(master.playlists).toHaveLength(2);
    const [low, mobile] = master.playlists ?? [];
    expect(low?.attributes).toMatchObject({ RESOLUTION: { width: 854, height: 480 }, CODECS: expect.stringMatching(/^avc1\.64[0-9a-f]{4},mp4a\.40\.2$/) });
    expect(mobile?.attributes).toMatchObject({ RESOLUTION: { width: 428, height: 240 } });
    expect(Number(low?.attributes.BANDWIDTH)).toBeGreaterThanOrEqual(896_000);
    expect(Number(mobile?.attributes.BANDWIDTH)).toBeGreaterThanOrEqual(464_000);
    expect(Number(mobile?.attributes['AVERAGE-BANDWIDTH'])).toBeGreaterThan(0);
  });

  it('writes VOD media playlists of aligned fMP4 segments that probe as H.264/AAC of the right size', async () => {
    const counts: number[] = [];
    for (const [i, v] of result.variants.entries()) {
      const media = parse(await (await get(v.playlist)).text());
      expect(media.endList).toBe(true);
      expect(media.segments.length).toBeGreaterThanOrEqual(2);
      counts.push(media.segments.length);
      expect(media.segments[0]?.duration).toBeCloseTo(2, 1);
      const dir = v.playlist.replace(/[^/]+$/, '');
      const parts = [media.segments[0]?.map?.uri ?? '', ...media.segments.map((s) => s.uri)];
      const bytes = await Promise.all(parts.map(async (p) => Buffer.from(await (await get(`${dir}${p}`)).arrayBuffer())));
      const joined = join(tmp.dir, `rung-${i}.mp4`);
      await writeFile(joined, Buffer.concat(bytes));
      const info = await probe(joined);
      expect(info.video).toMatchObject({ codec: 'h264', width: Number(v.resolution.split('x')[0]), height: Number(v.resolution.split('x')[1]) });
      expect(info.audio?.codec).toBe('aac');
      expect(info.durationS).toBeCloseTo(3, 0);
    }
    expect(new Set(counts).size).toBe(1);
  });

  it('plays through the master playlist over HTTP (ffmpeg decodes it)', async () => {
    const run = await runProcess('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-i', `${server.base}${result.master_playlist}`, '-map', '0:v:0', '-map', '0:a:0', '-f', 'null', '-'], {
      timeoutMs: 30_000,
    });
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
  });

  it('serves segments with their type, byte ranges and CORS for players on other origins', async () => {
    const init = `${result.variants[1]?.playlist.replace(/index\.m3u8$/, '')}init_1.mp4`;
    const whole = await get(init);
    expect(whole.headers.get('content-type')).toBe('video/mp4');
    expect(whole.headers.get('access-control-allow-origin')).toBe('*');
    expect(whole.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    const size = (await whole.arrayBuffer()).byteLength;
    const part = await get(init, { headers: { range: 'bytes=0-7' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 0-7/${size}`);
    expect(
      Buffer.from(await part.arrayBuffer())
        .subarray(4, 8)
        .toString(),
    ).toBe('ftyp');
    const seg = await get(`${result.variants[1]?.playlist.replace(/index\.m3u8$/, '')}seg_00000.m4s`);
    expect(seg.headers.get('content-type')).toBe('video/iso.segment');
    const preflight = await get(init, { method: 'OPTIONS', headers: { origin: 'https://player.example', 'access-control-request-headers': 'range' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('range');
  });

  it('refuses traversal: "..", encoded dots, absolute paths, foreign files and planted links', async () => {
    const id = result.stream_id;
    const secret = join(tmp.dir, 'secret.m3u8');
    await writeFile(secret, '#EXTM3U secret');
    const dir = join(tmp.dir, 'data', 'services', 'media', 'streams', id);
    await symlink(secret, join(dir, 'planted.m3u8'));
    await symlink(tmp.dir, join(dir, 'linkdir'));
    const attempts = [
      `/streams/${id}/../../streams.json`,
      `/streams/${id}/%2e%2e/%2e%2e/streams.json`,
      `/streams/${id}/mobile/%2e%2e%2f%2e%2e%2fstreams.json`,
      `/streams/${id}//etc/passwd`,
      `/streams/${id}/%2fetc%2fpasswd`,
      `/streams/${id}/planted.m3u8`,
      `/streams/${id}/linkdir/secret.m3u8`,
      `/streams/..%2f..%2fjobs/master.m3u8`,
      `/streams/${id}/.master.m3u8.tmp`,
      `/streams/${id}/mobile/index.m3u8%00.mp4`,
    ];
    for (const path of attempts) {
      const res = await get(path);
      expect(res.status, path).toBeGreaterThanOrEqual(400);
      expect(res.status, path).toBeLessThan(500);
      expect(await res.text(), path).not.toContain('#EXTM3U');
    }
  });

  it('lists the stream publicly with its size, and DELETE (keyed) frees the space it reports', async () => {
    const list = (await (await get('/streams')).json()) as { streams: Array<{ id: string; type: string; size: number; endpoint: string }>; total_streams: number; formats_supported: string[] };
    const entry = list.streams.find((s) => s.id === result.stream_id);
    expect(entry).toMatchObject({ type: 'hls', endpoint: result.master_playlist });
    expect(entry?.size).toBeGreaterThan(10_000);
    expect(list.formats_supported).toEqual(['hls', 'dash']);
    expect((await get(`/stream/${result.stream_id}`, { method: 'DELETE' })).status).toBe(401);
    const del = await get(`/stream/${result.stream_id}`, { method: 'DELETE', headers: { 'x-api-key': TEST_KEY } });
    expect(await del.json()).toEqual({ stream_id: result.stream_id, status: 'deleted', freed_bytes: entry?.size });
    expect(existsSync(join(tmp.dir, 'data', 'services', 'media', 'streams', result.stream_id))).toBe(false);
    expect((await get(result.master_playlist)).status).toBe(404);
    expect((await get(`/stream/${result.stream_id}`, { method: 'DELETE', headers: { 'x-api-key': TEST_KEY } })).status).toBe(404);
  });
});

describe('cancel', () => {
  it('cancelling a running ladder job kills its ffmpeg and leaves no stream or job files', async () => {
    const long = await makeClip(tmp.dir, { name: 'long', seconds: 20, width: 854, height: 480, fps: 25 });
    const res = await upload(server.base, long, '/hls-transcode?async=true', { qualities: 'mobile,low', stream_name: 'long' });
    expect(res.status).toBe(202);
    const { task_id: id } = (await res.json()) as { task_id: string };
    const auth = { headers: { 'x-api-key': TEST_KEY } };
    for (let i = 0; i < 100; i++) {
      const job = (await (await get(`/status/${id}`, auth)).json()) as { status: string; progress: number };
      if (job.status === 'processing' && job.progress > 1) break;
      await sleep(100);
    }
    expect(ffmpegChildren().length).toBeGreaterThan(0);
    expect((await get(`/status/${id}`, { method: 'DELETE', ...auth })).status).toBe(202);
    let status = '';
    for (let i = 0; i < 100 && status !== 'cancelled'; i++) {
      status = ((await (await get(`/status/${id}`, auth)).json()) as { status: string }).status;
      await sleep(100);
    }
    expect(status).toBe('cancelled');
    expect(ffmpegChildren()).toEqual([]);
    expect(existsSync(join(tmp.dir, 'data', 'services', 'media', 'jobs', id))).toBe(false);
    const list = (await (await get('/streams')).json()) as { streams: Array<{ name: string | null }> };
    expect(list.streams.filter((x) => x.name === 'long')).toEqual([]);
  });
});

describe('other sources', () => {
  it('keeps a rotated portrait clip upright and leaves audio out when it has none', async () => {
    const portrait = await makeClip(tmp.dir, { name: 'portrait', seconds: 2, width: 426, height: 240, rotate: 90, audio: false });
    const res = await upload(server.base, portrait, '/hls-transcode', { qualities: 'mobile,low' });
    expect(res.status).toBe(200);
    const body = ((await res.json()) as { result: typeof result }).result;
    expect(body.variants).toEqual([expect.objectContaining({ quality: 'mobile', resolution: '240x426', codecs: expect.not.stringContaining('mp4a') })]);
    const media = parse(await (await get(body.variants[0]?.playlist ?? '')).text());
    const dir = body.variants[0]?.playlist.replace(/[^/]+$/, '') ?? '';
    const parts = [media.segments[0]?.map?.uri ?? '', ...media.segments.map((s) => s.uri)];
    const joined = join(tmp.dir, 'portrait-out.mp4');
    await writeFile(joined, Buffer.concat(await Promise.all(parts.map(async (x) => Buffer.from(await (await get(`${dir}${x}`)).arrayBuffer())))));
    const info = await probe(joined);
    expect(info.video).toMatchObject({ width: 240, height: 426, rotation: 0 });
    expect(info.audio).toBeNull();
  });
});

describe('bad input', () => {
  it('answers 413 for an upload over the cap, before reading it whole', async () => {
    const small = await startMedia(join(tmp.dir, 'data-small'), { PITCHEY_MEDIA_MAX_UPLOAD_MB: '1' });
    try {
      const big = join(tmp.dir, 'big.mp4');
      await writeFile(big, Buffer.concat([await readFile(clip), Buffer.alloc(2 * 1024 * 1024)]));
      const res = await upload(small.base, big, '/hls-transcode');
      expect(res.status).toBe(413);
      expect(await readdir(join(tmp.dir, 'data-small', 'services', 'media', 'tmp'))).toEqual([]);
    } finally {
      await small.svc.drain();
    }
  });

  it('refuses a dimension bomb by its declared size before decoding it', async () => {
    const res = await upload(server.base, await makeDimensionBomb(tmp.dir), '/hls-transcode');
    expect(res.status).toBe(422);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/16000x16000/);
  });

  it('answers 415 for a file that is not video, and 400 for an unknown quality', async () => {
    const text = join(tmp.dir, 'notes.txt');
    await writeFile(text, 'not a video at all');
    expect((await upload(server.base, text, '/hls-transcode')).status).toBe(415);
    const res = await upload(server.base, clip, '/hls-transcode', { qualities: 'mobile,8k' });
    const problem = (await res.json()) as { status: number; code: string; detail: string; errors: Array<{ field: string }> };
    expect([res.status, problem.code, problem.errors[0]?.field]).toEqual([400, 'VALIDATION_FAILED', 'body/qualities']);
    expect(problem.detail).toContain('8k');
  });

  it("answers 422 with ffmpeg's reason for a truncated file and leaves no stream, temp file or ffmpeg behind", async () => {
    const bytes = await readFile(clip);
    const broken = join(tmp.dir, 'broken.mp4');
    await writeFile(broken, bytes.subarray(0, Math.floor(bytes.length / 3)));
    const before = ((await (await get('/streams')).json()) as { total_streams: number }).total_streams;
    const res = await upload(server.base, broken, '/hls-transcode');
    expect(res.status).toBe(422);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/ffmpeg|ffprobe|moov|invalid/i);
    expect(((await (await get('/streams')).json()) as { total_streams: number }).total_streams).toBe(before);
    expect(ffmpegChildren()).toEqual([]);
    const media = join(tmp.dir, 'data', 'services', 'media');
    expect(await readdir(join(media, 'tmp'))).toEqual([]);
    // Failed jobs lose their folder; finished ones keep no upload (only the stream is kept).
    const left = await readdir(join(media, 'jobs'), { recursive: true });
    expect(left.filter((f) => /input-\d/.test(f))).toEqual([]);
  });
});
