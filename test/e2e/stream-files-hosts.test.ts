// HLS/DASH streams across hosts on a shared Redis: processes with separate data dirs stand for
// hosts. A ladder job accepted by instance A is run by instance B (or a worker W on a third disk):
// the stream folder is sent home to A file by file and filed whole; its playlists and segments are
// served byte-identical by A (from disk) and B (relayed from A, Range passed through); a traversal
// name is refused; no part folder, runner copy or upload is left behind; the token is in no log.
// A live stream stays on its ingesting host and is relayed by the others; deletes are relayed home.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRedisJobBackend } from '../../src/jobs/index.js';
import { SERVICE_PATHS } from '../../src/kit/data-dir.js';
import { cleanupsAfterEach, makeTempDir, TEST_KEY, until } from '../helpers.js';
import { filesUnder, startHost, type Host } from '../support/hosts.js';
import { runProcess } from '../../src/kit/process-runner.js';
import { openLive } from '../services/media/media-test-kit.js';
import { ffmpegChildren, makeClip } from '../support/media-fixtures.js';
import { bundleEntry } from '../support/processes.js';
import { startRedisFor } from '../support/redis.js';

const cleanups = cleanupsAfterEach();
const auth = { 'x-api-key': TEST_KEY };

/** A media host; a worker's base is '' (it is never asked). */
async function startMediaHost(entry: string, role: 'instance' | 'worker', url: string, name: string, runs: 'runs' | 'accepts'): Promise<Host & { base: string }> {
  const host = await startHost(cleanups, entry, 'media', name, [role, url, runs]);
  return { ...host, base: host.base ?? '' };
}

interface StreamResult {
  stream_id: string;
  master_playlist: string;
  variants: Array<{ playlist: string }>;
  manifest?: string;
}

async function transcode(base: string, clip: string, path: '/hls-transcode' | '/dash'): Promise<{ id: string; result: StreamResult }> {
  const form = new FormData();
  form.append('file', new Blob([readFileSync(clip)], { type: 'video/mp4' }), 'clip.mp4');
  form.append('qualities', 'mobile,low');
  const res = await fetch(`${base}${path}?async=true`, { method: 'POST', body: form, headers: auth });
  expect(res.status).toBe(202);
  const id = ((await res.json()) as { task_id: string }).task_id;
  const job = await until(
    `job ${id} to complete`,
    async () => {
      const j = (await (await fetch(`${base}/status/${id}`, { headers: auth })).json()) as { status: string; result: StreamResult; error?: unknown };
      if (j.status === 'failed') throw new Error(`job failed: ${JSON.stringify(j.error)}`);
      return j.status === 'completed' ? j : undefined;
    },
    60_000,
    100,
  );
  return { id, result: job.result };
}

