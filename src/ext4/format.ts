/**
 * Formats a sparse raw disk image as an empty ext4 file system, the way
 * `mkfs.ext4 -b 4096` of e2fsprogs 1.47.0 does, without running any
 * external program.
 *
 * The formatter is a WebAssembly module (src/ext4/ext4.wasm, built from
 * wasm/ by scripts/build_wasm.sh) that runs in a worker thread. It plans
 * the file system and hands out only the blocks that hold non-zero bytes.
 * The worker writes them into the sparse file with positioned writes, so
 * a 1 TiB image allocates about 16 MiB on the host.
 *
 * The module's interface, documented in full in wasm/src/lib.rs:
 *
 * - `ext4_params_ptr()` returns a 48-byte area for the UUID (offset 0),
 *   hash seed (16) and label (32).
 * - `ext4_format_begin(size: i64, timestamp: i64, labelLength: i32,
 *   flags: i32) -> i32` validates and plans, returning 0 or a negative
 *   error code.
 * - `ext4_format_next() -> i32` fills at most 1 MiB of output and returns
 *   the number of runs, 0 when done.
 * - `ext4_runs_ptr()` and `ext4_data_ptr()` return the run records (offset
 *   u64, length u32, data offset u32) and their bytes.
 * - `ext4_total_bytes()` and `ext4_done_bytes()` measure progress.
 * - `ext4_format_version()` and `ext4_source_hash_ptr()`/`_len()` describe
 *   the layout version and the build.
 *
 * @module
 */

import { Worker } from "node:worker_threads";
import {
  InternalError,
  InvalidConfigError,
  IoError,
  PermissionDeniedError,
} from "../errors.ts";
import { EXT4_WASM_BASE64 } from "./_ext4_wasm.ts";
import {
  type FailureReply,
  type FormatRequest,
  workerModuleSource,
  type WorkerReply,
} from "./worker.ts";

const MIB = 1024 * 1024;
const TIB = 1024 * 1024 * MIB;

/**
 * Smallest image size that {@linkcode formatExt4} accepts: 8 MiB.
 *
 * @example Check a size before formatting
 * ```ts
 * import assert from "node:assert/strict";
 * import { MIN_DISK_SIZE_BYTES } from "@msb/volumes";
 *
 * assert.equal(MIN_DISK_SIZE_BYTES, 8 * 1024 * 1024);
 * ```
 */
export const MIN_DISK_SIZE_BYTES: number = 8 * MIB;

/**
 * Largest image size that {@linkcode formatExt4} accepts: 16 TiB minus
 * 1 MiB, which keeps the block count below 2^32 as mke2fs needs for the
 * resize inode.
 *
 * @example Check a size before formatting
 * ```ts
 * import assert from "node:assert/strict";
 * import { MAX_DISK_SIZE_BYTES } from "@msb/volumes";
 *
 * assert.equal(MAX_DISK_SIZE_BYTES, 17_592_184_995_840);
 * ```
 */
export const MAX_DISK_SIZE_BYTES: number = 16 * TIB - MIB;

/** Maximum volume label length in UTF-8 bytes (`s_volume_name`). */
const MAX_LABEL_BYTES = 16;
/** Latest creation time that ext4 inodes can store: 2446-05-10T22:38:55Z. */
const MAX_TIMESTAMP_SECONDS = 15_032_385_535;
const UUID_PATTERN =
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Options of {@linkcode formatExt4}.
 *
 * @example A reproducible 1 GiB image
 * ```ts
 * import assert from "node:assert/strict";
 * import type { FormatExt4Options } from "@msb/volumes";
 *
 * const options: FormatExt4Options = {
 *   sizeBytes: 1024 ** 3,
 *   label: "data",
 *   uuid: "3f2504e0-4f89-41d3-9a0c-0305e82c3301",
 *   timestamp: new Date("2024-01-01T00:00:00Z"),
 * };
 * assert.equal(options.sizeBytes, 1073741824);
 * ```
 */
