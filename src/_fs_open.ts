// Private helpers of VolumeFs: opening a file for reading so that the handle
// is known to belong to the volume, and reading from such a handle.

import { IsADirectoryError, UnsupportedError } from "./errors.ts";
import { changedDuringCall, mapFsError } from "./_fs_errors.ts";
import { isInsideRoot, quote } from "./_fs_path.ts";
import {
  type FsContext,
  isSameFile,
  notFoundError,
  resolve,
} from "./_fs_resolve.ts";

/** Size in bytes of the chunks that read streams return: 1 MiB. */
export const READ_CHUNK_SIZE = 1024 * 1024;

// Attempts before a file that keeps being replaced during the open is
// reported as changed.
const MAX_OPEN_ATTEMPTS = 10;

/** File opened for reading, with the `stat` of the handle. */
export interface OpenedFile {
  readonly file: Deno.FsFile;
  readonly info: Deno.FileInfo;
}

/**
 * Opens a regular file of the volume for reading, following symlinks inside
 * the root.
 *
 * After the open, the handle's device and inode must equal those found at
 * the resolved path, and that path must still resolve inside the root.
 * Otherwise another process replaced something in between, and the open is
 * retried up to 10 times.
 *
 * @throws {PathNotFoundError} If the file does not exist.
 * @throws {IsADirectoryError} If the path is a directory.
 * @throws {UnsupportedError} If the path is a FIFO, socket or device.
 * @throws {IoError} If the file keeps changing during the open.
 */
export async function openFileForReading(
  context: FsContext,
  segments: readonly string[],
): Promise<OpenedFile> {
  for (let attempt = 1;; attempt++) {
    const location = await resolve(context, segments, {
      followFinal: true,
      create: false,
    });
    const info = location.info;
    if (info === null) {
      throw notFoundError(context, location.segments, location.symlink);
    }
    if (info.isDirectory) {
      throw new IsADirectoryError(
        `Path ${quote(context.path)} in volume ` +
          `${quote(context.volumeName)} is a directory, not a file.`,
      );
    }
    // Opening a FIFO blocks, and opening a device node reaches a host
    // device, so only regular files are opened.
    if (!info.isFile) throw notRegularFile(context);

    let file: Deno.FsFile;
    try {
      file = await Deno.open(location.hostPath, { read: true });
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) {
        throw mapFsError(err, context);
      }
      if (attempt === MAX_OPEN_ATTEMPTS) throw mapFsError(err, context);
      continue;
    }

    let opened: Deno.FileInfo;
    let verified: boolean;
    try {
      opened = await file.stat();
      verified = opened.isFile &&
        await isStillAt(context, location.hostPath, opened);
    } catch (err) {
      file.close();
      throw mapFsError(err, context);
    }
    if (verified) return { file, info: opened };

    file.close();
    if (attempt === MAX_OPEN_ATTEMPTS) {
      throw changedDuringCall(
        context,
        `the file was replaced ${MAX_OPEN_ATTEMPTS} times while it was opened`,
      );
    }
  }
}

/**
 * Reads from a handle until `buffer` is full or the file ends, and returns
 * the number of bytes read.
 */
export async function readFull(
  file: Deno.FsFile,
  buffer: Uint8Array,
): Promise<number> {
  let filled = 0;
  while (filled < buffer.length) {
    const count = await file.read(buffer.subarray(filled));
    if (count === null) break;
    filled += count;
  }
  return filled;
}

/**
 * Reads a handle to its end. `sizeHint` is the size from `stat`, and the
 * result is still correct when the file has grown or shrunk since.
 */
export async function readToEnd(
  file: Deno.FsFile,
  sizeHint: number,
): Promise<Uint8Array<ArrayBuffer>> {
  const first = new Uint8Array(sizeHint);
  const firstCount = await readFull(file, first);
  if (firstCount < sizeHint) return first.subarray(0, firstCount);

  const chunks = [first];
  let total = firstCount;
  while (true) {
    const chunk = new Uint8Array(READ_CHUNK_SIZE);
    const count = await readFull(file, chunk);
    if (count === 0) break;
    chunks.push(chunk.subarray(0, count));
    total += count;
    if (count < chunk.length) break;
  }
  if (chunks.length === 1) return first;

  const result = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    result.set(chunk, offset);
    offset += chunk.length;
  }
  return result;
}

// Checks that the path resolves inside the root and leads to the opened
// file. A process that swaps a directory for a symlink and back between
// these two checks can still pass them.
async function isStillAt(
  context: FsContext,
  hostPath: string,
  opened: Deno.FileInfo,
): Promise<boolean> {
  let realPath: string;
  let current: Deno.FileInfo;
  try {
    realPath = await Deno.realPath(hostPath);
    current = await Deno.lstat(hostPath);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  }
  return isInsideRoot(context.realRoot, realPath) &&
    isSameFile(current, opened);
}

function notRegularFile(context: FsContext): UnsupportedError {
  return new UnsupportedError(
    `Path ${quote(context.path)} in volume ${quote(context.volumeName)} ` +
      "is not a regular file (it is a FIFO, socket or device), " +
      "so VolumeFs does not open it.",
  );
}
