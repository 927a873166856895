// The code sandbox: bubblewrap + cgroups + rlimits around one program run.
export { createSandbox, type Sandbox, type SandboxInfo, type SandboxLimits, type SandboxOptions, type SandboxResult, type SandboxRunSpec } from './sandbox.js';
export type { CgroupLayout } from './cgroup.js';
