/**
 * The worker that runs the ext4 formatter module and writes its output.
 *
 * The worker's code is {@linkcode runFormatWorker}, turned into the
 * source of a `data:` module by {@linkcode workerModuleSource}, so that
 * starting the worker needs no read access to this directory. The function
 * therefore refers to nothing outside its own body: it gets the worker's
 * message port and `node:fs` as arguments.
 *
 * Protocol: the host sends one {@linkcode InitMessage} with the compiled
 * module, then {@linkcode FormatRequest}s, one at a time. For each request
 * the worker replies with zero or more {@linkcode ProgressReply}s and then
 * one {@linkcode DoneReply} or {@linkcode FailureReply}.
 *
 * @module
 */

/**
 * First message to the worker: the compiled formatter module, which the
 * worker instantiates once.
 *
 * @example
 * ```ts
 * import type { InitMessage } from "./worker.ts";
 * const bytes = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]);
 * const message: InitMessage = { type: "init", module: new WebAssembly.Module(bytes) };
 * console.assert(message.type === "init");
 * ```
 */
export interface InitMessage {
  /** Message kind. */
  type: "init";
  /** The compiled src/ext4/ext4.wasm. */
  module: WebAssembly.Module;
}

/**
 * Request to format the existing, already sized file at `path`.
 *
 * @example
 * ```ts
 * import type { FormatRequest } from "./worker.ts";
 * const request: FormatRequest = {
 *   type: "format",
 *   id: 1,
 *   path: "/tmp/disk.raw",
 *   sizeBytes: 8 * 1024 * 1024,
 *   timestampSeconds: 1_700_000_000,
 *   uuid: new Uint8Array(16),
 *   label: new TextEncoder().encode("data"),
 * };
 * console.assert(request.label.length === 4);
 * ```
 */
export interface FormatRequest {
  /** Message kind. */
  type: "format";
  /** Identifier echoed in the replies. */
  id: number;
  /** Path of the image file, which exists with its final length. */
  path: string;
  /** Image size in bytes. */
  sizeBytes: number;
  /** Creation time in seconds since the Unix epoch. */
  timestampSeconds: number;
  /** File system UUID, 16 bytes. */
  uuid: Uint8Array;
  /** Volume label in UTF-8, at most 16 bytes. */
  label: Uint8Array;
}

/**
 * Message from the host to the worker.
 *
 * @example
 * ```ts
 * import type { WorkerRequest } from "./worker.ts";
 * const kinds: WorkerRequest["type"][] = ["init", "format"];
 * console.assert(kinds.length === 2);
 * ```
 */
export type WorkerRequest = InitMessage | FormatRequest;

/**
 * Progress of a request, sent after each chunk of runs is written. The
 * byte counts are the module's metadata bytes (`ext4_done_bytes` and
 * `ext4_total_bytes`); the last reply has `doneBytes === totalBytes`.
 *
 * @example
 * ```ts
 * import type { ProgressReply } from "./worker.ts";
 * const reply: ProgressReply = { type: "progress", id: 1, doneBytes: 4096, totalBytes: 8192 };
 * console.assert(reply.doneBytes <= reply.totalBytes);
 * ```
 */
export interface ProgressReply {
  /** Message kind. */
  type: "progress";
  /** Identifier of the request. */
  id: number;
  /** Metadata bytes written so far. */
  doneBytes: number;
  /** Metadata bytes of the whole image. */
  totalBytes: number;
}

/**
 * Success of a request: every run is written and the file is synced.
 *
 * @example
 * ```ts
 * import type { DoneReply } from "./worker.ts";
 * const reply: DoneReply = { type: "done", id: 1 };
 * console.assert(reply.type === "done");
 * ```
 */
export interface DoneReply {
  /** Message kind. */
  type: "done";
  /** Identifier of the request. */
  id: number;
}

/**
 * Failure of a request.
 *
 * @example
 * ```ts
 * import type { FailureReply } from "./worker.ts";
 * const reply: FailureReply = {
 *   type: "error",
 *   id: 1,
 *   kind: "io",
 *   operation: "write",
 *   code: "ENOSPC",
 *   message: "No space left on device",
 * };
 * console.assert(reply.kind === "io");
 * ```
 */
