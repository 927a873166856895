// How pitchey_jobs_settled_total counts a settled job: input the client got wrong is `rejected`,
// neither a success nor a failure of processing; every other failure is `failed`.
import { describe, expect, it } from 'vitest';
import { jobOutcome } from '../../src/kit/service-jobs.js';

describe('jobOutcome', () => {
  it.each([
    ['completed', null, 'completed'],
    ['cancelled', null, 'cancelled'],
    ['failed', { code: 'UNPROCESSABLE', message: 'not a video' }, 'rejected'],
    ['failed', { code: 'VALIDATION_FAILED', message: 'bad field' }, 'rejected'],
    ['failed', { code: 'JOB_FAILED', message: 'ffmpeg exited 1' }, 'failed'],
    ['failed', { code: 'JOB_TIMEOUT', message: 'too slow' }, 'failed'],
    ['failed', { code: 'EPIPE', message: 'a code outside the catalogue is ours' }, 'failed'],
    ['failed', null, 'failed'],
  ] as const)('%s with %j counts as %s', (state, error, outcome) => {
    expect(jobOutcome({ state, error })).toBe(outcome);
  });
});
