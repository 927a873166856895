// What a job handler is given and gives back, and the failure it can mean on purpose.
import type { JobRecord } from './job-backend.js';

/** A failure the handler means: its code is recorded as is; retried only when `retryable` (default false). */
export class JobError extends Error {
  readonly code: string;
  readonly retryable: boolean;

  constructor(code: string, message: string, opts: { retryable?: boolean } = {}) {
    super(message);
    this.name = 'JobError';
    this.code = code;
    this.retryable = opts.retryable ?? false;
  }
}

/** The sub-folder of a job's work dir holding its uploaded inputs: kept across attempts, removed with the job. */
export const JOB_INPUTS_DIR = 'inputs';

export interface JobContext {
  job: JobRecord;
  payload: unknown;
  /** Aborted on timeout, stall, cancel or shutdown; `signal.reason` is a JobError saying which. */
  signal: AbortSignal;
  /** `<workRoot>/<job id>`, emptied (but for its `inputs` folder) before each attempt and owned by the job. */
  workDir: string;
  /** Percent is clamped to 0..100 and never goes back; each call also feeds the stall watchdog. Unbound: handlers destructure it. */
  progress: (percent: number, message?: string) => void;
}

export interface JobOutput {
  result: unknown;
  /** Kept until the job expires; relative paths resolve against workDir. */
  files?: string[];
}

export type JobHandler = (ctx: JobContext) => Promise<JobOutput>;
