// Where finished and live streams live: one folder per stream under `<dataDir>/streams`, and one
// record file per stream under `<dataDir>/stream-records` — read from disk on every lookup, so every
// instance of the service sharing the data dir (a canary beside stable, a job run by the other
// one) sees the same streams. Ids and file paths are validated and resolved so a request can never
// read outside its stream's folder, and links planted in a folder are not followed.
import { lstat, mkdir, readdir, readFile, realpath, rename, rm, writeFile } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { join, sep } from 'node:path';
import { Problem, SERVICE_PATHS } from '../../kit/index.js';
import type { LiveProtocol } from './live-protocols.js';

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
  /** Bytes in the folder, measured once it can no longer change (stored, or live and ended). */
  bytes?: number;
  /**
   * `owner`: the pid of the instance running the ingest (another instance must not close it).
   * `protocol`: how the publisher pushes (records from before SRT have none: RTMP).
   */
  live?: { status: LiveStatus; protocol?: LiveProtocol; ingestPort: number; startedAt: string | null; endedAt: string | null; reason: string | null; owner?: number };
}

export const STREAM_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/** A stream file's relative path as its plain names: no `..`, no leading dot, no separators, four deep at most. */
export function streamFileParts(relative: string): string[] {
  const parts = relative.split('/');
  if (parts.length > 4 || !parts.every((p) => SEGMENT.test(p) && !p.includes('..'))) {
    throw new Problem('STREAM_PATH_INVALID', 'Stream file paths are plain names inside the stream folder.');
  }
  return parts;
}

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
  private constructor(
    readonly root: string,
    private readonly recordsDir: string,
  ) {}

  static async open(dataDir: string): Promise<StreamStore> {
    const store = new StreamStore(join(dataDir, SERVICE_PATHS.streams), join(dataDir, SERVICE_PATHS.streamRecords));
    await Promise.all([mkdir(store.root, { recursive: true }), mkdir(store.recordsDir, { recursive: true })]);
    return store;
  }

  /** The folder of a stream id; a malformed id is a 404 (no such stream), never a path. */
  dirOf(id: string): string {
    if (!STREAM_ID.test(id)) throw new Problem('STREAM_NOT_FOUND', 'Stream ids are letters, digits, "-" and "_".');
    return join(this.root, id);
  }

  private recordPath(id: string): string {
    if (!STREAM_ID.test(id)) throw new Problem('STREAM_NOT_FOUND', 'Stream ids are letters, digits, "-" and "_".');
    return join(this.recordsDir, `${id}.json`);
  }

  async get(id: string): Promise<StreamRecord | null> {
    if (!STREAM_ID.test(id)) return null;
    const text = await readFile(this.recordPath(id), 'utf8').catch(() => null);
    if (text === null) return null;
    try {
      return JSON.parse(text) as StreamRecord;
    } catch {
      return null;
    }
  }

  async require(id: string): Promise<StreamRecord> {
    const record = await this.get(id);
    if (record === null) throw new Problem('STREAM_NOT_FOUND', `No stream ${id.slice(0, 64)}.`);
    return record;
  }

  async all(): Promise<StreamRecord[]> {
    const names = await readdir(this.recordsDir).catch(() => [] as string[]);
    const ids = names
      .filter((n) => n.endsWith('.json'))
      .map((n) => n.slice(0, -5))
      .filter((id) => STREAM_ID.test(id));
    const records = await Promise.all(ids.map((id) => this.get(id)));
    return records.filter((r): r is StreamRecord => r !== null).sort((a, b) => a.created.localeCompare(b.created));
  }

  /** Records a stream; `from` (a finished output folder) is measured and moved into place first. */
  async put(record: StreamRecord, from?: string): Promise<void> {
    if (from === undefined) {
      await this.write(record);
      return;
    }
    const bytes = await folderBytes(from);
    await rename(from, this.dirOf(record.id));
    await this.write({ ...record, bytes });
  }

  /** `seal`: the folder will not change again, so its size is measured now and kept in the record. */
  async update(id: string, change: (r: StreamRecord) => void, opts: { seal?: boolean } = {}): Promise<void> {
    const record = await this.get(id);
    if (record === null) return;
    change(record);
    if (opts.seal === true) record.bytes = await folderBytes(this.dirOf(id));
    await this.write(record);
  }

  /** A stream's size without walking a folder that cannot change (listing many streams stays cheap). */
  async sizeOf(record: StreamRecord): Promise<number> {
    return record.bytes ?? folderBytes(this.dirOf(record.id));
  }

  /** Removes a known stream's folder and record (the caller has found the record); resolves the bytes freed. */
  async remove(id: string): Promise<number> {
    const dir = this.dirOf(id);
    const freed = await folderBytes(dir);
    await rm(dir, { recursive: true, force: true });
    await rm(this.recordPath(id), { force: true });
    return freed;
  }

  /**
   * A file inside a stream's folder, by its relative path: every segment must be a plain name
   * (no `..`, no leading dot, no separators), and the resolved real path must be exactly that
   * path, so no link anywhere on the way is followed. The caller has already found the record.
   */
  async resolveFile(id: string, relative: string): Promise<{ path: string; stats: Stats }> {
    const parts = streamFileParts(relative);
    const base = await realpath(this.dirOf(id)).catch(() => null);
    const notFound = new Problem('STREAM_NOT_FOUND', `Stream ${id} has no file ${relative}.`);
    if (base === null) throw notFound;
    const wanted = join(base, ...parts);
    const real = await realpath(wanted).catch(() => null);
    if (real === null) throw notFound;
    if (real !== wanted || !real.startsWith(base + sep)) throw new Problem('STREAM_PATH_INVALID', 'Stream files are served from the stream folder only.');
    const stats = await lstat(real);
    if (!stats.isFile()) throw notFound;
    return { path: real, stats };
  }

  /** Atomic per record (write a private temp file, then rename over the record). */
  private async write(record: StreamRecord): Promise<void> {
    const path = this.recordPath(record.id);
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(record, null, 1));
    await rename(tmp, path);
  }
}
