// POST /live-stream with protocol=srt end to end: a generated clip is pushed in real time over SRT
// (MPEG-TS, the key as passphrase), the live HLS window grows while it plays and ends with ENDLIST
// when the publisher stops or vanishes; a publisher with a wrong or no key is refused and the
// listener waits on.
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runProcess, type RunResult } from '../../../src/kit/index.js';
import { ffmpegChildren, makeClip } from '../../support/media-fixtures.js';
import { TEST_KEY, makeTempDir } from '../../helpers.js';
import * as kit from './media-test-kit.js';
import { LIVE_HEADERS, portInUse, startMedia, waitFor, type LiveAnswer, type LiveState, type MediaServer } from './media-test-kit.js';

const tmp = makeTempDir('pitchey-media-srt-');
const PORTS = '19471-19479';
let server: MediaServer;
let clip: string;
const headers = LIVE_HEADERS;
const get = (path: string, init: RequestInit = {}): Promise<Response> => fetch(`${server.base}${path}`, init);
const liveState = (id: string): Promise<LiveState> => kit.liveState(server.base, id);
const mediaPlaylist = (hlsUrl: string, rung: string): ReturnType<typeof kit.mediaPlaylist> => kit.mediaPlaylist(server.base, hlsUrl, rung);
const boundUdp = (port: number): Promise<boolean> => portInUse(port, 'udp');

const publishers: AbortController[] = [];
const opened: string[] = [];

async function openLive(body: Record<string, unknown>): Promise<LiveAnswer> {
  const live = await kit.openLive(server.base, { protocol: 'srt', qualities: 'mobile', ...body });
  opened.push(live.stream_id);
  return live;
}

const portOf = (url: string): number => Number(/:(\d+)\?/.exec(url)?.[1]);

/** A real-time SRT push of the clip; killed in afterEach if it outlives its test. */
function publish(url: string, seconds: number): Promise<RunResult> {
  const control = new AbortController();
  publishers.push(control);
  return runProcess('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-re', '-i', clip, '-t', String(seconds), '-c', 'copy', '-f', 'mpegts', url], {
    timeoutMs: 40_000,
    signal: control.signal,
  });
}

beforeAll(async () => {
  server = await startMedia(join(tmp.dir, 'data'), { PITCHEY_LIVE_PORTS: PORTS, PITCHEY_LIVE_IDLE_TIMEOUT_MS: '6000' });
  clip = await makeClip(tmp.dir, { name: 'srt-src', seconds: 10, width: 640, height: 360, fps: 25 });
});
afterEach(async () => {
  for (const p of publishers.splice(0)) p.abort();
  for (const id of opened.splice(0)) await get(`/stream/${id}`, { method: 'DELETE', headers: { 'x-api-key': TEST_KEY } });
  expect(ffmpegChildren()).toEqual([]);
});
afterAll(async () => {
  await server.svc.drain();
  tmp.remove();
});

