// The accepting instance's side of job files across hosts (see job-transfer.ts): internal routes,
// hidden from the API documents and authorised by the job's own token rather than an API key,
// from which a runner elsewhere fetches a job's input and to which it sends the output; and the
// download of an output kept by another instance, streamed from it with the client's Range.
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { request } from 'undici';
import { ID_PATTERN, JOB_INPUTS_DIR, type JobRecord } from '../jobs/index.js';
import { clientGoneSignal } from './client-gone.js';
import type { HttpApp } from './http-app.js';
import type { JobOutput, ServiceJobs } from './job-http.js';
import { byteLimit, checkJobToken, JOB_TOKEN_HEADER, SAFE_FILE_NAME, transferOf } from './job-transfer.js';
import { Problem } from './problems.js';
import { sendFile } from './send-file.js';
import { requireDiskSpace } from './system.js';
import { formatBytes } from './uploads.js';

/** An output recorded with the address of the instance that keeps it (a job run on another host). */
export type KeptOutput = JobOutput & { host?: string };

const FileParams = Type.Object({ id: Type.String({ pattern: ID_PATTERN.source }), name: Type.String({ pattern: SAFE_FILE_NAME.source }) });
const JobParams = Type.Object({ id: Type.String({ pattern: ID_PATTERN.source }) });
const FolderFileParams = Type.Object({ id: Type.String({ pattern: ID_PATTERN.source }), '*': Type.String({ maxLength: 512 }) });
/** Where a folder sent home (sendFolderHome) gathers in the job's home folder until its service takes it. */
const FOLDER_PART = '.folder.part';
/** Internal routes (job files between hosts): no API key (the job's token is checked), no rate limit. */
export const INTERNAL_ROUTE = { config: { auth: 'public', rateLimit: false } } as const;

/**
 * The job, if it exists and the request carries its token: 404 before 403, as a runner needs to
 * know which. Runners and instances call these routes directly; through the gateway (which names
 * its prefix) they do not exist, so the public address offers nothing to guess tokens at.
 */
async function jobWithToken(jobs: ServiceJobs, id: string, req: FastifyRequest): Promise<JobRecord> {
  if (req.headers['x-forwarded-prefix'] !== undefined) throw new Problem('ROUTE_NOT_FOUND', 'Job transfers are not served through the gateway.');
  const job = await jobs.backend.get(id);
  if (job === null) throw new Problem('JOB_NOT_FOUND', `No job ${id} (it may have expired).`);
  checkJobToken(job.payload, req.headers[JOB_TOKEN_HEADER]);
  return job;
}

/** The job's home folder on this instance: 404 when its files are not here. */
async function homeDir(jobs: ServiceJobs, id: string): Promise<string> {
  const dir = join(jobs.workRoot, id);
  if (!(await stat(join(dir, JOB_INPUTS_DIR)).catch(() => null))) throw new Problem('JOB_NOT_FOUND', `Job ${id}'s files are not kept on this instance.`);
  return dir;
}

async function runningJobWithToken(jobs: ServiceJobs, id: string, req: FastifyRequest): Promise<JobRecord> {
  const job = await jobWithToken(jobs, id, req);
  if (job.state !== 'running') throw new Problem('JOB_NOT_RUNNING', `Job ${id} is ${job.state}; only a running job's files are taken.`);
  return job;
}

/** A file's place in a folder sent home: at most four plain names (no `..`, no leading dot, no separators). */
function folderPath(relative: string): string[] {
  const parts = relative.split('/');
  if (parts.length > 4 || !parts.every((p) => SAFE_FILE_NAME.test(p))) throw new Problem('BAD_REQUEST', 'Folder files are named by up to four plain names.');
  return parts;
}

/**
 * For a service's commit route: the folder a runner has sent home for this running job (checked
 * token), whole, for the service to move where it keeps such folders.
 */
export async function receivedFolder(jobs: ServiceJobs, id: string, req: FastifyRequest): Promise<{ job: JobRecord; path: string }> {
  const job = await runningJobWithToken(jobs, id, req);
  const path = join(await homeDir(jobs, id), FOLDER_PART);
  if (!(await stat(path).catch(() => null))?.isDirectory()) throw new Problem('BAD_REQUEST', `Nothing was sent for job ${id}.`);
  return { job, path };
}

function declaredLength(req: FastifyRequest, max: number): number {
  const length = Number(req.headers['content-length']);
  if (!Number.isSafeInteger(length) || length < 0) throw new Problem('BAD_REQUEST', 'Send the output with a Content-Length.');
  if (length > max) throw new Problem('BODY_TOO_LARGE', `The output has ${formatBytes(length)}; at most ${formatBytes(max)} is taken back.`);
  return length;
}

/** Receives one output file, streamed to a part file in the job's folder and renamed once whole. */
async function receiveOutput(req: FastifyRequest, dir: string, name: string, length: number): Promise<string> {
  await requireDiskSpace(dir, length, 'The output');
  const path = join(dir, name);
  const part = join(dir, `.${name}.part`);
  const limit = byteLimit(length, () => new Problem('BODY_TOO_LARGE', 'The output is longer than its Content-Length.'));
  try {
    await pipeline(req.raw, limit, createWriteStream(part));
    if (limit.bytes() !== length) throw new Problem('BAD_REQUEST', `Got ${limit.bytes()} of ${length} bytes.`);
    await rename(part, path);
    return path;
  } finally {
    await rm(part, { force: true });
  }
}

