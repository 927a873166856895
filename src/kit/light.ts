// The kit's light face: what a command needs before (or without) a server — settings, the data
// dir's layout, the roles and their addresses. Nothing here loads fastify, SQLite or a service, so
// `pitchey health`, `doctor` and `check` start fast. `index.ts` re-exports all of it, so each name
// is listed once, here or there.
export {
  loadConfig,
  fileSettingsEnv,
  ConfigError,
  SETTINGS,
  CONFIG_FILE_ENV,
  type Config,
  type ApiKey,
  type Mode,
  type CodeLimits,
  type NotifyEvent,
  type NotifyFormat,
  type NotifyReceiver,
} from './config.js';
export {
  DATA_PATHS,
  SERVICE_PATHS,
  dataPath,
  serviceDataDir,
  serviceRelPath,
  readRunState,
  writeRunState,
  removeRunState,
  type DataPath,
  type ServicePath,
  type InstanceEntry,
  type RunState,
} from './data-dir.js';
export {
  SERVICE_NAMES,
  PLATFORM_ROLES,
  STRATEGIES,
  GATEWAY_PORT,
  SERVICE_HOME_PORTS,
  TRACKS,
  SIGNOFF_ROLES,
  MAX_WORKERS_PER_SERVICE,
  WORKER_STARTED,
  type ServiceName,
  type PlatformRole,
  type Strategy,
  type Track,
  type SignoffRole,
} from './roles.js';
export { quantile } from './quantile.js';
export { probeReady, readHealthTargets, type HealthTarget, type ReadyAnswer } from './health-targets.js';
export { withDevKey, devKeyPath } from './dev-key.js';
export { PROBLEMS, Problem, PROBLEM_CONTENT_TYPE, isClientProblem, invalidField, invalidFields, type FieldError, type ProblemCode, type ProblemBody } from './problems.js';
export { dockerClient, dockerOptions } from './docker.js';
export { redisTcpTarget, sharedLimitsOutOfReach, type RedisTcpTarget } from './redis-url.js';