export interface FailureReply {
  /** Message kind. */
  type: "error";
  /** Identifier of the request. */
  id: number;
  /**
   * Category of the failure: `"status"` for a negative status code from
   * the module, `"io"` for a failed file operation, `"permission"` when
   * Deno denied access to the file, `"internal"` for anything else.
   */
  kind: "status" | "io" | "permission" | "internal";
  /** The module's status code, for `kind: "status"`. */
  status?: number;
  /** The system error code, such as `"ENOSPC"`, for `kind: "io"`. */
  code?: string;
  /** The file operation that failed: `"open"`, `"write"`, `"sync"` or `"close"`. */
  operation?: string;
  /** The underlying error message. */
  message: string;
}

/**
 * Message from the worker to the host.
 *
 * @example
 * ```ts
 * import type { WorkerReply } from "./worker.ts";
 * const kinds: WorkerReply["type"][] = ["progress", "done", "error"];
 * console.assert(kinds.length === 3);
 * ```
 */
export type WorkerReply = ProgressReply | DoneReply | FailureReply;

/**
 * The part of `parentPort` from `node:worker_threads` that the worker uses.
 *
 * @example
 * ```ts
 * import type { WorkerPort } from "./worker.ts";
 * const sent: unknown[] = [];
 * const port: WorkerPort = { on: () => {}, postMessage: (m) => sent.push(m) };
 * port.postMessage({ type: "done", id: 1 });
 * console.assert(sent.length === 1);
 * ```
 */
export interface WorkerPort {
  /** Registers the request listener. */
  on(event: "message", listener: (message: WorkerRequest) => void): unknown;
  /** Sends a reply to the host. */
  postMessage(message: WorkerReply): void;
}

/**
 * The part of `node:fs` that the worker uses.
 *
 * @example
 * ```ts
 * import * as fs from "node:fs";
 * import type { WorkerFs } from "./worker.ts";
 * const workerFs: WorkerFs = fs;
 * console.assert(typeof workerFs.writeSync === "function");
 * ```
 */
export interface WorkerFs {
  /** Opens `path` with numeric `open(2)` flags and returns its descriptor. */
  openSync(path: string, flags: number): number;
  /** Writes `length` bytes from `buffer[offset]` at `position` (`pwrite(2)`). */
  writeSync(
    fd: number,
    buffer: Uint8Array,
    offset: number,
    length: number,
    position: number,
  ): number;
  /** `fdatasync(2)`. */
  fdatasyncSync(fd: number): void;
  /** `close(2)`. */
  closeSync(fd: number): void;
  /** Open flags. */
  constants: { O_WRONLY: number };
}

/** Exports of src/ext4/ext4.wasm, as documented in wasm/src/lib.rs. */
interface Ext4Exports {
  memory: WebAssembly.Memory;
  ext4_params_ptr(): number;
  ext4_format_begin(
    sizeBytes: bigint,
    timestamp: bigint,
    labelLength: number,
    flags: number,
  ): number;
  ext4_total_bytes(): bigint;
  ext4_done_bytes(): bigint;
  ext4_format_next(): number;
  ext4_runs_ptr(): number;
  ext4_data_ptr(): number;
}

/**
 * Serves format requests on `port`: runs the module's `begin`/`next` loop
 * and writes each run with a positioned write, then `fdatasync`s the file
 * before replying. The function runs inside the worker, so it must not
 * refer to anything outside its body (see the module documentation).
 *
 * @param port The worker's `parentPort`.
 * @param fs The `node:fs` module.
 *
 * @example
 * ```ts
 * import { runFormatWorker, type WorkerPort } from "./worker.ts";
 * import * as fs from "node:fs";
 * const replies: unknown[] = [];
 * const port: WorkerPort = { on: () => {}, postMessage: (m) => replies.push(m) };
 * runFormatWorker(port, fs); // waits for messages on `port`
 * console.assert(replies.length === 0);
 * ```
 */
