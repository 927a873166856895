// Facts about the host that operators and catalogs report: cgroup mode and free disk.
import { existsSync } from 'node:fs';
import { statfs } from 'node:fs/promises';

export type CgroupMode = 'v2' | 'v1' | 'hybrid' | 'none';

/** v2 has a unified hierarchy with cgroup.controllers at the root; v1 mounts one per controller. */
export function cgroupMode(root = '/sys/fs/cgroup'): CgroupMode {
  const unified = existsSync(`${root}/cgroup.controllers`);
  const legacy = existsSync(`${root}/memory`) || existsSync(`${root}/pids`);
  if (unified && !legacy) return 'v2';
  if (legacy && (unified || existsSync(`${root}/unified/cgroup.controllers`))) return 'hybrid';
  return legacy ? 'v1' : 'none';
}

export async function diskSpace(path: string): Promise<{ freeBytes: number; totalBytes: number; usedPercent: number }> {
  const s = await statfs(path);
  const total = s.blocks * s.bsize;
  const free = s.bavail * s.bsize;
  return { freeBytes: free, totalBytes: total, usedPercent: total === 0 ? 0 : Math.round(((total - free) / total) * 1000) / 10 };
}