export interface FormatExt4Options {
  /**
   * Size of the image in bytes, from {@linkcode MIN_DISK_SIZE_BYTES} to
   * {@linkcode MAX_DISK_SIZE_BYTES}. The file gets this length, and the
   * file system uses its whole 4 KiB blocks.
   */
  sizeBytes: number;
  /**
   * File system UUID in the canonical 8-4-4-4-12 hex form.
   *
   * @default {crypto.randomUUID()}
   */
  uuid?: string;
  /**
   * Volume label, at most 16 bytes of UTF-8 without NUL characters.
   *
   * @default {""}
   */
  label?: string;
  /**
   * Creation time recorded in the superblock and inodes, from
   * 1970-01-01T00:00:01Z to 2446-05-10T22:38:55Z. Milliseconds are
   * dropped. One UUID and one timestamp give a byte-identical image.
   *
   * @default {new Date()}
   */
  timestamp?: Date;
  /**
   * Called on the main thread after each chunk of metadata is written,
   * with the bytes written so far and the total. If it throws, the format
   * fails with that error and the image is removed.
   */
  onProgress?: (doneBytes: number, totalBytes: number) => void;
}

/** A validated request, before the file exists. */
interface ValidatedOptions {
  sizeBytes: number;
  uuid: Uint8Array;
  label: Uint8Array;
  timestampSeconds: number;
  onProgress?: (doneBytes: number, totalBytes: number) => void;
}

const SIZE_RANGE =
  `8 MiB to 16 TiB minus 1 MiB (${MIN_DISK_SIZE_BYTES} to ${MAX_DISK_SIZE_BYTES} bytes)`;
const TIME_RANGE = "1970-01-01T00:00:01Z to 2446-05-10T22:38:55Z";

function validateOptions(
  path: string,
  options: FormatExt4Options,
): ValidatedOptions {
  if (typeof path !== "string" || path.length === 0) {
    throw new InvalidConfigError(
      `Invalid image path ${JSON.stringify(path)}: expected a file path.`,
    );
  }
  if (typeof options !== "object" || options === null) {
    throw new InvalidConfigError(
      "Invalid format options: expected an object with sizeBytes.",
    );
  }
  const { sizeBytes } = options;
  if (typeof sizeBytes !== "number" || !Number.isInteger(sizeBytes)) {
    throw new InvalidConfigError(
      `Invalid disk size ${String(sizeBytes)} bytes: expected a whole ` +
        `number of bytes from ${SIZE_RANGE}.`,
    );
  }
  if (sizeBytes < MIN_DISK_SIZE_BYTES || sizeBytes > MAX_DISK_SIZE_BYTES) {
    throw new InvalidConfigError(
      `Invalid disk size ${sizeBytes} bytes: expected ${SIZE_RANGE}.`,
    );
  }

  const uuidText = options.uuid ?? crypto.randomUUID();
  if (typeof uuidText !== "string" || !UUID_PATTERN.test(uuidText)) {
    throw new InvalidConfigError(
      `Invalid UUID ${JSON.stringify(uuidText)}: expected the canonical ` +
        `8-4-4-4-12 hex form, such as "3f2504e0-4f89-41d3-9a0c-0305e82c3301".`,
    );
  }
  const uuid = new Uint8Array(16);
  const hex = uuidText.replaceAll("-", "");
  for (let index = 0; index < 16; index++) {
    uuid[index] = parseInt(hex.slice(index * 2, index * 2 + 2), 16);
  }

  const labelText = options.label ?? "";
  if (typeof labelText !== "string" || !labelText.isWellFormed()) {
    throw new InvalidConfigError(
      `Invalid volume label ${JSON.stringify(labelText)}: expected a ` +
        `string of well-formed Unicode.`,
    );
  }
  if (labelText.includes("\0")) {
    throw new InvalidConfigError(
      `Invalid volume label ${JSON.stringify(labelText)}: it contains a ` +
        `NUL character; remove it.`,
    );
  }
  const label = new TextEncoder().encode(labelText);
  if (label.length > MAX_LABEL_BYTES) {
    throw new InvalidConfigError(
      `Invalid volume label ${JSON.stringify(labelText)}: it takes ` +
        `${label.length} bytes in UTF-8; use at most ${MAX_LABEL_BYTES}.`,
    );
  }

  const timestamp = options.timestamp ?? new Date();
  const milliseconds = timestamp instanceof Date ? timestamp.getTime() : NaN;
  const timestampSeconds = Math.floor(milliseconds / 1000);
  if (
    !Number.isFinite(timestampSeconds) || timestampSeconds < 1 ||
    timestampSeconds > MAX_TIMESTAMP_SECONDS
  ) {
    const timestampText = Number.isFinite(milliseconds)
      ? new Date(milliseconds).toISOString()
      : String(timestamp);
    throw new InvalidConfigError(
      `Invalid timestamp ${timestampText}: expected a date from ${TIME_RANGE}.`,
    );
  }

  const { onProgress } = options;
  if (onProgress !== undefined && typeof onProgress !== "function") {
    throw new InvalidConfigError(
      "Invalid onProgress option: expected a function or undefined.",
    );
  }
  return { sizeBytes, uuid, label, timestampSeconds, onProgress };
}