export function registerJobTransferRoutes(app: HttpApp, jobs: ServiceJobs, maxOutputBytes: number): void {
  app.get('/internal/jobs/:id/inputs/:name', { ...INTERNAL_ROUTE, schema: { hide: true, params: FileParams } }, async (req, reply) => {
    const { id, name } = req.params;
    await jobWithToken(jobs, id, req);
    const path = join(await homeDir(jobs, id), JOB_INPUTS_DIR, name);
    const stats = await stat(path).catch(() => null);
    if (stats?.isFile() !== true) throw new Problem('JOB_NOT_FOUND', `Job ${id} has no input ${name} here.`);
    return sendFile(req, reply, { path, contentType: 'application/octet-stream', stats });
  });

  app.register((scope, _opts, registered) => {
    // Left unread by the parser: the route streams it to disk with its own cap.
    scope.addContentTypeParser('application/octet-stream', (_req, _payload, done) => done(null));
    scope.put('/internal/jobs/:id/output/:name', { ...INTERNAL_ROUTE, schema: { hide: true, params: FileParams } }, async (req) => {
      // A plugin's scope does not inherit the TypeBox provider; the schema has validated them.
      const { id, name } = req.params as Static<typeof FileParams>;
      await runningJobWithToken(jobs, id, req);
      if (name === JOB_INPUTS_DIR) throw new Problem('BAD_REQUEST', `An output cannot be named ${name}.`);
      const length = declaredLength(req, maxOutputBytes);
      return { path: await receiveOutput(req, await homeDir(jobs, id), name, length) };
    });
    scope.put('/internal/jobs/:id/folder/*', { ...INTERNAL_ROUTE, schema: { hide: true, params: FolderFileParams } }, async (req) => {
      const { id, '*': rel } = req.params as Static<typeof FolderFileParams>;
      const parts = folderPath(rel);
      await runningJobWithToken(jobs, id, req);
      const length = declaredLength(req, maxOutputBytes);
      const dir = join(await homeDir(jobs, id), FOLDER_PART, ...parts.slice(0, -1));
      await mkdir(dir, { recursive: true });
      await receiveOutput(req, dir, parts[parts.length - 1] ?? '', length);
      return { path: rel };
    });
    scope.delete('/internal/jobs/:id/folder', { ...INTERNAL_ROUTE, schema: { hide: true, params: JobParams } }, async (req) => {
      const { id } = req.params as Static<typeof JobParams>;
      await runningJobWithToken(jobs, id, req);
      await rm(join(await homeDir(jobs, id), FOLDER_PART), { recursive: true, force: true });
      return { path: null };
    });
    registered();
  });

  app.get('/internal/jobs/:id/output', { ...INTERNAL_ROUTE, schema: { hide: true, params: JobParams } }, async (req, reply) => {
    const job = await jobWithToken(jobs, req.params.id, req);
    const output = (job.result as { output?: KeptOutput } | null)?.output;
    const stats = output === undefined ? null : await stat(output.path).catch(() => null);
    if (output === undefined || stats === null) throw new Problem('JOB_RESULT_GONE', `Job ${job.id}'s output is not kept on this instance.`);
    return sendFile(req, reply, { path: output.path, contentType: output.contentType, filename: output.filename, stats });
  });
}

const PASSED_BACK = ['content-type', 'content-length', 'content-range', 'accept-ranges', 'content-disposition', 'last-modified', 'cache-control', 'etag'];

/** Whether the output is on this disk (here, or an instance sharing this data dir, made it). */
export async function outputIsHere(output: KeptOutput): Promise<boolean> {
  return output.host === undefined || (await stat(output.path).catch(() => null)) !== null;
}

/**
 * Answers with what another instance answers for `url` (a file it keeps): the client's Range passed
 * on, the answer's status, file headers and body passed back as they stream. `holder` names that
 * instance in the 502 when it cannot be reached.
 */
export async function relayFrom(req: FastifyRequest, reply: FastifyReply, url: string, opts: { headers: Record<string, string>; holder: string; method?: 'GET' | 'DELETE' }): Promise<FastifyReply> {
  const range = req.headers.range;
  let res: Awaited<ReturnType<typeof request>>;
  try {
    res = await request(url, { method: opts.method ?? 'GET', headers: { ...opts.headers, ...(range === undefined ? {} : { range }) }, signal: clientGoneSignal(reply) });
  } catch (err) {
    throw new Problem('UPSTREAM_UNAVAILABLE', `${opts.holder} cannot be reached.`, { cause: err });
  }
  for (const name of PASSED_BACK) {
    const value = res.headers[name];
    if (value !== undefined) reply.header(name, value);
  }
  // Its problems (416 with its Content-Range, 404 when it expired there) are the client's answer too.
  return reply.code(res.statusCode).send(res.body);
}

/** Streams a job's output from the instance that keeps it, passing the client's Range on and the answer back. */
export async function sendKeptOutput(req: FastifyRequest, reply: FastifyReply, job: JobRecord, output: KeptOutput): Promise<FastifyReply> {
  const transfer = transferOf(job.payload);
  if (transfer === null || output.host === undefined) throw new Problem('JOB_RESULT_GONE', `Job ${job.id}'s output is not kept here.`);
  return relayFrom(req, reply, `${output.host}/internal/jobs/${encodeURIComponent(job.id)}/output`, {
    headers: { [JOB_TOKEN_HEADER]: transfer.token },
    holder: `The instance keeping job ${job.id}'s output (${output.host})`,
  });
}
