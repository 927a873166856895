// Room a video job needs, checked (with the kit's requireDiskSpace) before a job is accepted and
// again when it starts: an encode that fills the disk half-way fails late and takes others with it.

/** Room a job needs: its output, two-pass logs and temp files, plus a floor kept free. */
export function diskNeededFor(inputBytes: number, targetBytes: number | null = null): number {
  return Math.max(inputBytes * 2, targetBytes ?? 0) + 64 * 1024 * 1024;
}