/** Returns the message of any thrown value. */
function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Creates the image file, failing if anything exists at `path`. */
async function createImageFile(path: string, sizeBytes: number) {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { write: true, createNew: true });
  } catch (error) {
    if (error instanceof Deno.errors.AlreadyExists) {
      throw new IoError(
        `Cannot create ${path}: a file already exists there. formatExt4 ` +
          `never overwrites; remove it or choose another path.`,
        { cause: error },
      );
    }
    if (error instanceof Deno.errors.NotCapable) {
      throw new PermissionDeniedError(
        `Write access to ${path} denied: run with --allow-write=${path}.`,
        { cause: error },
      );
    }
    if (error instanceof Deno.errors.NotFound) {
      throw new IoError(
        `Cannot create ${path}: its directory does not exist.`,
        { cause: error },
      );
    }
    throw new IoError(`Cannot create ${path}: ${messageOf(error)}`, {
      cause: error,
    });
  }
  try {
    await file.truncate(sizeBytes);
  } catch (error) {
    throw new IoError(
      `Cannot set the length of ${path} to ${sizeBytes} bytes: ` +
        `${messageOf(error)}. Choose a smaller disk size or another file ` +
        `system.`,
      { cause: error },
    );
  } finally {
    file.close();
  }
}

/**
 * Removes the image after a failure. Returns a sentence to append to the
 * error message when the removal fails too, else an empty string.
 */
async function removeImage(path: string): Promise<string> {
  try {
    await Deno.remove(path);
    return "";
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      return "";
    }
    return ` The partial image at ${path} could not be removed: ` +
      `${messageOf(error)}.`;
  }
}

/** Returns the error that {@linkcode formatExt4} raises for a reply. */
function failureError(
  path: string,
  sizeBytes: number,
  failure: FailureReply,
): Error {
  switch (failure.kind) {
    case "permission":
      return new PermissionDeniedError(
        `Write access to ${path} denied in the format worker: run with ` +
          `--allow-write=${path}.`,
      );
    case "io":
      switch (failure.code) {
        case "ENOSPC":
          return new IoError(
            `No space left on device while writing ${path}; free space on ` +
              `its file system or choose a smaller disk size.`,
          );
        case "EDQUOT":
          return new IoError(
            `Disk quota exceeded while writing ${path}; free space or ` +
              `raise the quota.`,
          );
        case "EFBIG":
          return new IoError(
            `File too large while writing ${path}: the host file system ` +
              `does not allow a ${sizeBytes} byte file; choose a smaller ` +
              `disk size.`,
          );
        case "EROFS":
          return new IoError(
            `Cannot write ${path}: its file system is read-only.`,
          );
        default:
          return new IoError(
            `Failed to ${failure.operation ?? "write"} ${path}: ` +
              `${failure.message}`,
          );
      }
    case "status":
      return statusError(path, sizeBytes, failure.status ?? 0);
    default:
      return new InternalError(
        `The ext4 format worker failed on ${path}: ${failure.message}`,
      );
  }
}

/**
 * Returns the error for a negative status code of the module. The options
 * are checked before the module runs, so codes -1 to -5 (invalid options)
 * only come back if the two checks disagree.
 */
