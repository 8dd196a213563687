/**
 * Measures how much host disk a volume occupies.
 *
 * @module
 */

import { describeIoError } from "./_io.ts";

/**
 * Returns the bytes that the tree at `path` occupies on the host: the sum
 * of allocated blocks (`st_blocks * 512`) of every entry, the directories
 * themselves included, as `du -s --block-size=1` counts them. Symlinks are
 * not followed, and a file with several hard links in the tree counts once.
 * A sparse 10 GiB image counts only the blocks written.
 *
 * Entries that vanish during the walk are skipped, because a running
 * sandbox may delete files while the volume is measured. So are the
 * contents of directories that the host user may not read, which makes the
 * result a lower bound for a user other than root. A missing `path`
 * measures 0.
 *
 * @param path Directory or file to measure.
 * @returns Allocated bytes.
 */
export function measureUsedBytes(path: string): number {
  const seen = new Set<string>();
  let total = 0;
  const pending = [path];
  while (pending.length > 0) {
    const current = pending.pop()!;
    let info: Deno.FileInfo;
    try {
      info = Deno.lstatSync(current);
    } catch (err) {
      if (skippable(err, current, path)) continue;
      throw describeIoError(err, `measure ${current}`);
    }
    if ((info.nlink ?? 1) > 1 && !info.isDirectory) {
      const key = `${info.dev}:${info.ino}`;
      if (seen.has(key)) continue;
      seen.add(key);
    }
    total += (info.blocks ?? 0) * 512;
    if (!info.isDirectory) continue;
    try {
      for (const entry of Deno.readDirSync(current)) {
        pending.push(`${current}/${entry.name}`);
      }
    } catch (err) {
      if (skippable(err, current, path)) continue;
      throw describeIoError(err, `list ${current}`);
    }
  }
  return total;
}

/**
 * Reports whether a failure to read `current` is skipped: an entry that
 * vanished, or one inside the volume that the host user may not read, as a
 * sandbox can leave with `chmod 000`. A failure on the volume root itself
 * is an error.
 */
function skippable(err: unknown, current: string, root: string): boolean {
  if (err instanceof Deno.errors.NotFound) return true;
  return err instanceof Deno.errors.PermissionDenied && current !== root;
}
