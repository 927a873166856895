// What each role's container gets beyond the defaults, in one table that ops/compose.yaml mirrors.
// Only the code executor needs more: its sandbox (bubblewrap + cgroups) makes namespaces and
// mounts and writes cgroups, so it runs as root with CAP_SYS_ADMIN, without the default seccomp
// and AppArmor profiles (they refuse unshare/mount), with the host's cgroup tree mounted writable
// (its runs nest under the container's own group). Without them the service is up but not ready
// (`SANDBOX_UNAVAILABLE`), which the gateway sees, rather than running code unconfined.
export interface RolePrivileges {
  /** `uid:gid` the container runs as; null = the image's user. */
  user: string | null;
  /** Merged into the container's HostConfig (Engine API names). */
  hostConfig: { CapAdd?: string[]; SecurityOpt?: string[]; Binds?: string[]; CgroupnsMode?: 'host' | 'private' };
}

const NONE: RolePrivileges = { user: null, hostConfig: {} };

export const ROLE_PRIVILEGES: Record<string, RolePrivileges> = {
  code: {
    user: '0:0',
    hostConfig: {
      CapAdd: ['SYS_ADMIN'],
      SecurityOpt: ['seccomp=unconfined', 'apparmor=unconfined'],
      Binds: ['/sys/fs/cgroup:/sys/fs/cgroup:rw'],
      CgroupnsMode: 'host',
    },
  },
};

export function privilegesOf(role: string): RolePrivileges {
  return Object.hasOwn(ROLE_PRIVILEGES, role) ? (ROLE_PRIVILEGES[role] ?? NONE) : NONE;
}