function statusError(path: string, sizeBytes: number, status: number) {
  switch (status) {
    case -1:
    case -2:
      return new InvalidConfigError(
        `Invalid disk size ${sizeBytes} bytes: expected ${SIZE_RANGE}.`,
      );
    case -3:
    case -4:
      return new InvalidConfigError(
        `Invalid volume label for ${path}: expected at most ` +
          `${MAX_LABEL_BYTES} bytes of UTF-8 without NUL characters.`,
      );
    case -5:
      return new InvalidConfigError(
        `Invalid timestamp for ${path}: expected a date from ${TIME_RANGE}.`,
      );
    default:
      return new InternalError(
        `The ext4 formatter returned status ${status} for ${path} ` +
          `(size ${sizeBytes} bytes): an internal invariant failed. ` +
          `Please report this bug.`,
      );
  }
}

/** A format request waiting for its reply. */
interface PendingJob {
  request: FormatRequest;
  onProgress?: (doneBytes: number, totalBytes: number) => void;
  progressError?: unknown;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Most worker threads that format at once in one process. */
const MAX_FORMAT_WORKERS = 4;

let compiledModule: Promise<WebAssembly.Module> | undefined;

/** Compiles the embedded module once per process; workers share it. */
function compileModule(): Promise<WebAssembly.Module> {
  compiledModule ??= (async () => {
    const text = atob(EXT4_WASM_BASE64);
    const bytes = new Uint8Array(text.length);
    for (let index = 0; index < text.length; index++) {
      bytes[index] = text.charCodeAt(index);
    }
    return await WebAssembly.compile(bytes);
  })();
  return compiledModule;
}

/**
 * One worker thread of the process. It runs one request at a time, and
 * later calls wait in its queue. The worker is unreferenced while idle, so
 * it never keeps a finished process alive.
 */
class FormatWorkerHost {
  #worker: Worker | undefined;
  /** Requests queued or running on this worker. */
  pending = 0;
  #current: PendingJob | undefined;
  #tail: Promise<void> = Promise.resolve();
  #nextId = 1;

  /** Queues `request` and resolves when the worker has finished it. */
  run(
    request: Omit<FormatRequest, "type" | "id">,
    onProgress?: (doneBytes: number, totalBytes: number) => void,
  ): Promise<void> {
    const id = this.#nextId++;
    this.pending++;
    const job = this.#tail.then(() =>
      this.#start({ ...request, type: "format", id }, onProgress)
    );
    const settled = job.then(() => {}, () => {});
    this.#tail = settled;
    settled.then(() => this.pending--);
    return job;
  }

  async #workerReady(): Promise<Worker> {
    if (this.#worker !== undefined) {
      return this.#worker;
    }
    const module = await compileModule();
    const url = new URL(
      "data:text/javascript," + encodeURIComponent(workerModuleSource()),
    );
    // An explicit env keeps Node's Worker from copying process.env, which
    // would need --allow-env (and prompt for it on a terminal).
    const worker = new Worker(url, { env: {} });
    worker.unref();
    worker.on("message", (reply: WorkerReply) => this.#onReply(reply));
    worker.on("error", (error: unknown) => this.#onCrash(worker, error));
    worker.on("exit", (code: number) => {
      this.#onCrash(worker, new Error(`the worker exited with code ${code}`));
    });
    worker.postMessage({ type: "init", module });
    this.#worker = worker;
    return worker;
  }

  async #start(
    request: FormatRequest,
    onProgress?: (doneBytes: number, totalBytes: number) => void,
  ): Promise<void> {
    const worker = await this.#workerReady();
    worker.ref();
    try {
      await new Promise<void>((resolve, reject) => {
        this.#current = { request, onProgress, resolve, reject };
        worker.postMessage(request);
      });
    } finally {
      this.#current = undefined;
      // The worker may have crashed and been replaced meanwhile.
      this.#worker?.unref();
    }
  }

  #onReply(reply: WorkerReply) {
    const job = this.#current;
    if (job === undefined || reply.id !== job.request.id) {
      return;
    }
    const { path, sizeBytes } = job.request;
    switch (reply.type) {
      case "progress":
        if (job.onProgress !== undefined && job.progressError === undefined) {
          try {
            job.onProgress(reply.doneBytes, reply.totalBytes);
          } catch (error) {
            job.progressError = error;
          }
        }
        return;
      case "done":
        if (job.progressError !== undefined) {
          job.reject(job.progressError);
        } else {
          job.resolve();
        }
        return;
      case "error":
        job.reject(failureError(path, sizeBytes, reply));
        return;
    }
  }

  #onCrash(worker: Worker, error: unknown) {
    if (this.#worker !== worker) {
      return;
    }
    this.#worker = undefined;
    worker.terminate().catch(() => {});
    this.#current?.reject(
      new InternalError(
        `The ext4 format worker stopped: ${messageOf(error)}`,
        { cause: error },
      ),
    );
  }
}

