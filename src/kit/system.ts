// Facts about the host that operators and catalogs report: cgroup mode and free disk, and the
// disk check every job that writes large outputs makes before it starts.
import { existsSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { Problem } from './problems.js';
import { formatBytes } from './uploads.js';

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

/** Refuses work needing more room than is free in `dir`: failing half-way through filling the disk takes other jobs down too. */
export async function requireDiskSpace(dir: string, neededBytes: number, what = 'This job'): Promise<void> {
  const { freeBytes } = await diskSpace(dir);
  if (freeBytes < neededBytes) {
    throw new Problem('STORAGE_INSUFFICIENT', `${what} needs about ${formatBytes(neededBytes)} of disk; only ${formatBytes(freeBytes)} is free.`, {
      extensions: { needed_bytes: neededBytes, free_bytes: freeBytes },
    });
  }
}