describe('POST /live-stream over SRT', () => {
  it('turns a real-time SRT push into a growing HLS window, then ends it with ENDLIST and no ffmpeg left', async () => {
    const live = await openLive({ stream_key: 'pitchey-srt-key' });
    expect(live).toMatchObject({ protocol: 'srt', status: 'waiting' });
    expect(live.ingest_url).toMatch(/^srt:\/\/127\.0\.0\.1:1947\d\?passphrase=pitchey-srt-key$/);
    expect((await liveState(live.stream_id)).live).toMatchObject({ protocol: 'srt', status: 'waiting' });
    await waitFor('the SRT listener', () => boundUdp(portOf(live.ingest_url)));
    const push = publish(live.ingest_url, 8);

    const first = await kit.waitForPlayable(server.base, live, 'mobile');
    const later = await waitFor('the window to grow', async () => {
      const m = await mediaPlaylist(live.hls_url, 'mobile');
      return m !== null && m.segments.length >= first.segments.length + 1 ? m : null;
    });
    expect(later.endList).toBeFalsy();
    expect(later.segments.every((s) => s.duration >= 1.5 && s.duration <= 4.1)).toBe(true);

    // The publisher is a test tool: under a loaded suite its SRT caller once ended by a signal after
    // sending everything (exit code null). What counts is that it ran to its end; the stream's
    // reason and the > 6 s it holds below prove the 8 s were received.
    const pushed = await push;
    expect({ timedOut: pushed.timedOut, spawnError: pushed.spawnError }, `publisher: exit ${pushed.exitCode} ${pushed.signal ?? ''} ${pushed.stderr.slice(-300)}`).toEqual({
      timedOut: false,
      spawnError: null,
    });
    await kit.expectEndedByPublisher(server.base, live, 'mobile', 'srt');
  }, 60_000);

  it('ends with ENDLIST when the publisher vanishes without a goodbye (killed mid-stream)', async () => {
    const live = await openLive({});
    await waitFor('the SRT listener', () => boundUdp(portOf(live.ingest_url)));
    const push = publish(live.ingest_url, 20);
    await waitFor('the first live segments', async () => {
      const m = await mediaPlaylist(live.hls_url, 'mobile');
      return m !== null && m.segments.length >= 1 ? m : null;
    });
    publishers.at(-1)?.abort();
    expect((await push).aborted).toBe(true);
    const ended = await waitFor('the live stream to end', async () => {
      const s = await liveState(live.stream_id);
      return s.live.status === 'ended' ? s : null;
    });
    // SRT's own peer-idle timeout (5 s) usually breaks the connection before the stall watchdog.
    expect(ended.live.reason).toMatch(/^(the publisher stopped|no data from the publisher for 6 s)$/);
    expect((await mediaPlaylist(live.hls_url, 'mobile'))?.endList).toBe(true);
    expect(ffmpegChildren()).toEqual([]);
  }, 40_000);

  it('refuses a publisher with a wrong key or none, and keeps waiting for the right one', async () => {
    const live = await openLive({ stream_key: 'the-right-srt-key' });
    const port = portOf(live.ingest_url);
    await waitFor('the SRT listener', () => boundUdp(port));
    const wrong = await publish(`srt://127.0.0.1:${port}?passphrase=a-wrong-srt-key`, 2);
    expect(wrong.exitCode).not.toBe(0);
    expect(wrong.stderr).toMatch(/incorrect passphrase/i);
    const none = await publish(`srt://127.0.0.1:${port}`, 2);
    expect(none.exitCode).not.toBe(0);
    expect(none.stderr).toMatch(/password required/i);
    expect(await liveState(live.stream_id)).toMatchObject({ running: true, live: { status: 'waiting' } });
    expect(await mediaPlaylist(live.hls_url, 'mobile')).toBeNull();
    expect(await boundUdp(port)).toBe(true);
  }, 30_000);

  it('ends a listener nobody publishes to at its deadline and frees the UDP port', async () => {
    const live = await openLive({});
    expect(live.ingest_url).toMatch(/\?passphrase=[0-9a-f]{32}$/);
    const failed = await waitFor('the deadline', async () => {
      const s = await liveState(live.stream_id);
      return s.live.status === 'failed' ? s : null;
    });
    expect(failed.live.reason).toMatch(/no publisher connected within 6 s/);
    expect(await boundUdp(portOf(live.ingest_url))).toBe(false);
  }, 30_000);

  it('refuses an SRT key too short to be a passphrase, and an unknown protocol', async () => {
    const post = (body: unknown): Promise<Response> => get('/live-stream', { method: 'POST', headers, body: JSON.stringify(body) });
    const short = await post({ protocol: 'srt', stream_key: 'short-key' });
    expect([short.status, ((await short.json()) as { code: string }).code]).toEqual([400, 'VALIDATION_FAILED']);
    expect((await post({ protocol: 'rist' })).status).toBe(400);
  });
});
