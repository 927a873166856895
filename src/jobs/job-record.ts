// What the SQLite and Redis job stores share: the rules an enqueue must meet, the failure a lost
// lease records, and how a stored job becomes a JobRecord. Each store only names its fields.
import { isAbsolute } from 'node:path';
import type { EnqueueOptions, JobFailure, JobRecord, JobState } from './job-backend.js';

export const DEFAULT_TTL_MS = 3_600_000;
export const DEFAULT_LIST_LIMIT = 100;
/** The id names the job's work directory. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
export const INTERRUPTED: JobFailure = { code: 'JOB_INTERRUPTED', message: 'worker stopped holding the lease' };

export function validateEnqueue(type: string, opts: EnqueueOptions): void {
  if (type.length === 0) throw new TypeError('job type must not be empty');
  if (opts.id !== undefined && !ID_PATTERN.test(opts.id)) {
    throw new TypeError(`job id ${JSON.stringify(opts.id)} must match ${ID_PATTERN}`);
  }
  const max = opts.maxAttempts ?? 1;
  if (!Number.isInteger(max) || max < 1) throw new TypeError('maxAttempts must be an integer >= 1');
  for (const file of opts.files ?? []) {
    if (!isAbsolute(file)) throw new TypeError(`job file ${JSON.stringify(file)} must be an absolute path`);
  }
}

/** JSON text for a stored field; `undefined` is stored as null rather than vanishing. */
export function jsonText(value: unknown): string {
  return JSON.stringify(value ?? null);
}

/** One stored field as a store hands it back: a number, or text (JSON for payload, result, error and files); absent is null or undefined. */
export type StoredField = string | number | null | undefined;

const optionalNumber = (v: StoredField): number | null => (v === null || v === undefined ? null : Number(v));
const optionalText = (v: StoredField): string | null => (v === null || v === undefined ? null : String(v));
const optionalJson = <T>(v: StoredField): T | null => (v === null || v === undefined ? null : (JSON.parse(String(v)) as T));

/** A record from a store's fields, each asked for by the record's own name. */
export function readJobRecord(get: (field: keyof JobRecord) => StoredField): JobRecord {
  return {
    id: String(get('id')),
    type: String(get('type')),
    state: get('state') as JobState,
    payload: JSON.parse(String(get('payload'))) as unknown,
    progress: Number(get('progress')),
    etaSeconds: optionalNumber(get('etaSeconds')),
    message: optionalText(get('message')),
    result: optionalJson<unknown>(get('result')),
    error: optionalJson<JobFailure>(get('error')),
    attempts: Number(get('attempts')),
    maxAttempts: Number(get('maxAttempts')),
    timeoutMs: optionalNumber(get('timeoutMs')),
    stallMs: optionalNumber(get('stallMs')),
    cancelRequested: Number(get('cancelRequested')) === 1,
    createdAt: Number(get('createdAt')),
    startedAt: optionalNumber(get('startedAt')),
    updatedAt: Number(get('updatedAt')),
    finishedAt: optionalNumber(get('finishedAt')),
    expiresAt: optionalNumber(get('expiresAt')),
    runAt: Number(get('runAt')),
    files: JSON.parse(String(get('files'))) as string[],
    version: optionalText(get('version')),
    owner: optionalText(get('owner')),
  };
}
