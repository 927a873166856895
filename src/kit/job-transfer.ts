// Job files across hosts, as PeerTube's remote runners do it: on a shared (Redis) job store, the
// instance that accepts a job records its own address and a random per-job token in the payload.
// A runner on another disk fetches the input from that instance over HTTP into its own work dir,
// runs the job, and sends the output back, so the output lives where the job was accepted: a
// `pitchey worker` has no HTTP server to serve it from and may be gone by the time it is fetched.
// On one disk (SQLite, or instances sharing a data dir) nothing is transferred.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { request } from 'undici';
import { JOB_INPUTS_DIR, JobError, type JobContext, type JobHandler, type JobOutput } from '../jobs/index.js';
import type { JobInput } from './job-http.js';
import { Problem } from './problems.js';
import { formatBytes } from './uploads.js';

/** What a job accepted on a shared store carries: where its files are, and the key to them. */
export interface JobTransfer {
  origin: string;
  token: string;
}

/** The header a runner or another instance presents the job's token in. */
export const JOB_TOKEN_HEADER = 'x-pitchey-job-token';
/** Written into a work dir whose inputs were fetched: that dir is a copy, not the job's home. */
const FETCHED_MARK = '.fetched';
/** A file name a job may be asked for by: no separators, no leading dot, nothing to climb with. */
export const SAFE_FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function newTransfer(origin: string): JobTransfer {
  return { origin, token: randomBytes(32).toString('base64url') };
}

export function transferOf(payload: unknown): JobTransfer | null {
  const t = (payload as { transfer?: Partial<JobTransfer> } | null)?.transfer;
  return typeof t?.origin === 'string' && typeof t.token === 'string' ? { origin: t.origin, token: t.token } : null;
}

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** Throws 403 unless the request presents the job's token (compared in constant time, never logged). */
export function checkJobToken(payload: unknown, presented: string | string[] | undefined): void {
  const transfer = transferOf(payload);
  const ok = transfer !== null && typeof presented === 'string' && timingSafeEqual(digest(transfer.token), digest(presented));
  if (!ok) throw new Problem('JOB_TOKEN_INVALID', `Send the job's transfer token in ${JOB_TOKEN_HEADER}.`);
}

/** Counts bytes through a stream and fails it past `max`: a peer cannot fill the disk past what it declared. */
export function byteLimit(max: number, tooLarge: () => Error, onBytes?: (bytes: number) => void): Transform & { bytes: () => number } {
  let bytes = 0;
  const t = new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      bytes += chunk.length;
      onBytes?.(bytes);
      if (bytes > max) done(tooLarge());
      else done(null, chunk);
    },
  });
  return Object.assign(t, { bytes: () => bytes });
}

/**
 * Says how far a transfer is, at most once a second: a progress message, which also keeps a long
 * transfer of a large video from looking like a stalled job to the stall watchdog.
 */
function transferProgress(ctx: JobContext, what: string, size: number): (bytes: number) => void {
  let last = 0;
  return (bytes) => {
    if (Date.now() - last < 1000) return;
    last = Date.now();
    ctx.progress(0, `${what}: ${formatBytes(bytes)} of ${formatBytes(size)}`);
  };
}

