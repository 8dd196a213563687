// Private helpers of VolumeFs: removing and moving entries through random
// hidden names, so that each step acts on the entry that was checked.

import { IoError } from "./errors.ts";
import { changedDuringCall, mapFsError } from "./_fs_errors.ts";
import { hiddenSiblingName, joinHostPath, quote } from "./_fs_path.ts";
import {
  assertInsideRoot,
  type FsContext,
  isSameFile,
  lstatOrNull,
} from "./_fs_resolve.ts";

/** Entry renamed to a hidden sibling name by {@linkcode detachEntry}. */
export interface DetachedEntry {
  /** Hidden name of the entry, `.<name>.msb-<purpose>-<random>`. */
  readonly hiddenName: string;
  /** Host path of the entry under its hidden name. */
  readonly hostPath: string;
  /** Host path that {@linkcode restoreEntry} renames the entry back to. */
  readonly originalHostPath: string;
  /** `lstat` of the entry. */
  readonly info: Deno.FileInfo;
}

/**
 * Renames `name` in a checked directory to `.<name>.msb-<purpose>-<random>`
 * in the same directory and checks that the entry found under the new name
 * is the one described by `expected`.
 *
 * Later steps use the random name. No other process can have created an
 * entry with that name, so a path through a directory that was swapped for
 * a symlink finds nothing there.
 *
 * @throws {IoError} If the rename fails, or the entry found under the hidden
 * name is not the expected one. In the second case the entry is renamed back
 * if the path still leads to it.
 */
export async function detachEntry(
  context: FsContext,
  directoryPath: string,
  name: string,
  expected: Deno.FileInfo,
  purpose: "del" | "mv",
): Promise<DetachedEntry> {
  const hiddenName = hiddenSiblingName(name, purpose);
  const entry: DetachedEntry = {
    hiddenName,
    hostPath: joinHostPath(directoryPath, [hiddenName]),
    originalHostPath: joinHostPath(directoryPath, [name]),
    info: expected,
  };

  await assertInsideRoot(context, directoryPath, "the parent directory");
  try {
    await Deno.rename(entry.originalHostPath, entry.hostPath);
  } catch (err) {
    throw mapFsError(err, context);
  }

  const current = await lstatOrNull(context, entry.hostPath);
  if (current !== null && isSameFile(current, expected)) return entry;

  // A swapped directory redirected the rename to another entry. Put that
  // entry back under its name while the path still leads to it.
  const restored = current !== null &&
    await restoreEntry({ ...entry, info: current });
  const error = changedDuringCall(
    context,
    "the entry moved aside was not the one checked",
  );
  throw restored ? error : withLeftBehind(error, [hiddenName]);
}

/**
 * Removes a detached entry, recursively for a directory. On failure the
 * entry is renamed back to its original name.
 *
 * @throws {IoError} If the removal fails.
 */
export async function removeDetachedEntry(
  context: FsContext,
  entry: DetachedEntry,
): Promise<void> {
  try {
    await Deno.remove(entry.hostPath, { recursive: entry.info.isDirectory });
  } catch (err) {
    const restored = await restoreEntry(entry);
    const error = err instanceof Deno.errors.NotFound
      ? changedDuringCall(context, "the entry moved aside was not found again")
      : mapFsError(err, context);
    throw restored ? error : withLeftBehind(error, [entry.hiddenName]);
  }
}

/**
 * Moves a detached entry to `name` in a checked directory. The entry first
 * moves under a new hidden name in that directory, which is checked, and
 * then to `name` by a rename within that directory. A destination directory
 * swapped for a symlink therefore receives at most an entry under a random
 * name, never one that replaces an entry of its own, and a swap just before
 * the last rename makes its source lookup fail.
 *
 * On failure the entry is moved back to its original name if the paths
 * still lead to it.
 *
 * @throws {IoError} If a rename fails or a check finds the tree changed.
 */
export async function moveDetachedEntry(
  context: FsContext,
  entry: DetachedEntry,
  directoryPath: string,
  name: string,
): Promise<void> {
  const stagedName = hiddenSiblingName(name, "mv");
  const staged: DetachedEntry = {
    hiddenName: stagedName,
    hostPath: joinHostPath(directoryPath, [stagedName]),
    originalHostPath: entry.hostPath,
    info: entry.info,
  };
  const targetPath = joinHostPath(directoryPath, [name]);
  try {
    await assertInsideRoot(context, directoryPath, "the destination directory");
    await Deno.rename(entry.hostPath, staged.hostPath);
  } catch (err) {
    const error = mapFsError(err, context);
    throw await restoreEntry(entry)
      ? error
      : withLeftBehind(error, [entry.hiddenName]);
  }

  try {
    await assertInsideRoot(context, directoryPath, "the destination directory");
    const current = await lstatOrNull(context, staged.hostPath);
    if (current === null || !isSameFile(current, entry.info)) {
      throw changedDuringCall(
        context,
        "the entry was not found in the destination directory",
      );
    }
    await Deno.rename(staged.hostPath, targetPath);
  } catch (err) {
    const restored = await restoreEntry(staged) && await restoreEntry(entry);
    const error = mapFsError(err, context);
    throw restored
      ? error
      : withLeftBehind(error, [stagedName, entry.hiddenName]);
  }

  const placed = await lstatOrNull(context, targetPath);
  if (placed === null || !isSameFile(placed, entry.info)) {
    throw changedDuringCall(
      context,
      "the entry was not found under its new name after the rename",
    );
  }
}

/**
 * Renames a detached entry back to its original name if its hidden path
 * still leads to it. Returns whether it did.
 */
export async function restoreEntry(entry: DetachedEntry): Promise<boolean> {
  try {
    const current = await Deno.lstat(entry.hostPath);
    if (!isSameFile(current, entry.info)) return false;
    await Deno.rename(entry.hostPath, entry.originalHostPath);
    return true;
  } catch {
    return false;
  }
}

// Adds to an error where the entry may be now, when it could not be renamed
// back to its original name.
function withLeftBehind(error: Error, hiddenNames: string[]): IoError {
  const names = hiddenNames.map(quote).join(" or ");
  return new IoError(
    `${error.message} The entry could not be renamed back and may be left ` +
      `as ${names}.`,
    { cause: error },
  );
}
