// Private helpers of VolumeFs: opening a file for reading so that the handle
// is known to belong to the volume, reading from such a handle, and reading
// and decoding a whole file in memory.

import { isUtf8 } from "node:buffer";
import { IoError, IsADirectoryError, UnsupportedError } from "./errors.ts";
import { changedDuringCall, mapFsError } from "./_fs_errors.ts";
import { isInsideRoot, quote } from "./_fs_path.ts";
import {
  type FsContext,
  isSameFile,
  notFoundError,
  resolve,
} from "./_fs_resolve.ts";
import { formatBytes } from "./size.ts";

/** Size in bytes of the chunks that read streams return: 1 MiB. */
export const READ_CHUNK_SIZE = 1024 * 1024;

/**
 * Max size in bytes of a file that `read()` returns in one array: 2 GiB.
 * A guest can make a sparse file of any size, so the size is checked before
 * the buffer is allocated. Larger files need `readStream()`.
 */
export const MAX_READ_BYTES = 2 * 1024 * 1024 * 1024;

/**
 * Max size in bytes of a file that `readToString()` decodes: 2^29 − 24, the
 * max string length of V8 in UTF-16 code units. UTF-8 never decodes to more
 * code units than it has bytes, so every valid file of this size fits in
 * one string.
 *
 * NOTE: Measured with Deno 2.9.6 (V8 15.0) on x86_64, where
 * `"a".repeat(2 ** 29 - 24)` succeeds and one more code unit fails. On a V8
 * with a smaller limit the decoding fails, and `decodeUtf8` reports the
 * file as probably too large.
 */
export const MAX_STRING_BYTES = 2 ** 29 - 24;

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
 * Opens a regular file as {@linkcode openFileForReading} does and reads it
 * into one array of at most `maxBytes` bytes.
 *
 * @throws {IoError} If the file is larger than `maxBytes`, before or while
 * it is read, if the memory for its content cannot be allocated, or if the
 * host file system fails.
 */
export async function readWholeFile(
  context: FsContext,
  segments: readonly string[],
  maxBytes: number,
): Promise<Uint8Array<ArrayBuffer>> {
  const { file, info } = await openFileForReading(context, segments);
  try {
    if (info.size > maxBytes) {
      throw fileTooLarge(context, info.size, maxBytes);
    }
    return await readToEnd(context, file, info.size, maxBytes);
  } catch (err) {
    throw mapFsError(err, context);
  } finally {
    file.close();
  }
}

/**
 * Decodes the content of a file as UTF-8, removing a leading byte order
 * mark. Invalid UTF-8 is an error, not replaced with U+FFFD.
 *
 * @throws {IoError} If `bytes` is not valid UTF-8, or the text does not fit
 * in one string.
 */
export function decodeUtf8(context: FsContext, bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch (err) {
    // Deno 2.9 raises a TypeError both for invalid UTF-8 and for a string
    // longer than V8 allows, so the content is checked again to tell them
    // apart.
    if (!isUtf8(bytes)) {
      throw new IoError(
        `File ${quote(context.path)} in volume ${quote(context.volumeName)} ` +
          "is not valid UTF-8 text: use read() to get its bytes.",
        { cause: err },
      );
    }
    throw new IoError(
      `Failed to decode file ${quote(context.path)} in volume ` +
        `${quote(context.volumeName)}, ${describeSize(bytes.length)}, into ` +
        "one string, probably because the text is too large: use " +
        "readStream() with a TextDecoderStream to read it in chunks.",
      { cause: err },
    );
  }
}

// Reads a handle to its end. `sizeHint` is the size from `stat`, and the
// result is still correct when the file has grown or shrunk since, unless
// it grows beyond `maxBytes`.
async function readToEnd(
  context: FsContext,
  file: Deno.FsFile,
  sizeHint: number,
  maxBytes: number,
): Promise<Uint8Array<ArrayBuffer>> {
  const first = allocate(context, sizeHint);
  const firstCount = await readFull(file, first);
  if (firstCount < sizeHint) return first.subarray(0, firstCount);

  const chunks = [first];
  let total = firstCount;
  while (true) {
    const chunk = allocate(context, READ_CHUNK_SIZE);
    const count = await readFull(file, chunk);
    if (count === 0) break;
    chunks.push(chunk.subarray(0, count));
    total += count;
    if (total > maxBytes) {
      throw fileTooLarge(context, null, maxBytes);
    }
    if (count < chunk.length) break;
  }
  if (chunks.length === 1) return first;

  const result = allocate(context, total);
  let offset = 0;
  for (const chunk of chunks) {
    result.set(chunk, offset);
    offset += chunk.length;
  }
  return result;
}

// Allocates a buffer, turning the RangeError that V8 raises when the memory
// is not available into an error that names the file.
function allocate(context: FsContext, size: number): Uint8Array<ArrayBuffer> {
  try {
    return new Uint8Array(size);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    throw new IoError(
      `Failed to read file ${quote(context.path)} in volume ` +
        `${quote(context.volumeName)}: ${describeSize(size)} of memory ` +
        `could not be allocated (${err.message}). Use readStream() to read ` +
        "it in chunks.",
      { cause: err },
    );
  }
}

// Creates the error for a file larger than `maxBytes`. `size` is null when
// the file grew past the limit while it was read.
function fileTooLarge(
  context: FsContext,
  size: number | null,
  maxBytes: number,
): IoError {
  const sizeClause = size === null
    ? "grew while it was read to more than"
    : `is ${describeSize(size)}, larger than`;
  const limit = context.operation === "readToString"
    ? "that fits in one JavaScript string"
    : "that read() returns in one array";
  const advice = context.operation === "readToString"
    ? "readStream() with a TextDecoderStream"
    : "readStream()";
  return new IoError(
    `File ${quote(context.path)} in volume ${quote(context.volumeName)} ` +
      `${sizeClause} the maximum of ${describeSize(maxBytes)} ` +
      `${limit}: use ${advice} to read it in chunks.`,
  );
}

// Formats a byte count as `1099511627776 bytes (1.0T)`.
function describeSize(bytes: number): string {
  return `${bytes} bytes (${formatBytes(bytes)})`;
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
