// What each role's container may do, as Engine API HostConfig fields: the docker driver and
// ops/compose.yaml grant exactly this. Measured on cgroup v1 (docker 20.10, no AppArmor): the code
// executor's sandbox fails without any one of these, each with its own /ready reason.
import type { ImageRole } from './families.js';

/**
 * HostConfig fields. `MaskedPaths: []` and `ReadonlyPaths: []` are the API's form of the CLI's and
 * compose's `--security-opt systempaths=unconfined` (the API refuses that option by name).
 */
export interface RolePrivileges {
  CapDrop: string[];
  CapAdd: string[];
  SecurityOpt: string[];
  Binds: string[];
  MaskedPaths?: string[];
  ReadonlyPaths?: string[];
}

/**
 * The code executor runs as root to build each sandbox: setpriv switches to uid 65534 (SETUID,
 * SETGID) and empties the bounding set (SETPCAP); run folders are chowned (CHOWN); it writes the
 * data dir and kills runaway runs of another uid (DAC_OVERRIDE, KILL). bubblewrap then makes its
 * namespaces unprivileged (user namespaces: no SYS_ADMIN), but needs the syscalls Docker's default
 * seccomp profile blocks (pivot_root, mount) and an unmasked /proc to mount a fresh one; run
 * cgroups need the hierarchy writable.
 */
export const CODE_SANDBOX_PRIVILEGES: RolePrivileges = {
  CapDrop: ['ALL'],
  CapAdd: ['CHOWN', 'DAC_OVERRIDE', 'SETUID', 'SETGID', 'SETPCAP', 'KILL'],
  SecurityOpt: ['seccomp=unconfined', 'apparmor=unconfined', 'no-new-privileges'],
  Binds: ['/sys/fs/cgroup:/sys/fs/cgroup:rw'],
  MaskedPaths: [],
  ReadonlyPaths: [],
};

/** Every other role runs as uid 10001 and needs no capability at all. */
export const SERVICE_PRIVILEGES: RolePrivileges = { CapDrop: ['ALL'], CapAdd: [], SecurityOpt: ['no-new-privileges'], Binds: [] };

export function rolePrivileges(role: ImageRole): RolePrivileges {
  return role === 'code' ? CODE_SANDBOX_PRIVILEGES : SERVICE_PRIVILEGES;
}