async function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; body: Buffer }> {
  const res = await fetch(url, { headers });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

/** The first segment a media playlist names (its init map, for fMP4). */
function firstFile(playlist: string): string {
  const map = /#EXT-X-MAP:URI="([^"]+)"/.exec(playlist)?.[1];
  const name = map ?? playlist.split('\n').find((l) => l !== '' && !l.startsWith('#'));
  if (name === undefined) throw new Error(`no file in ${playlist}`);
  return name;
}

describe('HLS/DASH streams across hosts (separate data dirs, one Redis)', () => {
  it('sends a stream run elsewhere home whole; every instance serves it byte-identical, with Range', async () => {
    const redis = await startRedisFor(cleanups);
    const tmp = makeTempDir();
    cleanups.push(tmp.remove);
    const entry = await bundleEntry(new URL('../support/media-host-process.ts', import.meta.url), tmp.dir);
    const clip = await makeClip(tmp.dir, { name: 'src', seconds: 2, width: 320, height: 240, fps: 25 });
    const liveClip = await makeClip(tmp.dir, { name: 'live', seconds: 10, width: 320, height: 240, fps: 25 });
    const store = createRedisJobBackend({ url: redis.url, namespace: 'media' });
    cleanups.push(() => store.close());
    const a = await startMediaHost(entry, 'instance', redis.url, 'a', 'accepts');
    const b = await startMediaHost(entry, 'instance', redis.url, 'b', 'runs');

    const { id, result } = await transcode(a.base, clip, '/hls-transcode');
    const streamId = result.stream_id;
    const variant = result.variants[0]?.playlist ?? '';
    const fromA = await get(`${a.base}${result.master_playlist}`);
    const fromB = await get(`${b.base}${result.master_playlist}`);
    expect(fromA.status).toBe(200);
    expect(fromB.status).toBe(200);
    expect(fromB.body.equals(fromA.body)).toBe(true);
    expect(fromB.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
    expect(fromB.headers.get('access-control-allow-origin')).toBe('*');
    const media = (await get(`${b.base}${variant}`)).body.toString();
    const segment = `${variant.slice(0, variant.lastIndexOf('/'))}/${firstFile(media)}`;
    const segA = await get(`${a.base}${segment}`);
    const segB = await get(`${b.base}${segment}`);
    expect([segA.status, segB.status]).toEqual([200, 200]);
    expect(segA.body.length).toBeGreaterThan(100);
    expect(segB.body.equals(segA.body)).toBe(true);
    const part = await get(`${b.base}${segment}`, { range: 'bytes=10-49' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 10-49/${segA.body.length}`);
    expect(part.body.equals(segA.body.subarray(10, 50))).toBe(true);
    expect((await get(`${b.base}/streams/${streamId}/no-such.m3u8`)).status).toBe(404);
    expect((await get(`${b.base}/streams/no-such-stream/master.m3u8`)).status).toBe(404);
    expect((await get(`${b.base}/streams/${streamId}/..%2F..%2Fstream-records%2F${streamId}.json`)).status).toBe(400);

    // The folder route takes plain names under the job's token only, and only while the job runs.
    const job = await store.get(id);
    const token = (job?.payload as { transfer: { token: string } }).transfer.token;
    const put = (name: string, t = token) =>
      fetch(`${a.base}/internal/jobs/${id}/folder/${name}`, { method: 'PUT', body: 'x', headers: { 'x-pitchey-job-token': t, 'content-type': 'application/octet-stream' } });
    expect((await put('..%2F..%2Fstreams%2Fevil.m3u8')).status).toBe(400);
    expect((await put('a/..%2F..%2Fevil')).status).toBe(400);
    expect((await put('.hidden')).status).toBe(400);
    expect((await put('x.m4s', 'wrong')).status).toBe(403);
    expect(((await (await put('x.m4s')).json()) as { code: string }).code).toBe('JOB_NOT_RUNNING');
    const commit = await fetch(`${a.base}/internal/jobs/${id}/stream`, {
      method: 'POST',
      body: JSON.stringify({ created: new Date().toISOString() }),
      headers: { 'x-pitchey-job-token': token, 'content-type': 'application/json' },
    });
    expect(commit.status).toBe(409);

    // A DASH stream run by a `pitchey worker` on a third disk goes home the same way.
    await b.stop();
    const w = await startMediaHost(entry, 'worker', redis.url, 'w', 'runs');
    const c = await startMediaHost(entry, 'instance', redis.url, 'c', 'accepts');
    const dash = await transcode(a.base, clip, '/dash');
    const mpd = dash.result.manifest ?? '';
    const mpdA = await get(`${a.base}${mpd}`);
    const mpdC = await get(`${c.base}${mpd}`);
    expect([mpdA.status, mpdC.status]).toEqual([200, 200]);
    expect(mpdC.body.equals(mpdA.body)).toBe(true);
    expect(mpdC.headers.get('content-type')).toBe('application/dash+xml');
    await w.stop();

    // A live stream stays on the host that ingests it (C); A relays its growing window from there.
    const live = await openLive(c.base, { stream_key: 'across-hosts-key', qualities: 'mobile' });
    const push = runProcess('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-re', '-i', liveClip, '-c', 'copy', '-f', 'flv', live.ingest_url], { timeoutMs: 30_000 });
    const liveIndex = `${a.base}${live.hls_url.replace(/master\.m3u8$/, 'mobile/index.m3u8')}`;
    const liveMedia = await until(
      "A to relay the live window's first segment",
      async () => {
        const r = await get(liveIndex);
        return r.status === 200 && r.body.includes('#EXTINF') ? r.body.toString() : undefined;
      },
      30_000,
      200,
    );
    const liveSegment = live.hls_url.replace(/master\.m3u8$/, `mobile/${firstFile(liveMedia)}`);
    const [liveA, liveC] = await Promise.all([get(`${a.base}${liveSegment}`), get(`${c.base}${liveSegment}`)]);
    expect([liveA.status, liveC.status]).toEqual([200, 200]);
    expect(liveA.body.equals(liveC.body)).toBe(true);
    expect((await push).exitCode).toBe(0);

    // Deleted through another instance: gone from its home, and from every instance.
    const deleted = await fetch(`${c.base}/stream/${dash.result.stream_id}`, { method: 'DELETE', headers: auth });
    expect(deleted.status).toBe(200);
    expect((await get(`${a.base}${mpd}`)).status).toBe(404);
    expect((await get(`${c.base}${mpd}`)).status).toBe(404);
    expect((await fetch(`${a.base}/stream/${live.stream_id}`, { method: 'DELETE', headers: auth })).status).toBe(200);
    expect((await get(`${c.base}${live.hls_url}`)).status).toBe(404);

    // The stream is kept where it was accepted, whole; the runners keep nothing, no part anywhere.
    expect(ffmpegChildren()).toEqual([]);
    const streamsA = filesUnder(join(a.dataDir, SERVICE_PATHS.streams));
    expect(streamsA.filter((f) => f.startsWith(`${streamId}/`)).length).toBeGreaterThan(3);
    expect(streamsA.every((f) => f.startsWith(`${streamId}/`) && !f.includes('.part'))).toBe(true);
    expect(filesUnder(join(a.dataDir, SERVICE_PATHS.jobs))).toEqual([]);
    for (const host of [b, w, c]) {
      expect(filesUnder(join(host.dataDir, SERVICE_PATHS.streams))).toEqual([]);
      expect(filesUnder(join(host.dataDir, SERVICE_PATHS.jobs))).toEqual([]);
    }
    await Promise.all([a.stop(), c.stop()]);
    for (const host of [a, b, w, c]) expect(host.log()).not.toContain(token);
  }, 150_000);
});
