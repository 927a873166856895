// Job settings: how long a request waits for its job, how many run at once, how often and how long they are kept.
import { integer } from './parsers.js';
import { setting } from './setting.js';

export const JOBS_SETTINGS = [
  setting({
    key: 'jobWaitMs',
    env: 'PITCHEY_JOB_WAIT_MS',
    area: 'jobs',
    doc: 'how long a request without `?async=true` waits for its job before answering 202',
    fallback: () => 30_000,
    parse: integer(0, 3_600_000),
  }),
  setting({ key: 'jobTtlMs', env: 'PITCHEY_JOB_TTL_MS', area: 'jobs', doc: 'how long finished jobs and their outputs are kept', fallback: () => 3_600_000, parse: integer(1_000, 30 * 86_400_000) }),
  setting({ key: 'jobConcurrency', env: 'PITCHEY_JOB_CONCURRENCY', area: 'jobs', doc: 'jobs one instance runs at once', fallback: () => 2, parse: integer(1, 256) }),
  setting({
    key: 'jobMaxAttempts',
    env: 'PITCHEY_JOB_MAX_ATTEMPTS',
    area: 'jobs',
    doc: 'runs a job gets: one cut short by its instance dying (or by an unexpected error) is run again while any remain; a refused input is never retried',
    fallback: () => 3,
    parse: integer(1, 20),
  }),
];