const hosts: FormatWorkerHost[] = [];

/**
 * Returns an idle worker, starting one while fewer than
 * {@linkcode MAX_FORMAT_WORKERS} run, so that formats of different volumes
 * do not wait for each other; else the least loaded worker.
 */
function pickHost(): FormatWorkerHost {
  const idle = hosts.find((host) => host.pending === 0);
  if (idle !== undefined) return idle;
  if (hosts.length < MAX_FORMAT_WORKERS) {
    const host = new FormatWorkerHost();
    hosts.push(host);
    return host;
  }
  return hosts.reduce((least, host) =>
    host.pending < least.pending ? host : least
  );
}

/**
 * Creates a sparse raw disk image at `path` and formats it as an empty
 * ext4 file system with the layout of `mkfs.ext4 -b 4096` (e2fsprogs
 * 1.47.0). The file system has 4 KiB blocks, a root directory and
 * /lost+found, and the features has_journal, ext_attr, resize_inode,
 * dir_index, filetype, extent, 64bit, flex_bg, sparse_super, large_file,
 * huge_file, dir_nlink, extra_isize and metadata_csum.
 *
 * The file must not exist: it is created, set to `sizeBytes`, written
 * with the file system's metadata only, and `fdatasync`ed before the
 * promise resolves. On any failure the file is removed again. Calls run on
 * a few shared worker threads, up to 4 at once, which do not keep the
 * process alive once idle.
 *
 * Requires `--allow-write` for `path`.
 *
 * @param path Path of the image file to create.
 * @param options Size, and optionally UUID, label, timestamp and progress
 * callback.
 * @returns A promise that resolves when the image is complete and synced.
 * @throws {InvalidConfigError} An option is invalid; the message names the
 * value and the valid range.
 * @throws {IoError} Something exists at `path`, its directory is missing,
 * or a write failed (for example no space left on the device).
 * @throws {PermissionDeniedError} Deno denied write access to `path`.
 * @throws {InternalError} The formatter broke an invariant (a bug).
 *
 * @example Format a 1 GiB image
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatExt4 } from "@msb/volumes";
 *
 * const dir = await Deno.makeTempDir({ prefix: "msb-ext4-" });
 * try {
 *   await formatExt4(`${dir}/disk.raw`, { sizeBytes: 1024 ** 3, label: "data" });
 *   const { size } = await Deno.stat(`${dir}/disk.raw`);
 *   assert.equal(size, 1024 ** 3);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 *
 * @example Reproducible image with progress
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatExt4 } from "@msb/volumes";
 *
 * const dir = await Deno.makeTempDir({ prefix: "msb-ext4-" });
 * try {
 *   let done = 0;
 *   let total = -1;
 *   await formatExt4(`${dir}/disk.raw`, {
 *     sizeBytes: 64 * 1024 * 1024,
 *     uuid: "3f2504e0-4f89-41d3-9a0c-0305e82c3301",
 *     timestamp: new Date("2024-01-01T00:00:00Z"),
 *     onProgress: (doneBytes, totalBytes) => {
 *       done = doneBytes;
 *       total = totalBytes;
 *     },
 *   });
 *   // The totals count the metadata written, not the sparse image size.
 *   assert.equal(done, total);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function formatExt4(
  path: string,
  options: FormatExt4Options,
): Promise<void> {
  const validated = validateOptions(path, options);
  await createImageFile(path, validated.sizeBytes);
  try {
    await pickHost().run({
      path,
      sizeBytes: validated.sizeBytes,
      timestampSeconds: validated.timestampSeconds,
      uuid: validated.uuid,
      label: validated.label,
    }, validated.onProgress);
  } catch (error) {
    const note = await removeImage(path);
    if (note !== "" && error instanceof Error) {
      error.message += note;
    }
    throw error;
  }
}
