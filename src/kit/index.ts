// The kit's public face: what every service, the gateway and the CLI share. The light part (settings,
// data dir, roles, problems) is light.ts's, re-exported whole; the rest loads fastify and the job store.
export * from './light.js';
export { ADMIN_SCOPE, ANY_CREDENTIAL, EVIDENCE_SCOPE, SIGNOFF_SCOPE, createAuthenticator, holdsRole, isAdmin, keyId, type Principal, type Authenticator } from './auth.js';
export { clientGoneSignal, onClientGone } from './client-gone.js';
export { createService, type ServiceManifest, type ServiceContext, type RunningService } from './create-service.js';
export { createWorker, type RunningWorker, type WorkerOptions } from './create-worker.js';
export { toProblem, sendProblem, type ProblemRenderer } from './errors.js';
export { closeHttpApp, createHttpApp, REQUEST_ID, SECURITY_HEADERS, type HttpApp, type HttpAppHandle, type HttpAppOptions } from './http-app.js';
export type { ReadinessCheck, ReadinessResult } from './health.js';
export { presentJob, submitJob, prefixOf, type JobOutput, type JobInput, type SubmitSpec } from './job-http.js';
export { onShutdownSignal } from './lifecycle.js';
export { createMetrics, CRITICAL_LATENCY_BUCKETS, JOB_OUTCOME, METRIC, LABEL, statusClass, type Metrics } from './metrics.js';
export { API_LICENSE, BINARY, dialectAnswer, withProblems, withServer, type ErrorDialect, type RouteDoc } from './openapi.js';
export { runProcess, killTree, type RunOptions, type RunResult } from './process-runner.js';
export { OutputCapture } from './output-capture.js';
export { createSemaphore, SemaphoreFullError, type Semaphore, type Release } from './semaphore.js';
export { sendFile, parseRange } from './send-file.js';
export { TOOLS, detectTool, detectTools, type ToolStatus } from './tools.js';
export { receiveMultipart, requireFile, createRequestTempDir, formatBytes, type UploadLimits, type UploadedFile, type ReceivedForm } from './uploads.js';
export { JobError, type JobHandler, type JobContext, type JobRecord } from '../jobs/index.js';
export { closeRedisClient, loadRedis, newFailFastClient, type FailFastClient } from '../jobs/index.js';
export { Type, type Static, type TSchema } from '@sinclair/typebox';
export { StringEnum } from './string-enum.js';
export { Nullable } from './nullable.js';
export { Value } from '@sinclair/typebox/value';
export { cgroupMode, diskSpace, requireDiskSpace, type CgroupMode } from './system.js';
export { remoteTransfer, sendFolderHome, transferOf, type JobTransfer } from './job-transfer.js';
export { INTERNAL_ROUTE, receivedFolder, relayFrom } from './job-transfer-routes.js';
