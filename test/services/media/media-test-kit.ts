// Shared setup for the media service tests: the real service on a free port, a job poller and
// an upload helper, all over HTTP as a client sees it.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Parser } from 'm3u8-parser';
import { expect } from 'vitest';
import { createService, type RunningService } from '../../../src/kit/index.js';
import { mediaService } from '../../../src/services/media/index.js';
import { portBound } from '../../../src/services/media/ingest-ready.js';
import { TEST_KEY, testConfig } from '../../helpers.js';
import { ffmpegChildren } from '../../support/media-fixtures.js';

export interface MediaServer {
  svc: RunningService;
  base: string;
}

export async function startMedia(dataDir: string, env: Record<string, string> = {}): Promise<MediaServer> {
  const svc = await createService(mediaService, { config: testConfig(dataDir, { PITCHEY_RATE_LIMIT: 'false', PITCHEY_JOB_WAIT_MS: '60000', PITCHEY_HLS_SEGMENT_SECONDS: '2', ...env }) });
  return { svc, base: `http://127.0.0.1:${await svc.listen(0, '127.0.0.1')}` };
}

export async function upload(base: string, path: string, route: string, fields: Record<string, string> = {}): Promise<Response> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  form.set('file', new Blob([await readFile(path)]), basename(path));
  return fetch(`${base}${route}`, { method: 'POST', headers: { 'x-api-key': TEST_KEY }, body: form });
}

// ---- live ingest (RTMP and SRT tests) ----

export const LIVE_HEADERS = { 'x-api-key': TEST_KEY, 'content-type': 'application/json' };

export interface LiveAnswer {
  stream_id: string;
  protocol: string;
  ingest_url: string;
  hls_url: string;
  status_url: string;
  status: string;
}
export interface LiveState {
  live: { status: string; protocol: string; reason: string | null; ingestPort: number };
  running: boolean;
}

export async function openLive(base: string, body: Record<string, unknown>): Promise<LiveAnswer> {
  const res = await fetch(`${base}/live-stream`, { method: 'POST', headers: LIVE_HEADERS, body: JSON.stringify(body) });
  if (res.status !== 201) throw new Error(`POST /live-stream answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as LiveAnswer;
}

export const liveState = async (base: string, id: string): Promise<LiveState> => (await (await fetch(`${base}/live-stream/${id}`, { headers: LIVE_HEADERS })).json()) as LiveState;

/** Whether a socket is listening (TCP) or bound (UDP) on the port, read from /proc so a one-shot listener is not touched. */
export async function portInUse(port: number, proto: 'tcp' | 'udp'): Promise<boolean> {
  return (await portBound(proto, port)) === true;
}

export async function waitFor<T>(what: string, check: () => Promise<T | null | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== null && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

/** A rung's media playlist, parsed; null until it exists. */
export async function mediaPlaylist(base: string, hlsUrl: string, rung: string): Promise<Parser['manifest'] | null> {
  const res = await fetch(`${base}${hlsUrl.replace(/master\.m3u8$/, `${rung}/index.m3u8`)}`);
  if (res.status !== 200) return null;
  const p = new Parser();
  p.push(await res.text());
  p.end();
  return p.manifest;
}

/** 'live' means playable: once it is said, the rung's playlist already lists a segment and is open. */
export async function waitForPlayable(base: string, live: LiveAnswer, rung: string): Promise<Parser['manifest']> {
  await waitFor('the status to say live', async () => (await liveState(base, live.stream_id)).live.status === 'live');
  const first = await mediaPlaylist(base, live.hls_url, rung);
  if (first === null) throw new Error('live, but no media playlist');
  expect(first.segments.length).toBeGreaterThanOrEqual(1);
  expect(first.endList).toBeFalsy();
  return first;
}

/** The publisher stopped: the stream ends with that reason, closed (ENDLIST) over > 6 s, no ffmpeg left. */
export async function expectEndedByPublisher(base: string, live: LiveAnswer, rung: string, protocol: string): Promise<void> {
  const ended = await waitFor('the live stream to end', async () => {
    const s = await liveState(base, live.stream_id);
    return s.live.status === 'ended' ? s : null;
  });
  expect(ended).toMatchObject({ running: false, live: { protocol, reason: 'the publisher stopped' } });
  const closed = await mediaPlaylist(base, live.hls_url, rung);
  expect(closed?.endList).toBe(true);
  expect(closed?.segments.reduce((t, s) => t + s.duration, 0)).toBeGreaterThan(6);
  expect(ffmpegChildren()).toEqual([]);
}
