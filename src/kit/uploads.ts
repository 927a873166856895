// Multipart uploads streamed straight to disk under a per-request temp folder: per-route size caps
// (413 the moment a cap is passed, the rest never read), type detected from content (415), and
// the folder removed when the response ends, whatever happened.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Busboy, type BusboyFileStream } from '@fastify/busboy';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { clientClosed } from './client-gone.js';
import { Problem } from './problems.js';

export interface UploadLimits {
  /** Largest single file, in bytes. */
  maxBytes: number;
  /** Most files in one request. Default 1. */
  maxFiles?: number;
  /** Accepted detected types: exact (`application/pdf`) or family (`video/*`); `text/plain` is sniffed. */
  accept: readonly string[];
  /**
   * Called with each file once it is on disk and its type accepted, in upload order, while later
   * files still arrive: a route can start on the first files (e.g. parse them) during the upload.
   */
  onFile?: (file: UploadedFile) => void;
  /**
   * Also keep the files in memory (`bytes`) while together they stay under this many bytes: for a
   * route that would read them back whole anyway. Default 0: on disk only.
   */
  keepInMemoryBytes?: number;
  /** How long the body may stop arriving before the upload is refused (408), as nginx's client_body_timeout. Default 60 s. */
  idleMs?: number;
}

export interface UploadedFile {
  field: string;
  /** The client's file name, reduced to a base name: never used as a path. */
  filename: string;
  path: string;
  size: number;
  mime: string;
  ext: string;
  /** The content too, when the request's files were small enough to keep in memory (saves reading them back). */
  bytes?: Buffer;
}

export interface ReceivedForm {
  files: UploadedFile[];
  fields: Record<string, string>;
  dir: string;
}

const FORM_OVERHEAD = 1024 * 1024;
/**
 * Buffering per stage of an upload (parser and file stream; the disk writer holds more, so a disk
 * write in flight does not pause the socket). Node's 16 KiB default turns a 4 MB upload into
 * hundreds of small writes and pauses: it took 23-29 ms to land on disk, about 20 ms with 256 KiB
 * everywhere, 12.8 with a client sending as curl does, 9-12 with a 1 MiB writer (4 MiB: no better)
 * (`node bench/upload-receive.mjs`, server-side time). At most ~1.3 MiB is held per upload.
 */
