// The stream index survives a restart, and a live stream the index still shows as running is
// closed (ENDLIST appended, marked ended) when the service comes back, since its ingest died with it.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LiveIngests } from '../../../src/services/media/live.js';
import { StreamStore } from '../../../src/services/media/stream-store.js';
import { makeTempDir } from '../../helpers.js';

const tmp = makeTempDir('pitchey-media-store-');
afterAll(() => tmp.remove());

describe('StreamStore', () => {
  it('persists its index, reopens it, and reports the bytes a delete frees', async () => {
    const store = await StreamStore.open(tmp.dir);
    const from = join(tmp.dir, 'out');
    await mkdir(join(from, 'mobile'), { recursive: true });
    await writeFile(join(from, 'master.m3u8'), '#EXTM3U\n');
    await writeFile(join(from, 'mobile', 'seg_00000.m4s'), Buffer.alloc(1000));
    await store.put({ id: 'abc-1', type: 'hls', name: 'kept', created: new Date().toISOString(), entry: 'master.m3u8' }, from);
    const reopened = await StreamStore.open(tmp.dir);
    expect((await reopened.all()).map((r) => [r.id, r.name])).toEqual([['abc-1', 'kept']]);
    expect((await reopened.resolveFile('abc-1', 'mobile/seg_00000.m4s')).stats.size).toBe(1000);
    expect(await reopened.remove('abc-1')).toBe(1008);
    expect(await (await StreamStore.open(tmp.dir)).all()).toEqual([]);
  });

  it('keeps the size of a folder that can no longer change in its record; a live one is counted when asked', async () => {
    const store = await StreamStore.open(tmp.dir);
    const from = join(tmp.dir, 'out-sized');
    await mkdir(from, { recursive: true });
    await writeFile(join(from, 'master.m3u8'), Buffer.alloc(300));
    await store.put({ id: 'sized-1', type: 'hls', name: null, created: new Date().toISOString(), entry: 'master.m3u8' }, from);
    const stored = await store.require('sized-1');
    expect(stored.bytes).toBe(300);
    expect(await store.sizeOf(stored)).toBe(300);

    await store.put({ id: 'live-1', type: 'live', name: null, created: new Date().toISOString(), entry: 'index.m3u8' });
    await mkdir(store.dirOf('live-1'), { recursive: true });
    await writeFile(join(store.dirOf('live-1'), 'index.m3u8'), Buffer.alloc(50));
    expect(await store.sizeOf(await store.require('live-1'))).toBe(50); // counted: still changing
    await writeFile(join(store.dirOf('live-1'), 'seg_1.ts'), Buffer.alloc(70));
    await store.update('live-1', () => undefined, { seal: true });
    const ended = await store.require('live-1');
    expect(ended.bytes).toBe(120);
    expect(await store.remove('live-1')).toBe(120);
    await store.remove('sized-1');
  });

  it('refuses ids and paths that could leave the folder', async () => {
    const store = await StreamStore.open(tmp.dir);
    expect(() => store.dirOf('../x')).toThrow();
    await expect(store.require('..')).rejects.toMatchObject({ status: 404 });
    await store.put({ id: 'p1', type: 'hls', name: null, created: new Date().toISOString(), entry: 'master.m3u8' });
    for (const bad of ['../../stream-records/p1.json', 'a/../../x', '.hidden', 'a\\b', '', 'a//b'])
      await expect(store.resolveFile('p1', bad), bad).rejects.toMatchObject({ status: expect.any(Number) });
  });

  it('is one store for every instance sharing the data dir: a stream one writes, the other serves', async () => {
    const [a, b] = [await StreamStore.open(tmp.dir), await StreamStore.open(tmp.dir)];
    await a.put({ id: 'shared-1', type: 'hls', name: null, created: new Date().toISOString(), entry: 'master.m3u8' });
    expect((await b.require('shared-1')).id).toBe('shared-1');
    await b.remove('shared-1');
    expect(await a.get('shared-1')).toBeNull();
  });

  it('leaves alone a live stream whose ingest runs in another live instance', async () => {
    const store = await StreamStore.open(tmp.dir);
    await mkdir(store.dirOf('live-other'), { recursive: true });
    await store.put({
      id: 'live-other',
      type: 'live',
      name: null,
      created: new Date().toISOString(),
      entry: 'master.m3u8',
      live: { status: 'live', ingestPort: 19998, startedAt: null, endedAt: null, reason: null, owner: process.ppid },
    });
    await new LiveIngests(store, { host: '127.0.0.1', ports: [19990, 19991], idleTimeoutMs: 1000, maxMs: 10_000 }).recover();
    expect((await store.get('live-other'))?.live?.status).toBe('live');
    await store.remove('live-other');
  });

  it('closes a live stream that was running when the service stopped', async () => {
    const store = await StreamStore.open(tmp.dir);
    const dir = store.dirOf('live-1');
    await mkdir(join(dir, 'mobile'), { recursive: true });
    await writeFile(join(dir, 'mobile', 'index.m3u8'), '#EXTM3U\n#EXTINF:2.0,\nseg_00000.m4s\n');
    await store.put({
      id: 'live-1',
      type: 'live',
      name: null,
      created: new Date().toISOString(),
      entry: 'master.m3u8',
      live: { status: 'live', ingestPort: 19999, startedAt: null, endedAt: null, reason: null },
    });
    await new LiveIngests(await StreamStore.open(tmp.dir), { host: '127.0.0.1', ports: [19990, 19991], idleTimeoutMs: 1000, maxMs: 10_000 }).recover();
    expect(await readFile(join(dir, 'mobile', 'index.m3u8'), 'utf8')).toMatch(/#EXT-X-ENDLIST\n$/);
    expect((await (await StreamStore.open(tmp.dir)).get('live-1'))?.live).toMatchObject({ status: 'ended', reason: 'the service restarted' });
  });
});
