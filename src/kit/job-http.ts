// The HTTP face of the job layer, the same for every service: `?async=true` → 202 + Location,
// otherwise wait for the result up to a bound; `/status/{id}`, `/download/{id}`, `/queue/status`,
// and `DELETE /status/{id}` to cancel.
import { randomUUID } from 'node:crypto';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { JOB_INPUTS_DIR, JobStoreUnavailableError, type JobBackend, type JobRecord } from '../jobs/index.js';
import { isAdmin, type Principal } from './auth.js';
import { clientClosed } from './client-gone.js';
import type { HttpApp } from './http-app.js';
import { PROBLEMS, Problem, type ProblemCode } from './problems.js';
import { outputIsHere, sendKeptOutput, type KeptOutput } from './job-transfer-routes.js';
import { newTransfer } from './job-transfer.js';
import { sendFile } from './send-file.js';
import type { UploadedFile } from './uploads.js';

/** What a handler puts in its result under `output` to make the job downloadable. */
export interface JobOutput {
  path: string;
  filename: string;
  contentType: string;
  size: number;
}

export interface JobInput {
  path: string;
  filename: string;
  mime: string;
  size: number;
}

export interface JobRunnerLike {
  waitFor(id: string, maxWaitMs: number): Promise<JobRecord | null>;
  cancel(id: string): Promise<JobRecord | null>;
  active(): number;
  poke(): void;
}

export interface ServiceJobs {
  backend: JobBackend;
  runner: JobRunnerLike;
  workRoot: string;
  concurrency: number;
  /** For jobs whose spec names none: processing is idempotent, so a job cut short runs again. */
  maxAttempts: number;
  waitMs: number;
  /** The release this instance runs: its jobs are run by its own runners while any is alive. */
  version: string;
  /**
   * On a shared (Redis) store: this instance's address as other hosts reach it, which the jobs it
   * accepts carry so a runner elsewhere can fetch their files (null until it listens, and in a
   * worker, which accepts none). Null on SQLite: every runner is on this disk.
   */
  origin: { url: string | null } | null;
}

export interface SubmitSpec {
  type: string;
  payload: Record<string, unknown>;
  /** Uploaded files handed to the job: moved out of the request's temp folder into the job's. */
  inputs?: UploadedFile[];
  timeoutMs?: number;
  maxAttempts?: number;
}

const STATUS_NAME: Record<JobRecord['state'], Static<typeof JobAnswer>['status']> = { queued: 'queued', running: 'processing', completed: 'completed', failed: 'failed', cancelled: 'cancelled' };
const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());

/** The URL prefix a client used: the gateway tells us with X-Forwarded-Prefix. */
export function prefixOf(req: FastifyRequest): string {
  const p = req.headers['x-forwarded-prefix'];
  return typeof p === 'string' && /^\/[\w/-]{0,64}$/.test(p) ? p.replace(/\/$/, '') : '';
}

function outputOf(job: JobRecord): KeptOutput | null {
  const r = job.result as { output?: KeptOutput } | null;
  return r !== null && typeof r === 'object' && r.output !== undefined ? r.output : null;
}

const Time = Type.Union([Type.String({ format: 'date-time' }), Type.Null()]);

/** The public shape of a job: the contract's fields, never a server path (documentation and `presentJob`'s type). */
export const JobAnswer = Type.Object({
  task_id: Type.String(),
  type: Type.String({ description: 'The kind of work (e.g. transcode, hls)' }),
  status: Type.Union([Type.Literal('queued'), Type.Literal('processing'), Type.Literal('completed'), Type.Literal('failed'), Type.Literal('cancelled')], {
    description: '`processing` while it runs; a job that ended has `result` (completed) or `error`',
  }),
  progress: Type.Number({ minimum: 0, maximum: 100 }),
  eta_seconds: Type.Union([Type.Number(), Type.Null()]),
  message: Type.Union([Type.String(), Type.Null()], { description: 'The last progress message' }),
  attempts: Type.Integer({ minimum: 0 }),
  created_at: Time,
  started_at: Time,
  finished_at: Time,
  expires_at: Time,
  check_status_url: Type.String(),
  result: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: "The job's result (its fields depend on `type`); when completed" })),
  output_file: Type.Optional(Type.String()),
  output_size: Type.Optional(Type.Integer({ minimum: 0 })),
  download_url: Type.Optional(Type.String({ description: 'When the job made a file' })),
  error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() })),
});