const UPLOAD_HWM = 256 * 1024;
const DISK_WRITER_HWM = 1024 * 1024;
const tempDirs = new WeakMap<FastifyRequest, string[]>();

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${Number.isInteger(n) ? n : n.toFixed(1)} ${units[i]}`;
}

/** Creates a temp folder that is removed once this request's handler has answered and its response has closed. */
export async function createRequestTempDir(req: FastifyRequest, root: string, prefix = 'req-'): Promise<string> {
  await mkdir(root, { recursive: true });
  const dir = await mkdtemp(join(root, prefix));
  tempDirs.set(req, [...(tempDirs.get(req) ?? []), dir]);
  return dir;
}

/**
 * Removes a request's temp folders when both its handler is done with them and its response has
 * closed, by whichever path: sent, failed, or the client gone before the answer. A client that hangs
 * up after its whole body fires neither Fastify's onRequestAbort (the request was complete) nor
 * onResponse (nothing finished), and left its upload behind. Waiting for the handler means a route
 * still reading its file after the client left (a probe, a job taking the file over) keeps it until
 * it answers; every route answers or throws, and either reaches onSend.
 */
export function registerTempCleanup(app: FastifyInstance): void {
  app.addHook('onSend', (req, reply, payload, done) => {
    const dirs = tempDirs.get(req);
    if (dirs !== undefined) {
      tempDirs.delete(req);
      const clean = (): void => {
        Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))).catch((err: unknown) => req.log.warn({ err }, 'could not remove an upload folder'));
      };
      // 'close' comes after the response is sent, or never again when the connection has already gone.
      if (clientClosed(req, reply)) clean();
      else reply.raw.once('close', clean);
    }
    done(null, payload);
  });
}

/**
 * Request temp folders nothing has written to for this long are a dead process's (killed mid-request:
 * no hook of its ran). Every instance of a service shares the folder, so a live one's are told
 * apart by their age: a request writes to its folder as its body arrives, and no route holds one
 * idle for anything near an hour.
 */
export const STALE_TEMP_MS = 60 * 60 * 1000;

/** When a temp folder was last written to: its own time or its newest file's. */
async function lastWritten(dir: string): Promise<number> {
  const entries = await readdir(dir).catch(() => [] as string[]);
  const times = await Promise.all(
    [dir, ...entries.map((e) => join(dir, e))].map((p) =>
      stat(p).then(
        (s) => s.mtimeMs,
        () => 0,
      ),
    ),
  );
  return Math.max(...times);
}

/** Removes the request temp folders under `root` left by processes that died mid-request; answers how many. */
export async function sweepStaleTempDirs(root: string, now = Date.now(), staleMs = STALE_TEMP_MS): Promise<number> {
  const dirs = await readdir(root).catch(() => [] as string[]);
  const stale = (await Promise.all(dirs.map(async (d) => ((await lastWritten(join(root, d))) < now - staleMs ? d : null)))).filter((d) => d !== null);
  await Promise.all(stale.map((d) => rm(join(root, d), { recursive: true, force: true })));
  return stale.length;
}

const UPLOAD_IDLE_MS = 60_000;

function stalled(idleMs: number): Problem {
  return new Problem('UPLOAD_STALLED', `No part of the body arrived for ${idleMs / 1000} s; send the upload again.`, { headers: { connection: 'close' } });
}

function tooLarge(limits: UploadLimits): Problem {
  return new Problem('UPLOAD_TOO_LARGE', `Each file may be at most ${formatBytes(limits.maxBytes)} on this route.`, {
    extensions: { limit_bytes: limits.maxBytes },
    headers: { connection: 'close' },
  });
}

/** Whether a file's head (8 KiB) is UTF-8 text without NULs. */
function looksLikeText(head: Buffer): boolean {
  if (head.length === 0 || head.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, Math.max(0, head.length - 4)));
    return true;
  } catch {
    return false;
  }
}

async function readHead(path: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of createReadStream(path, { start: 0, end: 8191 })) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function detect(file: UploadedFile): Promise<{ mime: string; ext: string }> {
  // Loaded by the first upload: a process that never takes one (the gateway, ai, code) never pays its ~0.1 s.
  const { fileTypeFromBuffer, fileTypeFromFile } = await import('file-type');
  const found = file.bytes === undefined ? await fileTypeFromFile(file.path) : await fileTypeFromBuffer(file.bytes);
  if (found !== undefined) return { mime: found.mime, ext: found.ext };
  const head = file.bytes?.subarray(0, 8192) ?? (await readHead(file.path));
  return looksLikeText(head) ? { mime: 'text/plain', ext: 'txt' } : { mime: 'application/octet-stream', ext: 'bin' };
}

function accepted(mime: string, accept: readonly string[]): boolean {
  return accept.some((a) => a === mime || (a.endsWith('/*') && mime.startsWith(a.slice(0, -1))));
}

/** Detects a written file's type by content and refuses it unless the route accepts it. */
async function checkType(file: UploadedFile, accept: readonly string[]): Promise<void> {
  Object.assign(file, await detect(file));
  if (!accepted(file.mime, accept)) {
    throw new Problem('UPLOAD_TYPE_REJECTED', `"${file.filename}" is ${file.mime}; this route accepts ${accept.join(', ')}.`, { extensions: { detected_type: file.mime } });
  }
}

function parseStream(req: FastifyRequest, dir: string, limits: UploadLimits): Promise<ReceivedForm> {
  const maxFiles = limits.maxFiles ?? 1;
  const files: UploadedFile[] = [];
  const fields: Record<string, string> = {};
  // Each file is checked as soon as it is written, in upload order (a chain), while the next arrives.
  let checked: Promise<void> = Promise.resolve();
  let memoryLeft = limits.keepInMemoryBytes ?? 0;
  return new Promise((resolve, reject) => {
    let failed = false;
    let bb: ReturnType<typeof Busboy>;
    try {
      bb = Busboy({
        headers: req.headers as { 'content-type': string },
        highWaterMark: UPLOAD_HWM,
        fileHwm: UPLOAD_HWM,
        limits: { fileSize: limits.maxBytes, files: maxFiles, fields: 100, fieldSize: 1024 * 1024, parts: maxFiles + 100 },
      });
    } catch (err) {
      reject(new Problem('BAD_REQUEST', `The multipart content type cannot be read: ${(err as Error).message}.`));
      return;
    }
    // A client that stops sending mid-body would hold its request, and its folder, for as long as its connection lives.
    const idleMs = limits.idleMs ?? UPLOAD_IDLE_MS;
    const idle = setTimeout(() => fail(stalled(idleMs)), idleMs);
    const fail = (problem: Problem): void => {
      clearTimeout(idle);
      if (failed) return;
      failed = true;
      req.raw.unpipe(bb);
      req.raw.pause();
      reject(problem);
    };
    bb.on('file', (field: string, stream: BusboyFileStream, filename: string) => {
      const entry: UploadedFile = { field, filename: basename(filename || 'upload'), path: join(dir, `file-${files.length}`), size: 0, mime: '', ext: '' };
      files.push(entry);
      stream.on('limit', () => fail(tooLarge(limits)));
      let kept: Buffer[] | null = memoryLeft > 0 ? [] : null;
      if (kept !== null) {
        stream.on('data', (chunk: Buffer) => {
          if (kept === null) return;
          memoryLeft -= chunk.length;
          if (memoryLeft >= 0) kept.push(chunk);
          else kept = null;
        });
      }
      const written = pipeline(stream, createWriteStream(entry.path, { highWaterMark: DISK_WRITER_HWM })).then(
        () => {
          entry.size = stream.bytesRead;
          if (kept !== null) entry.bytes = Buffer.concat(kept);
        },
        (err: unknown) => {
          throw new Problem('BAD_REQUEST', `The upload was cut short: ${(err as Error).message}`);
        },
      );
      written.catch(() => undefined); // awaited in order below; a failure is not unhandled meanwhile
      checked = checked.then(async () => {
        await written;
        if (entry.size === 0) return;
        await checkType(entry, limits.accept);
        limits.onFile?.(entry);
      });
      // Handled at 'finish' (the body is still read to its end, so the answer reaches the client).
      checked.catch(() => undefined);
    });
    bb.on('field', (name: string, value: string, _nameTruncated: boolean, valueTruncated: boolean) => {
      if (valueTruncated) fail(new Problem('BAD_REQUEST', `Form field "${name}" is longer than 1 MiB.`));
      else fields[name] = value;
    });
    bb.on('filesLimit', () => fail(new Problem('BAD_REQUEST', `At most ${maxFiles} file(s) may be sent to this route.`)));
    bb.on('error', (err: unknown) => fail(new Problem('BAD_REQUEST', `The multipart body is malformed: ${(err as Error).message}`)));
    bb.on('finish', () => {
      clearTimeout(idle);
      // An empty file part is no file: the route sees it as missing (a clear 422), never sniffed.
      checked.then(
        () => {
          if (!failed) resolve({ files: files.filter((f) => f.size > 0), fields, dir });
        },
        (err: unknown) => fail(err instanceof Problem ? err : new Problem('BAD_REQUEST', (err as Error).message)),
      );
    });
    // A body cut short closes the request unread to its end: a hang-up mid-body, and also one just after
    // it (Node destroys a request whose client half-closes), where the rest would never reach the parser.
    // The route may start after that close (auth is asynchronous): then the request is destroyed already.
    const cut = (): void => {
      if (!req.raw.readableEnded) fail(new Problem('BAD_REQUEST', 'The client aborted the upload.'));
    };
    if (req.raw.destroyed) cut();
    else req.raw.once('close', cut);
    req.raw.pipe(bb);
    req.raw.on('data', () => idle.refresh()); // a no-op once the timer is cleared
  });
}

/** Receives a multipart form: files on disk (types checked by content), fields as strings. */
export async function receiveMultipart(req: FastifyRequest, tmpRoot: string, limits: UploadLimits): Promise<ReceivedForm> {
  const type = req.headers['content-type'] ?? '';
  if (!/^multipart\/form-data/i.test(type)) {
    throw new Problem('UNSUPPORTED_MEDIA_TYPE', 'Send the file as multipart/form-data.');
  }
  if (!/;\s*boundary=("[^"]+"|[^;\s]+)/i.test(type)) {
    throw new Problem('BAD_REQUEST', 'The multipart/form-data content type has no boundary parameter (e.g. `multipart/form-data; boundary=----x`); let the HTTP client set this header.');
  }
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > limits.maxBytes * (limits.maxFiles ?? 1) + FORM_OVERHEAD) throw tooLarge(limits);
  return parseStream(req, await createRequestTempDir(req, tmpRoot, 'upload-'), limits);
}

/** The one file a single-file route needs, or a 422 naming the field. */
export function requireFile(form: ReceivedForm, field = 'file'): UploadedFile {
  const file = form.files.find((f) => f.field === field);
  if (file === undefined) throw new Problem('UPLOAD_MISSING', `Send a non-empty file in the "${field}" form field.`);
  return file;
}
