// POST /dash end to end: one encode serves a valid MPD (duration, segment template, an audio
// adaptation set) and HLS playlists over the same fMP4 segments; audio segments say audio/mp4.
import { join } from 'node:path';
import { parse as parseMpd } from 'mpd-parser';
import { Parser } from 'm3u8-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProcess } from '../../../src/kit/index.js';
import { makeClip } from '../../support/media-fixtures.js';
import { makeTempDir } from '../../helpers.js';
import { startMedia, upload, type MediaServer } from './media-test-kit.js';

const tmp = makeTempDir('pitchey-media-dash-');
let server: MediaServer;
let result: {
  stream_id: string;
  manifest: string;
  master_playlist: string;
  skipped_renditions: unknown[];
  representations: Array<{ quality: string; resolution: string; bandwidth: number; codecs: string }>;
};
const get = (path: string, init: RequestInit = {}): Promise<Response> => fetch(`${server.base}${path}`, init);

beforeAll(async () => {
  server = await startMedia(join(tmp.dir, 'data'));
  const clip = await makeClip(tmp.dir, { name: 'src', seconds: 4, width: 854, height: 480, fps: 25 });
  const res = await upload(server.base, clip, '/dash', { qualities: 'mobile,low,medium' });
  expect(res.status).toBe(200);
  result = ((await res.json()) as { result: typeof result }).result;
});
afterAll(async () => {
  await server.svc.drain();
  tmp.remove();
});

describe('POST /dash', () => {
  it('answers with the manifest, the HLS master over the same segments, and the representations', () => {
    expect(result.manifest).toBe(`/streams/${result.stream_id}/manifest.mpd`);
    expect(result.master_playlist).toBe(`/streams/${result.stream_id}/master.m3u8`);
    expect(result.representations.map((r) => r.resolution)).toEqual(['854x480', '428x240']);
    expect(result.skipped_renditions).toEqual([{ name: 'medium', reason: 'source is 854x480; renditions above the source are not made' }]);
  });

  it('writes a valid MPD: duration, segment template with segments, an audio adaptation set', async () => {
    const res = await get(result.manifest);
    expect(res.headers.get('content-type')).toBe('application/dash+xml');
    const xml = await res.text();
    expect(xml).toContain('<SegmentTemplate');
    const mpd = parseMpd(xml, { manifestUri: `${server.base}${result.manifest}` });
    expect(mpd.duration).toBeCloseTo(4, 0);
    expect(mpd.playlists.map((p) => (p.attributes.RESOLUTION as { width: number }).width).sort()).toEqual([428, 854]);
    for (const p of mpd.playlists) {
      expect(p.segments.length).toBeGreaterThanOrEqual(2);
      expect(p.segments.reduce((t, s) => t + s.duration, 0)).toBeCloseTo(4, 0);
      expect(String(p.attributes.CODECS)).toMatch(/^avc1\./);
    }
    const audio = Object.values(mpd.mediaGroups.AUDIO).flatMap((g) => Object.values(g));
    expect(audio).toHaveLength(1);
    expect(audio[0]?.playlists[0]?.attributes.CODECS).toBe('mp4a.40.2');
    const seg = audio[0]?.playlists[0]?.segments[0];
    expect(seg).toBeDefined();
    const audioSeg = await fetch(new URL(seg?.uri ?? '', `${server.base}${result.manifest}`));
    expect(audioSeg.status).toBe(200);
    expect(audioSeg.headers.get('content-type')).toBe('audio/mp4');
  });

  it('also writes HLS playlists with an audio group, and ffmpeg plays the DASH manifest over HTTP', async () => {
    const p = new Parser();
    p.push(await (await get(result.master_playlist)).text());
    p.end();
    expect(p.manifest.playlists).toHaveLength(2);
    expect(p.manifest.playlists?.[0]?.attributes).toMatchObject({ AUDIO: expect.any(String), CODECS: expect.stringContaining('mp4a.40.2') });
    expect(Number(p.manifest.playlists?.[0]?.attributes.BANDWIDTH)).toBeGreaterThanOrEqual(896_000);
    const run = await runProcess('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-i', `${server.base}${result.manifest}`, '-f', 'null', '-'], { timeoutMs: 30_000 });
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
  });

  it('lists the stream as dash', async () => {
    const list = (await (await get('/streams')).json()) as { streams: Array<{ id: string; type: string; endpoint: string }> };
    expect(list.streams).toContainEqual(expect.objectContaining({ id: result.stream_id, type: 'dash', endpoint: result.manifest }));
  });
});
