// POST /live-stream end to end: a generated clip is pushed in real time over RTMP, the live HLS
// window grows while it plays, and the stream ends cleanly (ENDLIST, no ffmpeg left) when the
// publisher stops; a listener nobody publishes to ends at its deadline; delete and drain stop it.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProcess } from '../../../src/kit/index.js';
import { ffmpegChildren, makeClip } from '../../support/media-fixtures.js';
import { TEST_KEY, makeTempDir } from '../../helpers.js';
import * as kit from './media-test-kit.js';
import { LIVE_HEADERS, portInUse, startMedia, waitFor, type LiveAnswer, type LiveState, type MediaServer } from './media-test-kit.js';

const tmp = makeTempDir('pitchey-media-live-');
const PORTS = '19461-19469';
let server: MediaServer;
let clip: string;
const headers = LIVE_HEADERS;
const get = (path: string, init: RequestInit = {}): Promise<Response> => fetch(`${server.base}${path}`, init);
const openLive = (body: Record<string, unknown>): Promise<LiveAnswer> => kit.openLive(server.base, body);
const liveState = (id: string): Promise<LiveState> => kit.liveState(server.base, id);
const mediaPlaylist = (hlsUrl: string, rung: string): ReturnType<typeof kit.mediaPlaylist> => kit.mediaPlaylist(server.base, hlsUrl, rung);
const listening = (port: number): Promise<boolean> => portInUse(port, 'tcp');

beforeAll(async () => {
  server = await startMedia(join(tmp.dir, 'data'), { PITCHEY_LIVE_PORTS: PORTS, PITCHEY_LIVE_IDLE_TIMEOUT_MS: '4000' });
  clip = await makeClip(tmp.dir, { name: 'live-src', seconds: 10, width: 640, height: 360, fps: 25 });
});
afterAll(async () => {
  await server.svc.drain();
  tmp.remove();
});

