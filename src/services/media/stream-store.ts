// Where finished and live streams live: one folder per stream under `<dataDir>/streams`, and an
// index (`streams.json`) persisted beside it. Ids and file paths are validated and resolved so a
// request can never read outside its stream's folder, and links planted in a folder are not followed.
import { lstat, mkdir, readdir, readFile, realpath, rename, rm, writeFile } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { Problem } from '../../kit/index.js';

export type StreamType = 'hls' | 'dash' | 'live';
export type LiveStatus = 'waiting' | 'live' | 'ended' | 'failed';

export interface StreamRecord {
  id: string;
  type: StreamType;
  name: string | null;
  created: string;
  /** The file a player opens, relative to the stream folder: `master.m3u8` or `manifest.mpd`. */
  entry: string;
  /** DASH representation ids that carry audio (their segments are `audio/mp4`). */
  audioRepresentations?: string[];
  live?: { status: LiveStatus; ingestPort: number; startedAt: string | null; endedAt: string | null; reason: string | null };
}

export const STREAM_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/** Bytes under a folder, counting files only: links are neither followed nor counted. */
async function folderBytes(dir: string): Promise<number> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  let total = 0;
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory()) total += await folderBytes(path);
    else if (e.isFile()) total += (await lstat(path)).size;
  }
  return total;
}

export class StreamStore {
  private records = new Map<string, StreamRecord>();
  private saving: Promise<void> = Promise.resolve();

  private constructor(readonly root: string, private readonly indexPath: string) {}

  static async open(dataDir: string): Promise<StreamStore> {
    const store = new StreamStore(join(dataDir, 'streams'), join(dataDir, 'streams.json'));
    await mkdir(store.root, { recursive: true });
    const saved = await readFile(store.indexPath, 'utf8').then((t) => JSON.parse(t) as StreamRecord[], () => []);
    for (const r of saved) if (STREAM_ID.test(r.id)) store.records.set(r.id, r);
    return store;
  }

  /** The folder of a stream id; a malformed id is a 404 (no such stream), never a path. */
  dirOf(id: string): string {
    if (!STREAM_ID.test(id)) throw new Problem('STREAM_NOT_FOUND', 'Stream ids are letters, digits, "-" and "_".');
    return join(this.root, id);
  }

  get(id: string): StreamRecord | null {
    return this.records.get(id) ?? null;
  }

  require(id: string): StreamRecord {
    const record = STREAM_ID.test(id) ? this.records.get(id) : undefined;
    if (record === undefined) throw new Problem('STREAM_NOT_FOUND', `No stream ${id.slice(0, 64)}.`);
    return record;
  }

  all(): StreamRecord[] {
    return [...this.records.values()].sort((a, b) => a.created.localeCompare(b.created));
  }

  /** Records a stream; `from` (a finished output folder) is moved into place first. */
  async put(record: StreamRecord, from?: string): Promise<void> {
    if (from !== undefined) await rename(from, this.dirOf(record.id));
    this.records.set(record.id, record);
    await this.save();
  }

  async update(id: string, change: (r: StreamRecord) => void): Promise<void> {
    const record = this.records.get(id);
    if (record === undefined) return;
    change(record);
    await this.save();
  }

  async sizeOf(id: string): Promise<number> {
    return folderBytes(this.dirOf(id));
  }

  /** Removes the stream's folder and record; resolves the bytes freed. */
  async remove(id: string): Promise<number> {
    this.require(id);
    const dir = this.dirOf(id);
    const freed = await folderBytes(dir);
    await rm(dir, { recursive: true, force: true });
    this.records.delete(id);
    await this.save();
    return freed;
  }

  /**
   * A file inside a stream's folder, by its relative path: every segment must be a plain name
   * (no `..`, no leading dot, no separators), and the resolved real path must be exactly that
   * path, so no link anywhere on the way is followed.
   */
  async resolveFile(id: string, relative: string): Promise<{ path: string; size: number }> {
    this.require(id);
    const parts = relative.split('/');
    if (parts.length > 4 || !parts.every((p) => SEGMENT.test(p) && !p.includes('..'))) {
      throw new Problem('STREAM_PATH_INVALID', 'Stream file paths are plain names inside the stream folder.');
    }
    const base = await realpath(this.dirOf(id)).catch(() => null);
    const notFound = new Problem('STREAM_NOT_FOUND', `Stream ${id} has no file ${relative}.`);
    if (base === null) throw notFound;
    const wanted = join(base, ...parts);
    const real = await realpath(wanted).catch(() => null);
    if (real === null) throw notFound;
    if (real !== wanted || !real.startsWith(base + sep)) throw new Problem('STREAM_PATH_INVALID', 'Stream files are served from the stream folder only.');
    const info = await lstat(real);
    if (!info.isFile()) throw notFound;
    return { path: real, size: info.size };
  }

  private save(): Promise<void> {
    const text = JSON.stringify(this.all(), null, 1);
    this.saving = this.saving.then(async () => {
      const tmp = `${this.indexPath}.tmp`;
      await writeFile(tmp, text);
      await rename(tmp, this.indexPath);
    });
    return this.saving;
  }
}