export function runFormatWorker(port: WorkerPort, fs: WorkerFs): void {
  /** Size of one run record: offset u64, length u32, data offset u32. */
  const RUN_RECORD_SIZE = 16;
  /** Size of the parameter area: UUID, hash seed, label. */
  const PARAMS_SIZE = 48;

  let module: WebAssembly.Module | undefined;
  let exports: Ext4Exports | undefined;

  const describe = (error: unknown): { name: string; message: string } => {
    if (error instanceof Error) {
      return { name: error.name, message: error.message };
    }
    return { name: "Error", message: String(error) };
  };

  const fileFailure = (
    id: number,
    operation: string,
    error: unknown,
  ): FailureReply => {
    const { name, message } = describe(error);
    if (name === "NotCapable") {
      return { type: "error", id, kind: "permission", operation, message };
    }
    const code = (error as { code?: unknown }).code;
    return {
      type: "error",
      id,
      kind: "io",
      operation,
      code: typeof code === "string" ? code : undefined,
      message,
    };
  };

  const instantiate = (): Ext4Exports => {
    if (module === undefined) {
      throw new Error(
        "Format request received before the module: send an init message first.",
      );
    }
    if (exports === undefined) {
      const instance = new WebAssembly.Instance(module, {});
      exports = instance.exports as unknown as Ext4Exports;
    }
    return exports;
  };

  const writeRuns = (ext4: Ext4Exports, fd: number, runs: number) => {
    // Views are taken after `next`, which may have grown the memory.
    const memory = new Uint8Array(ext4.memory.buffer);
    const records = new DataView(
      ext4.memory.buffer,
      ext4.ext4_runs_ptr(),
      runs * RUN_RECORD_SIZE,
    );
    const data = ext4.ext4_data_ptr();
    for (let run = 0; run < runs; run++) {
      const record = run * RUN_RECORD_SIZE;
      const position = Number(records.getBigUint64(record, true));
      const length = records.getUint32(record + 8, true);
      const offset = data + records.getUint32(record + 12, true);
      let written = 0;
      while (written < length) {
        const count = fs.writeSync(
          fd,
          memory,
          offset + written,
          length - written,
          position + written,
        );
        if (count <= 0) {
          throw new Error(`write returned ${count} at byte ${position}`);
        }
        written += count;
      }
    }
  };

  const format = (request: FormatRequest): FailureReply | DoneReply => {
    const { id } = request;
    const ext4 = instantiate();

    const params = new Uint8Array(
      ext4.memory.buffer,
      ext4.ext4_params_ptr(),
      PARAMS_SIZE,
    );
    params.fill(0);
    params.set(request.uuid, 0);
    params.set(request.label, 32);
    const status = ext4.ext4_format_begin(
      BigInt(request.sizeBytes),
      BigInt(request.timestampSeconds),
      request.label.length,
      0,
    );
    if (status !== 0) {
      return {
        type: "error",
        id,
        kind: "status",
        status,
        message: `ext4_format_begin returned ${status}`,
      };
    }
    const totalBytes = Number(ext4.ext4_total_bytes());

    let fd: number;
    try {
      fd = fs.openSync(request.path, fs.constants.O_WRONLY);
    } catch (error) {
      return fileFailure(id, "open", error);
    }

    let failure: FailureReply | undefined;
    let operation = "write";
    try {
      for (;;) {
        const runs = ext4.ext4_format_next();
        if (runs < 0) {
          failure = {
            type: "error",
            id,
            kind: "status",
            status: runs,
            message: `ext4_format_next returned ${runs}`,
          };
          break;
        }
        if (runs === 0) {
          break;
        }
        writeRuns(ext4, fd, runs);
        const doneBytes = Number(ext4.ext4_done_bytes());
        port.postMessage({ type: "progress", id, doneBytes, totalBytes });
      }
      if (failure === undefined) {
        operation = "sync";
        fs.fdatasyncSync(fd);
      }
    } catch (error) {
      failure = fileFailure(id, operation, error);
    } finally {
      try {
        fs.closeSync(fd);
      } catch (error) {
        failure ??= fileFailure(id, "close", error);
      }
    }
    return failure ?? { type: "done", id };
  };

  port.on("message", (message: WorkerRequest) => {
    if (message.type === "init") {
      module = message.module;
      exports = undefined;
      return;
    }
    let reply: WorkerReply;
    try {
      reply = format(message);
    } catch (error) {
      // A trap (a bug in the module) may leave its memory inconsistent,
      // so the next request gets a fresh instance.
      exports = undefined;
      const { name, message: text } = describe(error);
      reply = {
        type: "error",
        id: message.id,
        kind: "internal",
        message: `${name}: ${text}`,
      };
    }
    port.postMessage(reply);
  });
}

/**
 * Returns the source of the worker's ES module: it imports the worker's
 * port and `node:fs` and calls {@linkcode runFormatWorker} with them.
 *
 * @returns JavaScript source for a `data:` URL.
 *
 * @example
 * ```ts
 * import { workerModuleSource } from "./worker.ts";
 * console.assert(workerModuleSource().includes("node:worker_threads"));
 * ```
 */
export function workerModuleSource(): string {
  return [
    'import { parentPort } from "node:worker_threads";',
    'import * as fs from "node:fs";',
    `(${runFormatWorker.toString()})(parentPort, fs);`,
  ].join("\n");
}
