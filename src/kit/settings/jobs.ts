// Job settings: how long a request waits for its job, how many run at once, how often and how long they are kept.
import { httpUrl, integer, SettingError } from './parsers.js';
import { setting } from './setting.js';

/** A redis:// or rediss:// URL (the job store's, the gateway's shared state). */
export function redisUrl(raw: unknown): string {
  const url = httpUrl(raw);
  if (!/^rediss?:/.test(url)) throw new SettingError('must be a redis:// or rediss:// URL');
  return url;
}

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
  setting({
    key: 'jobStoreUrl',
    env: 'PITCHEY_JOBS',
    area: 'jobs',
    secret: true,
    doc: 'keep the jobs of every service in Redis (`redis://host:6379/0`; run it with `appendonly yes`, `appendfsync always`) instead of one SQLite file per service in the data dir; a job then carries its input to the host that runs it and its output back to the instance that accepted it, over HTTP with a per-job token (see `PITCHEY_ADVERTISE_URL`)',
    shown: 'unset (SQLite)',
    fallback: () => null,
    parse: redisUrl,
  }),
  setting({
    key: 'advertiseUrl',
    env: 'PITCHEY_ADVERTISE_URL',
    area: 'jobs',
    doc: "this instance's address as other hosts reach it (`http://10.0.0.5:3002`): jobs it accepts on a Redis job store name it, so a runner elsewhere fetches their input from it and sends their output back, and other instances stream its outputs from it",
    shown: '`http://<host>:<bound port>` (the host name when listening on all addresses)',
    fallback: () => null,
    parse: httpUrl,
  }),
  setting({
    key: 'jobFileMaxMb',
    env: 'PITCHEY_JOB_FILE_MAX_MB',
    area: 'jobs',
    doc: 'largest job output an instance accepts back from a runner on another host',
    fallback: () => 16_384,
    parse: integer(1, 1_048_576),
  }),
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
