// Private helper of VolumeFs: replacing a file atomically through a
// temporary sibling that is renamed over the target.

import { InternalError, IsADirectoryError } from "./errors.ts";
import { changedDuringCall, mapFsError } from "./_fs_errors.ts";
import { hiddenSiblingName, joinHostPath, quote } from "./_fs_path.ts";
import {
  assertInsideRoot,
  type FsContext,
  isSameFile,
  lstatOrNull,
  resolveParent,
} from "./_fs_resolve.ts";

/**
 * New content for one file of the volume, written to a temporary sibling
 * `.<name>.msb-tmp-<random>` and renamed over the target by
 * {@linkcode AtomicFile.commit}.
 *
 * The temporary file is created with `createNew` (`O_CREAT | O_EXCL`), which
 * fails instead of following a symlink that another process put at that
 * name. Because its name is random, no other process can put anything there
 * in advance, so the rename at commit only finds it in the directory where
 * it was created and checked.
 */
export class AtomicFile {
  readonly #context: FsContext;
  readonly #directoryPath: string;
  readonly #targetPath: string;
  readonly #tempPath: string;
  readonly #tempInfo: Deno.FileInfo;
  #file: Deno.FsFile | null;

  private constructor(
    context: FsContext,
    directoryPath: string,
    targetPath: string,
    tempPath: string,
    tempInfo: Deno.FileInfo,
    file: Deno.FsFile,
  ) {
    this.#context = context;
    this.#directoryPath = directoryPath;
    this.#targetPath = targetPath;
    this.#tempPath = tempPath;
    this.#tempInfo = tempInfo;
    this.#file = file;
  }

  /**
   * Creates the parent directories and the temporary file for `segments`.
   *
   * `mode` sets the permission bits of the new file, masked by the process
   * umask. Without it, the new file keeps the permission bits of the file
   * it replaces, or gets `0o666` when there is none.
   *
   * @throws {IsADirectoryError} If the target is a directory or the root.
   * @throws {NotADirectoryError} If a parent is not a directory.
   * @throws {PathNotFoundError} If a parent is a symlink to a missing path.
   * @throws {IoError} If the temporary file lands outside the root.
   */
  static async create(
    context: FsContext,
    segments: readonly string[],
    mode?: number,
  ): Promise<AtomicFile> {
    if (segments.length === 0) {
      throw new IsADirectoryError(
        `Path ${quote(context.path)} in volume ` +
          `${quote(context.volumeName)} names the volume root, which is a ` +
          "directory, so it cannot be replaced by a file.",
      );
    }
    const parent = await resolveParent(context, segments, true);
    const directoryPath = parent.directory.hostPath;
    const targetPath = parent.hostPath;
    const target = await lstatOrNull(context, targetPath);
    if (target?.isDirectory) throw isADirectory(context);
    const fileMode = mode ??
      (target?.isFile ? (target.mode ?? 0o666) & 0o7777 : 0o666);

    const tempPath = joinHostPath(directoryPath, [
      hiddenSiblingName(parent.name, "tmp"),
    ]);
    let file: Deno.FsFile;
    try {
      file = await Deno.open(tempPath, {
        write: true,
        createNew: true,
        mode: fileMode,
      });
    } catch (err) {
      throw mapFsError(err, context);
    }

    let tempInfo: Deno.FileInfo | null = null;
    try {
      tempInfo = await file.stat();
      await verifyTempFile(context, directoryPath, tempPath, tempInfo);
    } catch (err) {
      file.close();
      if (tempInfo !== null) await removeIfSame(tempPath, tempInfo);
      throw mapFsError(err, context);
    }
    return new AtomicFile(
      context,
      directoryPath,
      targetPath,
      tempPath,
      tempInfo,
      file,
    );
  }

  /** Appends bytes to the temporary file. */
  async write(bytes: Uint8Array): Promise<void> {
    const file = this.#file;
    if (file === null) {
      throw new InternalError("AtomicFile.write() ran after close.");
    }
    try {
      let written = 0;
      while (written < bytes.length) {
        written += await file.write(bytes.subarray(written));
      }
    } catch (err) {
      throw mapFsError(err, this.#context);
    }
  }

  /**
   * Flushes the temporary file to disk with `fsync`, checks it again and
   * renames it over the target. On failure the caller must call
   * {@linkcode AtomicFile.abort}.
   *
   * @throws {IoError} If the flush or rename fails, or another process
   * changed the directory in between.
   */
  async commit(): Promise<void> {
    const file = this.#file;
    if (file === null) {
      throw new InternalError("AtomicFile.commit() ran after close.");
    }
    const context = this.#context;
    try {
      await file.sync();
    } catch (err) {
      throw mapFsError(err, context);
    } finally {
      file.close();
      this.#file = null;
    }

    await verifyTempFile(
      context,
      this.#directoryPath,
      this.#tempPath,
      this.#tempInfo,
    );
    try {
      await Deno.rename(this.#tempPath, this.#targetPath);
    } catch (err) {
      // The temporary file was checked just before, so a missing one means
      // that its directory was swapped in between.
      if (err instanceof Deno.errors.NotFound) {
        throw changedDuringCall(
          context,
          "the temporary file was not found at the rename",
        );
      }
      throw mapFsError(err, context);
    }

    const placed = await lstatOrNull(context, this.#targetPath);
    if (placed === null || !isSameFile(placed, this.#tempInfo)) {
      throw changedDuringCall(
        context,
        "the new file was not found under its name after the rename",
      );
    }
    await syncDirectory(this.#directoryPath);
  }

  /** Closes and removes the temporary file, ignoring errors. */
  async abort(): Promise<void> {
    if (this.#file !== null) {
      this.#file.close();
      this.#file = null;
    }
    await removeIfSame(this.#tempPath, this.#tempInfo);
  }
}

function isADirectory(context: FsContext): IsADirectoryError {
  return new IsADirectoryError(
    `Path ${quote(context.path)} in volume ${quote(context.volumeName)} ` +
      "is a directory, so it cannot be replaced by a file.",
  );
}

async function verifyTempFile(
  context: FsContext,
  directoryPath: string,
  tempPath: string,
  tempInfo: Deno.FileInfo,
): Promise<void> {
  await assertInsideRoot(context, directoryPath, "the parent directory");
  const current = await lstatOrNull(context, tempPath);
  if (current === null || !isSameFile(current, tempInfo)) {
    throw changedDuringCall(
      context,
      "the temporary file was moved or replaced before the rename",
    );
  }
}

// Removes the temporary file only if the path still leads to it, so that a
// swapped directory never makes this remove a file of someone else. Errors
// are ignored because the caller is already reporting a failure.
async function removeIfSame(path: string, info: Deno.FileInfo): Promise<void> {
  try {
    const current = await Deno.lstat(path);
    if (isSameFile(current, info)) await Deno.remove(path);
  } catch {
    // Nothing to undo when the file is gone or the directory is unreadable.
  }
}

// Makes the rename durable. The rename has already happened when this runs,
// so a failure, such as a file system that cannot fsync directories, is
// ignored rather than reported as a failed write.
async function syncDirectory(directoryPath: string): Promise<void> {
  let directory: Deno.FsFile;
  try {
    directory = await Deno.open(directoryPath, { read: true });
  } catch {
    return;
  }
  try {
    await directory.sync();
  } catch {
    // Ignored because the new content is already in place.
  } finally {
    directory.close();
  }
}