/** `GET /queue/status`'s answer. */
export const QueueAnswer = Type.Object({
  total_tasks: Type.Integer({ minimum: 0 }),
  queued: Type.Integer({ minimum: 0 }),
  processing: Type.Integer({ minimum: 0 }),
  completed: Type.Integer({ minimum: 0 }),
  failed: Type.Integer({ minimum: 0 }),
  cancelled: Type.Integer({ minimum: 0 }),
  available_slots: Type.Integer({ minimum: 0, description: 'Jobs this instance can start now' }),
});

/** The public shape of a job: the contract's fields, never a server path. */
export function presentJob(job: JobRecord, prefix = ''): Static<typeof JobAnswer> {
  const output = outputOf(job);
  const { output: _hidden, ...result } = (job.result ?? {}) as Record<string, unknown>;
  return {
    task_id: job.id,
    type: job.type,
    status: STATUS_NAME[job.state],
    progress: Math.round(job.progress * 10) / 10,
    eta_seconds: job.etaSeconds,
    message: job.message,
    attempts: job.attempts,
    created_at: iso(job.createdAt),
    started_at: iso(job.startedAt),
    finished_at: iso(job.finishedAt),
    expires_at: iso(job.expiresAt),
    check_status_url: `${prefix}/status/${job.id}`,
    ...(job.state === 'completed' ? { result } : {}),
    ...(output === null ? {} : { output_file: output.filename, output_size: output.size, download_url: `${prefix}/download/${job.id}` }),
    ...(job.error === null || job.state === 'completed' ? {} : { error: job.error }),
  };
}

function failureProblem(job: JobRecord): Problem {
  const code = job.state === 'cancelled' ? 'JOB_CANCELLED' : (job.error?.code ?? 'JOB_FAILED');
  const known: ProblemCode = code in PROBLEMS ? (code as ProblemCode) : 'JOB_FAILED';
  return new Problem(known, job.error?.message ?? `Job ${job.id} ended ${job.state}.`, { extensions: { task_id: job.id, job_code: code } });
}

async function adoptInputs(workDir: string, inputs: UploadedFile[]): Promise<JobInput[]> {
  // Inside the job's folder (removed with it) but in the one sub-folder a new attempt keeps.
  const dir = join(workDir, JOB_INPUTS_DIR);
  await mkdir(dir, { recursive: true });
  return Promise.all(
    inputs.map(async (f, i) => {
      const path = join(dir, `input-${i}.${f.ext || 'bin'}`);
      await rename(f.path, path);
      return { path, filename: f.filename, mime: f.mime, size: f.size };
    }),
  );
}

/** Enqueues a job and answers by the HTTP convention; the job is durable before any answer. */
export async function submitJob(jobs: ServiceJobs, req: FastifyRequest, reply: FastifyReply, spec: SubmitSpec): Promise<FastifyReply> {
  // A client gone before its job is accepted would never learn its id: its work would run for nobody.
  if (clientClosed(req, reply)) throw new Problem('BAD_REQUEST', 'The client closed the connection before its job was accepted: nothing was queued.');
  const id = randomUUID();
  const workDir = join(jobs.workRoot, id);
  let job: JobRecord;
  try {
    const inputs = await adoptInputs(workDir, spec.inputs ?? []);
    const origin = jobs.origin?.url ?? null;
    job = await jobs.backend.enqueue(
      spec.type,
      { ...spec.payload, inputs, ...(origin === null ? {} : { transfer: newTransfer(origin) }) },
      {
        id,
        files: [workDir],
        version: jobs.version,
        ...(req.principal === null ? {} : { owner: req.principal.id }),
        ...(spec.timeoutMs === undefined ? {} : { timeoutMs: spec.timeoutMs }),
        maxAttempts: spec.maxAttempts ?? jobs.maxAttempts,
      },
      Date.now(),
    );
  } catch (err) {
    await rm(workDir, { recursive: true, force: true });
    throw err;
  }
  jobs.runner.poke();
  const prefix = prefixOf(req);
  const wantsAsync = (req.query as { async?: unknown } | undefined)?.async;
  if (wantsAsync !== 'true' && wantsAsync !== true) {
    // Accepted is accepted: a store that drops out while we wait gets the 202, not a 503 inviting a resubmit.
    const done = await jobs.runner.waitFor(id, jobs.waitMs).catch((err: unknown) => {
      if (err instanceof JobStoreUnavailableError) return null;
      throw err;
    });
    if (done?.state === 'completed') return reply.code(200).send(presentJob(done, prefix));
    if (done?.state === 'failed' || done?.state === 'cancelled') throw failureProblem(done);
    job = done ?? job;
  }
  return reply.code(202).header('location', `${prefix}/status/${id}`).send(presentJob(job, prefix));
}

