// Public face of the job layer: the backend port, its SQLite and Redis implementations and the runner.
export type { CompleteOptions, EnqueueOptions, FailOptions, JobBackend, JobFailure, JobRecord, JobState, ListOptions, ProgressUpdate } from './job-backend.js';
export { JobStoreUnavailableError } from './job-store-unavailable.js';
export { createSqliteJobBackend, type SqliteJobBackendOptions } from './sqlite-backend.js';
export { createRedisJobBackend, type RedisJobBackendOptions, type RedisJobStore } from './redis-backend.js';
export { closeRedisClient, loadRedis, newFailFastClient, type FailFastClient } from './redis-client.js';
export { createJobRunner, JOB_INPUTS_DIR, JobError, type JobContext, type JobHandler, type JobOutput, type JobRunner, type JobRunnerOptions } from './job-runner.js';
export { ID_PATTERN } from './job-record.js';