describe('POST /live-stream', () => {
  it('turns a real-time RTMP push into a growing HLS window, then ends it with ENDLIST and no ffmpeg left', async () => {
    const live = await openLive({ stream_key: 'pitchey-test-key', qualities: 'mobile' });
    expect(live.ingest_url).toMatch(/^rtmp:\/\/127\.0\.0\.1:194(6\d)\/live\/pitchey-test-key$/);
    expect([live.protocol, live.status]).toEqual(['rtmp', 'waiting']);
    const port = Number(/:(\d+)\//.exec(live.ingest_url)?.[1]);
    // Answered once its ffmpeg listens: a publisher that connects at once (ffmpeg's does) is not refused.
    expect(await listening(port)).toBe(true);
    const push = runProcess('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-re', '-i', clip, '-t', '8', '-c', 'copy', '-f', 'flv', live.ingest_url], { timeoutMs: 40_000 });

    const first = await kit.waitForPlayable(server.base, live, 'mobile');
    const master = await (await get(live.hls_url)).text();
    expect(master).toContain('RESOLUTION=426x240');
    const later = await waitFor('the window to grow', async () => {
      const m = await mediaPlaylist(live.hls_url, 'mobile');
      return m !== null && m.segments.length >= first.segments.length + 1 ? m : null;
    });
    expect(later.endList).toBeFalsy();
    expect(later.segments.every((s) => s.duration >= 1.5 && s.duration <= 4.1)).toBe(true);
    expect((await get(live.hls_url.replace(/master\.m3u8$/, 'mobile/index.m3u8'))).headers.get('cache-control')).toBe('no-cache');

    expect((await push).exitCode).toBe(0);
    await kit.expectEndedByPublisher(server.base, live, 'mobile', 'rtmp');
  }, 60_000);

  it('ends a listener nobody publishes to at its deadline and frees the port', async () => {
    const live = await openLive({ qualities: 'mobile' });
    const port = Number(/:(\d+)\//.exec(live.ingest_url)?.[1]);
    const failed = await waitFor('the deadline', async () => {
      const s = await liveState(live.stream_id);
      return s.live.status === 'failed' ? s : null;
    });
    expect(failed.live.reason).toMatch(/no publisher connected within 4 s/);
    expect(ffmpegChildren()).toEqual([]);
    expect(await listening(port)).toBe(false);
  });

  it('stops the ingest when the stream is deleted', async () => {
    const live = await openLive({ qualities: 'mobile', stream_key: 'delete-me-key' });
    const port = Number(/:(\d+)\//.exec(live.ingest_url)?.[1]);
    await waitFor('the ingest listener', () => listening(port));
    const del = await get(`/stream/${live.stream_id}`, { method: 'DELETE', headers: { 'x-api-key': TEST_KEY } });
    expect(await del.json()).toMatchObject({ stream_id: live.stream_id, status: 'deleted' });
    expect(ffmpegChildren()).toEqual([]);
    expect(existsSync(join(tmp.dir, 'data', 'services', 'media', 'streams', live.stream_id))).toBe(false);
  });

  it('refuses a malformed stream key and an unknown quality', async () => {
    expect((await get('/live-stream', { method: 'POST', headers, body: JSON.stringify({ stream_key: '../../x' }) })).status).toBe(400);
    expect((await get('/live-stream', { method: 'POST', headers, body: JSON.stringify({ qualities: 'huge' }) })).status).toBe(400);
    const protocol = await get('/live-stream', { method: 'POST', headers, body: JSON.stringify({ protocol: 'webrtc' }) });
    expect(await protocol.json()).toMatchObject({ status: 400, detail: 'body/protocol must be one of rtmp, srt' });
    expect((await get('/live-stream', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(401);
  });

  it('answers a status_url under the gateway prefix the client used', async () => {
    const res = await get('/live-stream', { method: 'POST', headers: { ...headers, 'x-forwarded-prefix': '/api/media' }, body: JSON.stringify({ qualities: 'mobile', stream_key: 'prefixed-key' }) });
    const live = (await res.json()) as LiveAnswer;
    expect(res.status).toBe(201);
    expect(live.status_url).toBe(`/api/media/live-stream/${live.stream_id}`);
    expect(live.hls_url).toBe(`/streams/${live.stream_id}/master.m3u8`); // the gateway routes /streams/ as it is
    expect((await get(live.status_url.replace(/^\/api\/media/, ''), { headers })).status).toBe(200);
    await get(`/stream/${live.stream_id}`, { method: 'DELETE', headers: { 'x-api-key': TEST_KEY } });
  });

  it('refuses unknown fields by name and a body that is not UTF-8, before any listener opens', async () => {
    const streams = async (): Promise<number> => ((await (await get('/streams', { headers })).json()) as { total_streams: number }).total_streams;
    const before = await streams();
    const typo = await get('/live-stream', { method: 'POST', headers, body: JSON.stringify({ qualities: 'mobile', stream_keey: 'abcdefgh12' }) });
    expect(typo.status).toBe(400);
    expect(await typo.json()).toMatchObject({
      code: 'VALIDATION_FAILED',
      detail: expect.stringContaining('body/stream_keey'),
      errors: [{ field: 'body/stream_keey', message: 'is not a known field' }],
    });
    const flood = await get('/live-stream', { method: 'POST', headers, body: JSON.stringify(Object.fromEntries(Array.from({ length: 60_000 }, (_, i) => [`k${i}`, 1]))) });
    expect(flood.status).toBe(400);
    const problem = (await flood.json()) as { detail: string; unknown_fields: number; errors: unknown[] };
    expect(problem.unknown_fields).toBe(60_000);
    expect(problem.errors).toHaveLength(20);
    expect(problem.detail).toMatch(/body\/k0, .* and 59980 more/);
    const latin1 = Buffer.concat([Buffer.from('{"qualities":"mobile","stream_name":"caf'), Buffer.from([0xe9]), Buffer.from('"}')]);
    const bad = await get('/live-stream', { method: 'POST', headers, body: latin1 });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await bad.json()).toMatchObject({ code: 'BAD_REQUEST', detail: expect.stringMatching(/not valid UTF-8/) });
    expect(await streams()).toBe(before);
    expect(ffmpegChildren()).toEqual([]);
  });

  it('stops every ingest when the service drains', async () => {
    const live = await openLive({ qualities: 'mobile', stream_key: 'drain-me-key' });
    const port = Number(/:(\d+)\//.exec(live.ingest_url)?.[1]);
    await waitFor('the ingest listener', () => listening(port));
    await server.svc.drain();
    expect(ffmpegChildren()).toEqual([]);
  });
});
