// Disk space is checked before a job is accepted and again when it starts: an encode that fills
// the disk half-way fails late and can take other jobs down with it.
import { diskSpace, formatBytes, Problem } from '../../kit/index.js';

/** Room a job needs: its output, two-pass logs and temp files, plus a floor kept free. */
export function diskNeededFor(inputBytes: number, targetBytes: number | null = null): number {
  return Math.max(inputBytes * 2, targetBytes ?? 0) + 64 * 1024 * 1024;
}

export async function requireDiskSpace(dir: string, neededBytes: number): Promise<void> {
  const { freeBytes } = await diskSpace(dir);
  if (freeBytes < neededBytes) {
    throw new Problem('STORAGE_INSUFFICIENT', `This job needs about ${formatBytes(neededBytes)} of disk; only ${formatBytes(freeBytes)} is free.`, { extensions: { needed_bytes: neededBytes, free_bytes: freeBytes } });
  }
}
