// What each role's container may do beyond nothing, as Engine API HostConfig fields. The same
// table as src/image/privileges.ts on the image branch (measured there, cgroup v1, docker 20.10);
// this copy goes once that lands, and the driver imports it.
export interface RolePrivileges { CapDrop: string[]; CapAdd: string[]; SecurityOpt: string[]; Binds: string[]; MaskedPaths?: string[]; ReadonlyPaths?: string[] }

/**
 * The code executor runs as root to build each sandbox (uid switch, run folders, cgroups);
 * bubblewrap needs the syscalls Docker's seccomp profile blocks and an unmasked /proc.
 */
const CODE_SANDBOX_PRIVILEGES: RolePrivileges = {
  CapDrop: ['ALL'],
  CapAdd: ['CHOWN', 'DAC_OVERRIDE', 'SETUID', 'SETGID', 'SETPCAP', 'KILL'],
  SecurityOpt: ['seccomp=unconfined', 'apparmor=unconfined', 'no-new-privileges'],
  Binds: ['/sys/fs/cgroup:/sys/fs/cgroup:rw'],
  MaskedPaths: [],
  ReadonlyPaths: [],
};

/** Every other role runs as uid 10001 and needs no capability at all. */
const SERVICE_PRIVILEGES: RolePrivileges = { CapDrop: ['ALL'], CapAdd: [], SecurityOpt: ['no-new-privileges'], Binds: [] };

export function rolePrivileges(role: string): RolePrivileges {
  return role === 'code' ? CODE_SANDBOX_PRIVILEGES : SERVICE_PRIVILEGES;
}