/**
 * A job is its submitter's (and admins'). One with no owner was accepted before owners were
 * recorded, or by a release that does not record them (a stable instance beside a canary on one
 * job file): it stays readable with the scope, as it was when accepted, so no client loses its
 * job across an upgrade; such jobs expire with their TTL.
 */
function mayAccess(job: JobRecord, principal: Principal | null): boolean {
  if (job.owner === null) return true;
  return principal !== null && (principal.id === job.owner || isAdmin(principal));
}

/** The job if this caller may see it; anyone else is told it does not exist, not that it is not theirs. */
async function findJob(jobs: ServiceJobs, id: string, principal: Principal | null): Promise<JobRecord> {
  const job = await jobs.backend.get(id);
  if (job === null || !mayAccess(job, principal)) throw new Problem('JOB_NOT_FOUND', `No job ${id} (it may have expired).`);
  return job;
}

const IdParams = Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9._-]{1,64}$' }) });

export function registerJobRoutes(app: HttpApp, jobs: ServiceJobs): void {
  const job = { json: JobAnswer };
  app.get('/status/:id', { schema: { params: IdParams, summary: 'Job state, progress and ETA; the result once completed', doc: { ok: job, problems: ['JOB_NOT_FOUND'] } } }, async (req) =>
    presentJob(await findJob(jobs, req.params.id, req.principal), prefixOf(req)),
  );
  app.delete('/status/:id', { schema: { params: IdParams, summary: 'Cancel a queued or running job', doc: { ok: { ...job, status: 202 }, problems: ['JOB_NOT_FOUND'] } } }, async (req, reply) => {
    await findJob(jobs, req.params.id, req.principal);
    const job = await jobs.runner.cancel(req.params.id);
    if (job === null) throw new Problem('JOB_NOT_FOUND', `No job ${req.params.id}.`);
    return reply.code(202).send(presentJob(job, prefixOf(req)));
  });
  app.get(
    '/download/:id',
    {
      schema: {
        params: IdParams,
        summary: "The job's output file (HTTP Range supported)",
        doc: { ok: { file: ['application/octet-stream'] }, problems: ['JOB_NOT_FOUND', 'JOB_NOT_FINISHED', 'JOB_RESULT_GONE', 'RANGE_NOT_SATISFIABLE', 'UPSTREAM_UNAVAILABLE'] },
      },
    },
    async (req, reply) => {
      const job = await findJob(jobs, req.params.id, req.principal);
      if (job.state !== 'completed') throw new Problem('JOB_NOT_FINISHED', `Job ${job.id} is ${STATUS_NAME[job.state]}.`, { extensions: { status: STATUS_NAME[job.state] } });
      const output = outputOf(job);
      if (output === null) throw new Problem('JOB_RESULT_GONE', `Job ${job.id} has no file to download.`);
      if (!(await outputIsHere(output))) return sendKeptOutput(req, reply, job, output);
      return sendFile(req, reply, { path: output.path, contentType: output.contentType, filename: output.filename });
    },
  );
  app.get('/queue/status', { schema: { summary: 'Jobs per state and free slots in this instance', doc: { ok: { json: QueueAnswer } } } }, async (): Promise<Static<typeof QueueAnswer>> => {
    const counts = await jobs.backend.counts();
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    return {
      total_tasks: total,
      queued: counts.queued,
      processing: counts.running,
      completed: counts.completed,
      failed: counts.failed,
      cancelled: counts.cancelled,
      available_slots: Math.max(0, jobs.concurrency - jobs.runner.active()),
    };
  });
}
