// How an ffmpeg failure reads to a client: broken input is the client's 422, our limits are 504s,
// a tool that cannot start is a 503 and a run that failed for another reason is ours (500).
import { JobError, Problem, type ProblemCode } from '../kit/index.js';
import { FfmpegError, type FfmpegErrorKind } from './errors.js';

const CODES: Record<FfmpegErrorKind, ProblemCode> = {
  'invalid-input': 'UNPROCESSABLE',
  failed: 'JOB_FAILED',
  unavailable: 'DEPENDENCY_MISSING',
  timeout: 'JOB_TIMEOUT',
  stalled: 'JOB_STALLED',
  aborted: 'JOB_CANCELLED',
};

/** For request handlers (analyze, thumbnail): an FfmpegError becomes its Problem; anything else passes through. */
export function ffmpegProblem(err: unknown): unknown {
  if (!(err instanceof FfmpegError)) return err;
  const code = err.kind === 'failed' ? 'INTERNAL_ERROR' : CODES[err.kind];
  return new Problem(code, `ffmpeg: ${err.reason}`, { extensions: { ffmpeg_error: err.kind } });
}

/** For job handlers: an FfmpegError becomes a JobError whose code the job routes turn into the Problem. */
export function ffmpegJobError(err: unknown): unknown {
  if (!(err instanceof FfmpegError)) return err;
  return new JobError(CODES[err.kind], `ffmpeg: ${err.reason}`);
}