function transferFailed(what: string, err: unknown): JobError {
  if (err instanceof JobError) return err;
  const why = err instanceof Error ? err.message : String(err);
  return new JobError('JOB_TRANSFER_FAILED', `${what}: ${why}`, { retryable: true });
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

const fileUrl = (t: JobTransfer, jobId: string, tail: string): string => `${t.origin}/internal/jobs/${encodeURIComponent(jobId)}/${tail}`;

/** Fetches one input into `path` (via a part file, so a present file is whole), checking its size. */
async function fetchInput(ctx: JobContext, t: JobTransfer, input: JobInput, path: string): Promise<void> {
  const part = `${path}.part`;
  const { signal } = ctx;
  try {
    const res = await request(fileUrl(t, ctx.job.id, `inputs/${basename(path)}`), { headers: { [JOB_TOKEN_HEADER]: t.token }, signal });
    if (res.statusCode !== 200) {
      await res.body.dump();
      throw new Error(`the accepting instance answered ${res.statusCode}`);
    }
    const tooLarge = (): Error => new Error(`the input is larger than the ${input.size} bytes recorded`);
    const limit = byteLimit(input.size, tooLarge, transferProgress(ctx, 'fetching the input', input.size));
    await pipeline(res.body, limit, createWriteStream(part), { signal });
    if (limit.bytes() !== input.size) throw new Error(`got ${limit.bytes()} of ${input.size} bytes`);
    await rename(part, path);
  } catch (err) {
    await rm(part, { force: true });
    throw transferFailed(`could not fetch input ${input.filename} from ${t.origin}`, err);
  }
}

/** PUTs one file to the accepting instance's `tail` under the job's internal routes; resolves its JSON answer. */
async function putFile(ctx: JobContext, t: JobTransfer, tail: string, path: string, what: string): Promise<{ path?: unknown }> {
  const { size } = await stat(path);
  const body = byteLimit(size, () => new Error(`${basename(path)} grew while it was sent`), transferProgress(ctx, what, size));
  const file = createReadStream(path).on('error', (err) => body.destroy(err));
  const res = await request(fileUrl(t, ctx.job.id, tail), {
    method: 'PUT',
    headers: { [JOB_TOKEN_HEADER]: t.token, 'content-type': 'application/octet-stream', 'content-length': String(size) },
    body: file.pipe(body),
    signal: ctx.signal,
  });
  return answerOf(res);
}

async function answerOf(res: Awaited<ReturnType<typeof request>>): Promise<{ path?: unknown }> {
  const answer = (await res.body.json()) as { path?: unknown; detail?: unknown };
  if (res.statusCode !== 200) throw new Error(`the accepting instance answered ${res.statusCode}: ${String(answer.detail)}`);
  return answer;
}

/** Sends the output to the accepting instance; resolves the path it is kept at there. */
async function sendOutput(ctx: JobContext, t: JobTransfer, path: string): Promise<string> {
  try {
    const answer = await putFile(ctx, t, `output/${encodeURIComponent(basename(path))}`, path, 'sending the output');
    if (typeof answer.path !== 'string') throw new Error('the accepting instance named no path');
    return answer.path;
  } catch (err) {
    throw transferFailed(`could not send the output to ${t.origin}`, err);
  }
}

/** Regular files under a folder, as relative paths with `/`; links are neither followed nor sent. */
async function filesIn(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/'));
}

/**
 * Sends a folder the job made (a stream's playlists and segments) to the accepting instance, file by
 * file into a part folder there, then asks the service's `commit` route (under the job's internal
 * routes) to take it whole: no one there sees half of it. A part folder an earlier attempt left is
 * emptied first. The job's token authorises every request, as for its output.
 */
export async function sendFolderHome(ctx: JobContext, t: JobTransfer, dir: string, commit: { route: string; body: unknown }): Promise<void> {
  const headers = { [JOB_TOKEN_HEADER]: t.token };
  try {
    await answerOf(await request(fileUrl(t, ctx.job.id, 'folder'), { method: 'DELETE', headers, signal: ctx.signal }));
    for (const rel of await filesIn(dir)) {
      await putFile(ctx, t, `folder/${rel.split('/').map(encodeURIComponent).join('/')}`, join(dir, rel), `sending ${rel}`);
    }
    const body = JSON.stringify(commit.body);
    await answerOf(await request(fileUrl(t, ctx.job.id, commit.route), { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body, signal: ctx.signal }));
  } catch (err) {
    throw transferFailed(`could not send ${basename(dir)} to ${t.origin}`, err);
  }
}

/**
 * Whether this work dir is a copy on another disk than the accepting instance's. The accepting
 * instance always makes the inputs folder; a runner elsewhere finds none, or the one it fetched into.
 */
async function isRemoteCopy(workDir: string): Promise<boolean> {
  const inputs = join(workDir, JOB_INPUTS_DIR);
  return !(await exists(inputs)) || (await exists(join(inputs, FETCHED_MARK)));
}

/** The job's transfer when this run is on another disk than the accepting instance's; null at home or on one disk. */
export async function remoteTransfer(ctx: JobContext): Promise<JobTransfer | null> {
  const t = transferOf(ctx.payload);
  return t !== null && (await isRemoteCopy(ctx.workDir)) ? t : null;
}

/** The inputs as paths in this work dir, fetched from the accepting instance where not here yet. */
async function localInputs(ctx: JobContext, t: JobTransfer, inputs: JobInput[]): Promise<JobInput[]> {
  const dir = join(ctx.workDir, JOB_INPUTS_DIR);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, FETCHED_MARK), '');
  const local: JobInput[] = [];
  for (const input of inputs) {
    const name = basename(input.path);
    if (!SAFE_FILE_NAME.test(name)) throw new JobError('JOB_TRANSFER_FAILED', `input name ${JSON.stringify(name)} is not a plain file name`);
    const path = join(dir, name);
    const here = await stat(path).catch(() => null);
    if (here?.size !== input.size) await fetchInput(ctx, t, input, path);
    local.push({ ...input, path });
  }
  return local;
}

type OutputFile = { path: string; host?: string };

/** Runs the job on this disk's copy of its inputs and sends its output home; the copy goes either way. */
async function runRemotely(handler: JobHandler, ctx: JobContext, t: JobTransfer): Promise<JobOutput> {
  const payload = ctx.payload as { inputs?: JobInput[] };
  try {
    const inputs = await localInputs(ctx, t, payload.inputs ?? []);
    const done = await handler({ ...ctx, payload: { ...payload, inputs } });
    const result = done.result as { output?: OutputFile } | null;
    if (result?.output === undefined) return { result: done.result };
    const path = await sendOutput(ctx, t, result.output.path);
    // The output is at home now; the files this attempt made here are not the job's to keep.
    return { result: { ...result, output: { ...result.output, path, host: t.origin } } };
  } finally {
    await rm(ctx.workDir, { recursive: true, force: true });
  }
}

/** Handlers that fetch their job's input and send its output back when they run on another disk. */
export function withJobTransfers(handlers: Record<string, JobHandler>): Record<string, JobHandler> {
  return Object.fromEntries(
    Object.entries(handlers).map(([type, handler]) => [
      type,
      async (ctx: JobContext) => {
        const transfer = transferOf(ctx.payload);
        if (transfer === null) return handler(ctx);
        if (await isRemoteCopy(ctx.workDir)) return runRemotely(handler, ctx, transfer);
        // Run at home: the output stays here, and an instance on another host asks here for it.
        const done = await handler(ctx);
        const result = done.result as { output?: OutputFile } | null;
        return result?.output === undefined ? done : { ...done, result: { ...result, output: { ...result.output, host: transfer.origin } } };
      },
    ]),
  );
}
