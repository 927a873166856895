// The few Docker Engine API exchanges the image builder needs beyond dockerode's one-liners: a
// progress stream followed to its end (failing on its error events) and a file read out of an image.
import type Docker from 'dockerode';
import { ImageError } from './families.js';

interface ProgressEvent {
  stream?: string;
  status?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: { ID?: string };
}

/** Waits for a build/import stream to end; an `error` event (a failed RUN, a bad tar) rejects. */
export function followStream(docker: Docker, stream: NodeJS.ReadableStream, onLine?: (line: string) => void): Promise<ProgressEvent[]> {
  return new Promise((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (err: Error | null, events: ProgressEvent[]) => {
        if (err !== null) {
          reject(err);
          return;
        }
        const failed = events.find((e) => e.error !== undefined || e.errorDetail !== undefined);
        if (failed !== undefined) reject(new ImageError(failed.errorDetail?.message ?? failed.error ?? 'the Docker engine reported an error'));
        else resolve(events);
      },
      (e: ProgressEvent) => {
        const line = (e.stream ?? e.status ?? '').trim();
        if (line !== '') onLine?.(line);
      },
    );
  });
}

export interface TarEntry {
  name: string;
  type: 'file' | 'dir' | 'symlink' | 'other';
  linkname: string;
  data: Buffer;
}

const TYPES: Record<string, TarEntry['type']> = { '0': 'file', '\0': 'file', '5': 'dir', '2': 'symlink' };

function field(header: Buffer, start: number, length: number): string {
  const raw = header.subarray(start, start + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end === -1 ? length : end).toString('utf8');
}

/** The entries of an (uncompressed) tar archive, as the engine's archive endpoint returns them. */
export function tarEntries(tar: Buffer): TarEntry[] {
  const entries: TarEntry[] = [];
  let longName: string | null = null;
  for (let at = 0; at + 512 <= tar.length;) {
    const header = tar.subarray(at, at + 512);
    if (header.every((b) => b === 0)) break;
    const size = parseInt(field(header, 124, 12).trim() || '0', 8);
    const flag = String.fromCharCode(header[156] ?? 0);
    const data = tar.subarray(at + 512, at + 512 + size);
    at += 512 + Math.ceil(size / 512) * 512;
    if (flag === 'L') {
      longName = field(data, 0, data.length);
      continue;
    }
    if (flag === 'x' || flag === 'g') {
      longName = /\d+ path=([^\n]*)\n/.exec(data.toString('utf8'))?.[1] ?? longName;
      continue;
    }
    const prefix = field(header, 345, 155);
    const name = longName ?? (prefix === '' ? field(header, 0, 100) : `${prefix}/${field(header, 0, 100)}`);
    longName = null;
    entries.push({ name, type: TYPES[flag] ?? 'other', linkname: field(header, 157, 100), data: Buffer.from(data) });
  }
  return entries;
}

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

/**
 * A path's archive out of an image, read through a created (never started) container that is
 * removed afterwards. The image needs no shell and runs nothing.
 */
export async function readImagePath(docker: Docker, image: string, path: string): Promise<TarEntry[]> {
  const container = await docker.createContainer({ Image: image, Cmd: ['/nonexistent'], Labels: { 'io.pitchey.purpose': 'read-image-path' } });
  try {
    return tarEntries(await collect(await container.getArchive({ path })));
  } finally {
    await container.remove({ force: true });
  }
}

/** The image's ID (`sha256:…`), or null when no image has that reference. */
export async function imageId(docker: Docker, ref: string): Promise<string | null> {
  try {
    return (await docker.getImage(ref).inspect()).Id;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return null;
    throw err;
  }
}
