/**
 * File system steps of create and remove: existence checks, durable
 * renames and deletion of whole volume trees.
 *
 * @module
 */

import { describeIoError } from "../_io.ts";

/** Reports whether anything exists at `path`, without following a symlink. */
export function pathExists(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw describeIoError(err, `check ${path}`);
  }
}

/**
 * Deletes the tree at `path`; a missing path is fine. Symlinks inside are
 * deleted, never followed.
 *
 * A sandbox may leave directories without write or search permission
 * (`chmod 000`), which stops the deletion for a user other than root. Such
 * directories are then made accessible to their owner and the deletion is
 * tried once more.
 */
export function removeTree(path: string): void {
  try {
    Deno.removeSync(path, { recursive: true });
    return;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return;
    if (!(err instanceof Deno.errors.PermissionDenied)) {
      throw describeIoError(err, `delete ${path}`);
    }
  }
  openUpDirectories(path);
  try {
    Deno.removeSync(path, { recursive: true });
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return;
    throw describeIoError(err, `delete ${path}`);
  }
}

/**
 * Gives the owner read, write and search permission on every directory of
 * the tree, so that its entries can be deleted.
 */
function openUpDirectories(root: string): void {
  const pending = [root];
  while (pending.length > 0) {
    const dir = pending.pop()!;
    let info: Deno.FileInfo;
    try {
      info = Deno.lstatSync(dir);
    } catch {
      continue;
    }
    // NOTE: chmod follows symlinks, so a process that swaps this directory
    // for a symlink between the lstat and the chmod could change the mode
    // of the target. Remove refuses volumes in use unless forced, so no
    // sandbox should be writing here.
    if (!info.isDirectory) continue;
    try {
      Deno.chmodSync(dir, ((info.mode ?? 0) & 0o7777) | 0o700);
      for (const entry of Deno.readDirSync(dir)) {
        if (entry.isDirectory) pending.push(`${dir}/${entry.name}`);
      }
    } catch {
      // The deletion that follows reports what still fails.
    }
  }
}

/** Flushes a directory's entries to disk, so a rename survives a crash. */
export function syncDirectory(path: string): void {
  let dir: Deno.FsFile | null = null;
  try {
    dir = Deno.openSync(path, { read: true });
    dir.syncSync();
  } catch {
    // NOTE: some file systems reject fsync on a directory; the rename is
    // still atomic, only its durability after a power loss is weaker.
  } finally {
    dir?.close();
  }
}
