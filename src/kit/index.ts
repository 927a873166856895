// The kit's public face: what every service, the gateway and the CLI share.
export { createAuthenticator, keyId, type Principal, type Authenticator } from './auth.js';
export { loadConfig, ConfigError, SETTINGS, CONFIG_FILE_ENV, type Config, type ApiKey, type Mode, type CodeLimits } from './config.js';
export { createService, SERVICE_NAMES, type ServiceName, type ServiceManifest, type ServiceContext, type RunningService } from './create-service.js';
export { toProblem, sendProblem } from './errors.js';
export { createHttpApp, type HttpApp, type HttpAppOptions } from './http-app.js';
export type { ReadinessCheck, ReadinessResult } from './health.js';
export { presentJob, submitJob, type JobOutput, type JobInput, type SubmitSpec } from './job-http.js';
export { onShutdownSignal } from './lifecycle.js';
export { createMetrics, METRIC, LABEL, statusClass, type Metrics } from './metrics.js';
export { PROBLEMS, Problem, PROBLEM_CONTENT_TYPE, type ProblemCode, type ProblemBody } from './problems.js';
export { runProcess, killTree, type RunOptions, type RunResult } from './process-runner.js';
export { sendFile, parseRange } from './send-file.js';
export { TOOLS, detectTool, detectTools, type ToolStatus } from './tools.js';
export { receiveMultipart, requireFile, createRequestTempDir, formatBytes, type UploadLimits, type UploadedFile, type ReceivedForm } from './uploads.js';
export { JobError, type JobHandler, type JobContext, type JobRecord } from '../jobs/index.js';
export { Type, type Static } from '@sinclair/typebox';
export { cgroupMode, diskSpace, type CgroupMode } from './system.js';
export { withDevKey, devKeyPath } from './dev-key.js';
