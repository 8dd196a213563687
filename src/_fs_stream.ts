// Public stream classes of VolumeFs, re-exported by fs.ts. Their
// constructors are private, and fs.ts makes them through the factories that
// each class sets in a static block.

import { InvalidConfigError, IoError } from "./errors.ts";
import type { AtomicFile } from "./_fs_atomic.ts";
import { describePath, type FsRequest, mapFsError } from "./_fs_errors.ts";
import { READ_CHUNK_SIZE, readFull } from "./_fs_open.ts";
import { describeType, quote } from "./_fs_path.ts";

const encoder = new TextEncoder();

/** Makes the read stream of an opened file. Set by the class. */
export let createReadStream: (
  file: Deno.FsFile,
  context: FsRequest,
) => VolumeFsReadStream;

/** Makes the write sink of an atomic file. Set by the class. */
export let createWriteSink: (
  file: AtomicFile,
  context: FsRequest,
) => VolumeFsWriteSink;

/**
 * Chunks of one file of a volume, opened by {@linkcode VolumeFs.readStream}.
 *
 * {@linkcode VolumeFsReadStream.recv}, the async iterator,
 * {@linkcode VolumeFsReadStream.collect} and
 * {@linkcode VolumeFsReadStream.readable} all read from the same position,
 * so use one of them. Chunks are 1 MiB, except the last. The file is closed
 * at the end of the data, on disposal, when the iterator loop exits early, or
 * when the readable stream is cancelled.
 *
 * @example Pipe a file into a web stream
 * ```ts
 * import assert from "node:assert/strict";
 * import { VolumeFs } from "@msb/volumes";
 *
 * const root = await Deno.makeTempDir();
 * const fs = new VolumeFs("data", root, "dir");
 * await fs.write("page.html", "<p>hi</p>");
 *
 * const stream = await fs.readStream("page.html");
 * const text = await new Response(stream.readable).text();
 * assert.equal(text, "<p>hi</p>");
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export class VolumeFsReadStream
  implements AsyncIterable<Uint8Array<ArrayBuffer>>, AsyncDisposable {
  #file: Deno.FsFile | null;
  readonly #context: FsRequest;
  // Serializes reads, so that concurrent recv() calls return chunks in
  // file order.
  #queue: Promise<unknown> = Promise.resolve();
  #readable: ReadableStream<Uint8Array<ArrayBuffer>> | null = null;

  private constructor(file: Deno.FsFile, context: FsRequest) {
    this.#file = file;
    this.#context = context;
  }

  static {
    createReadStream = (file, context) => new VolumeFsReadStream(file, context);
  }

  /**
   * Reads the next chunk.
   *
   * @returns The next chunk of at most 1 MiB, or `null` at the end of the
   * file or after disposal.
   * @throws {IoError} If reading fails. The file is closed then.
   *
   * @example Read all chunks
   * ```ts
   * import assert from "node:assert/strict";
   * import { VolumeFs } from "@msb/volumes";
   *
   * const root = await Deno.makeTempDir();
   * const fs = new VolumeFs("data", root, "dir");
   * await fs.write("a.txt", "abc");
   *
   * await using stream = await fs.readStream("a.txt");
   * assert.deepEqual(await stream.recv(), new TextEncoder().encode("abc"));
   * assert.equal(await stream.recv(), null);
   * await Deno.remove(root, { recursive: true });
   * ```
   */
  recv(): Promise<Uint8Array<ArrayBuffer> | null> {
    const next = this.#queue.then(() => this.#readChunk());
    this.#queue = next.catch(() => {});
    return next;
  }

  /**
   * Reads the rest of the file into one array and closes it.
   *
   * @returns The remaining bytes, which are empty at the end of the file.
   * @throws {IoError} If reading fails.
   *
   * @example Collect a file
   * ```ts
   * import assert from "node:assert/strict";
   * import { VolumeFs } from "@msb/volumes";
   *
   * const root = await Deno.makeTempDir();
   * const fs = new VolumeFs("data", root, "dir");
   * await fs.write("a.txt", "abc");
   *
   * const stream = await fs.readStream("a.txt");
   * assert.equal(new TextDecoder().decode(await stream.collect()), "abc");
   * await Deno.remove(root, { recursive: true });
   * ```
   */
  async collect(): Promise<Uint8Array<ArrayBuffer>> {
    const chunks: Uint8Array[] = [];
    let total = 0;
    while (true) {
      const chunk = await this.recv();
      if (chunk === null) break;
      chunks.push(chunk);
      total += chunk.length;
    }
    const result = new Uint8Array(total);
    let offset = 0;
    for (const chunk of chunks) {
      result.set(chunk, offset);
      offset += chunk.length;
    }
    return result;
  }

  /**
   * Iterates over the remaining chunks. Leaving the loop early closes the
   * file.
   *
   * @returns An async iterator over the chunks.
   * @throws {IoError} If reading fails.
   *
   * @example Count bytes
   * ```ts
   * import assert from "node:assert/strict";
   * import { VolumeFs } from "@msb/volumes";
   *
   * const root = await Deno.makeTempDir();
   * const fs = new VolumeFs("data", root, "dir");
   * await fs.write("a.txt", "abc");
   *
   * let size = 0;
   * for await (const chunk of await fs.readStream("a.txt")) {
   *   size += chunk.length;
   * }
   * assert.equal(size, 3);
   * await Deno.remove(root, { recursive: true });
   * ```
   */
  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array<ArrayBuffer>> {
    try {
      while (true) {
        const chunk = await this.recv();
        if (chunk === null) return;
        yield chunk;
      }
    } finally {
      this.#close();
    }
  }

  /**
   * Closes the file. Later reads return `null`. Safe to call more than once.
   *
   * @returns A promise that resolves once the file is closed.
   * @throws {never} Closing does not fail.
   *
   * @example Close early
   * ```ts
   * import assert from "node:assert/strict";
   * import { VolumeFs } from "@msb/volumes";
   *
   * const root = await Deno.makeTempDir();
   * const fs = new VolumeFs("data", root, "dir");
   * await fs.write("a.txt", "abc");
   *
   * const stream = await fs.readStream("a.txt");
   * await stream[Symbol.asyncDispose]();
   * assert.equal(await stream.recv(), null);
   * await Deno.remove(root, { recursive: true });
   * ```
   */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.#queue;
    this.#close();
  }

  /**
   * Web stream over the remaining chunks, made on first access. Cancelling
   * it closes the file.
   *
   * @example Decode as text
   * ```ts
   * import assert from "node:assert/strict";
   * import { VolumeFs } from "@msb/volumes";
   *
   * const root = await Deno.makeTempDir();
   * const fs = new VolumeFs("data", root, "dir");
   * await fs.write("a.txt", "abc");
   *
   * const stream = await fs.readStream("a.txt");
   * const text = stream.readable.pipeThrough(new TextDecoderStream());
   * assert.equal((await Array.fromAsync(text)).join(""), "abc");
   * await Deno.remove(root, { recursive: true });
   * ```
   */
  get readable(): ReadableStream<Uint8Array<ArrayBuffer>> {
    this.#readable ??= new ReadableStream<Uint8Array<ArrayBuffer>>({
      pull: async (controller) => {
        const chunk = await this.recv();
        if (chunk === null) {
          controller.close();
        } else {
          controller.enqueue(chunk);
        }
      },
      cancel: () => this[Symbol.asyncDispose](),
    });
    return this.#readable;
  }

  async #readChunk(): Promise<Uint8Array<ArrayBuffer> | null> {
    const file = this.#file;
    if (file === null) return null;
    const buffer = new Uint8Array(READ_CHUNK_SIZE);
    let count: number;
    try {
      count = await readFull(file, buffer);
    } catch (err) {
      this.#close();
      throw mapFsError(err, this.#context);
    }
    if (count < buffer.length) this.#close();
    if (count === 0) return null;
    return count === buffer.length ? buffer : buffer.slice(0, count);
  }

  #close(): void {
    if (this.#file === null) return;
    this.#file.close();
    this.#file = null;
  }
}

/**
 * New content for one file of a volume, opened by
 * {@linkcode VolumeFs.writeStream}.
 *
 * Chunks go to a temporary sibling file. {@linkcode VolumeFsWriteSink.close}
 * flushes it and renames it over the target, so the new content appears
 * under its name all at once. {@linkcode VolumeFsWriteSink.abort}, disposal
 * without `close()`, or a failed write removes the temporary file and
 * leaves the old content.
 *
 * @example Pipe a web stream into a file
 * ```ts
 * import assert from "node:assert/strict";
 * import { VolumeFs } from "@msb/volumes";
 *
 * const root = await Deno.makeTempDir();
 * const fs = new VolumeFs("data", root, "dir");
 *
 * const sink = await fs.writeStream("copy.txt");
 * await new Response("streamed").body!.pipeTo(sink.writable);
 * assert.equal(await fs.readToString("copy.txt"), "streamed");
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export class VolumeFsWriteSink implements AsyncDisposable {
  readonly #file: AtomicFile;
  readonly #context: FsRequest;
  #state: "open" | "closed" | "aborted" = "open";
  // Serializes writes, close and abort in call order.
  #queue: Promise<unknown> = Promise.resolve();
  #writable: WritableStream<Uint8Array> | null = null;

  private constructor(file: AtomicFile, context: FsRequest) {
    this.#file = file;
    this.#context = context;
  }

  static {
    createWriteSink = (file, context) => new VolumeFsWriteSink(file, context);
  }

  /**
   * Appends a chunk to the new content. If the write fails, the sink is
   * aborted.
   *
   * @param chunk Bytes to append. A string is written as UTF-8.
   * @returns A promise that resolves once the chunk is written to the
   * temporary file.
   * @throws {InvalidConfigError} If `chunk` is neither a Uint8Array nor a
   * string. The sink stays open, and nothing is written.
   * @throws {IoError} If the sink is closed or aborted, or the host file
   * system fails.
   *
   * @example Append chunks
   * ```ts
   * import assert from "node:assert/strict";
   * import { VolumeFs } from "@msb/volumes";
   *
   * const root = await Deno.makeTempDir();
   * const fs = new VolumeFs("data", root, "dir");
   *
   * await using sink = await fs.writeStream("a.txt");
   * await sink.write("a");
   * await sink.write(new Uint8Array([98]));
   * await sink.close();
   * assert.equal(await fs.readToString("a.txt"), "ab");
   * await Deno.remove(root, { recursive: true });
   * ```
   */
  write(chunk: Uint8Array | string): Promise<void> {
    let bytes: Uint8Array;
    try {
      bytes = toBytes(
        chunk,
        `chunk for the write stream of ${describePath(this.#context)}`,
      );
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#enqueue(async () => {
      this.#assertOpen("write to");
      try {
        await this.#file.write(bytes);
      } catch (err) {
        await this.#abortNow();
        throw err;
      }
    });
  }

  /**
   * Commits the new content: flushes the temporary file with `fsync` and
   * renames it over the target. Calling it again after success does
   * nothing. If the commit fails, the sink is aborted.
   *
   * @returns A promise that resolves once the new content is in place.
   * @throws {IoError} If the sink was aborted, or the flush or rename fails.
   *
   * @example Commit
   * ```ts
   * import assert from "node:assert/strict";
   * import { VolumeFs } from "@msb/volumes";
   *
   * const root = await Deno.makeTempDir();
   * const fs = new VolumeFs("data", root, "dir");
   *
   * const sink = await fs.writeStream("a.txt");
   * await sink.write("done");
   * await sink.close();
   * assert.equal(await fs.readToString("a.txt"), "done");
   * await Deno.remove(root, { recursive: true });
   * ```
   */
  close(): Promise<void> {
    return this.#enqueue(async () => {
      if (this.#state === "closed") return;
      this.#assertOpen("close");
      try {
        await this.#file.commit();
      } catch (err) {
        await this.#abortNow();
        throw err;
      }
      this.#state = "closed";
    });
  }

  /**
   * Discards the new content: removes the temporary file and leaves the old
   * content, if any. Does nothing after `close()` or a previous abort.
   *
   * @returns A promise that resolves once the temporary file is removed.
   * @throws {never} Errors while removing the temporary file are ignored.
   *
   * @example Discard
   * ```ts
   * import assert from "node:assert/strict";
   * import { VolumeFs } from "@msb/volumes";
   *
   * const root = await Deno.makeTempDir();
   * const fs = new VolumeFs("data", root, "dir");
   *
   * const sink = await fs.writeStream("a.txt");
   * await sink.write("never committed");
   * await sink.abort();
   * assert.equal(await fs.exists("a.txt"), false);
   * await Deno.remove(root, { recursive: true });
   * ```
   */
  abort(): Promise<void> {
    return this.#enqueue(() => this.#abortNow());
  }

  /**
   * Aborts the sink unless it was closed, so leaving an `await using` block
   * without `close()` leaves the old content.
   *
   * @returns A promise that resolves once the sink is settled.
   * @throws {never} Errors while removing the temporary file are ignored.
   *
   * @example Dispose without closing
   * ```ts
   * import assert from "node:assert/strict";
   * import { VolumeFs } from "@msb/volumes";
   *
   * const root = await Deno.makeTempDir();
   * const fs = new VolumeFs("data", root, "dir");
   * await fs.write("a.txt", "old");
   * {
   *   await using sink = await fs.writeStream("a.txt");
   *   await sink.write("new");
   * }
   * assert.equal(await fs.readToString("a.txt"), "old");
   * await Deno.remove(root, { recursive: true });
   * ```
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.abort();
  }

  /**
   * Web stream into the sink, made on first access. Closing it commits.
   * Aborting it, an error in a pipe source, or a chunk that fails to write,
   * such as one of the wrong type, discards the new content.
   *
   * @example Encode text into a file
   * ```ts
   * import assert from "node:assert/strict";
   * import { VolumeFs } from "@msb/volumes";
   *
   * const root = await Deno.makeTempDir();
   * const fs = new VolumeFs("data", root, "dir");
   *
   * const sink = await fs.writeStream("a.txt");
   * await ReadableStream.from(["x", "y"])
   *   .pipeThrough(new TextEncoderStream())
   *   .pipeTo(sink.writable);
   * assert.equal(await fs.readToString("a.txt"), "xy");
   * await Deno.remove(root, { recursive: true });
   * ```
   */
  get writable(): WritableStream<Uint8Array> {
    this.#writable ??= new WritableStream<Uint8Array>({
      // A failed write errors the web stream, which can then never close,
      // so the sink is aborted at once instead of at disposal.
      write: async (chunk) => {
        try {
          await this.write(chunk);
        } catch (err) {
          await this.abort();
          throw err;
        }
      },
      close: () => this.close(),
      abort: () => this.abort(),
    });
    return this.#writable;
  }

  #enqueue(step: () => Promise<void>): Promise<void> {
    const next = this.#queue.then(step);
    this.#queue = next.catch(() => {});
    return next;
  }

  #assertOpen(action: string): void {
    if (this.#state === "open") return;
    const reason = this.#state === "closed"
      ? "it is already closed"
      : "it was aborted, so nothing was written";
    throw new IoError(
      `Cannot ${action} the write stream of ${quote(this.#context.path)} in ` +
        `volume ${quote(this.#context.volumeName)}: ${reason}.`,
    );
  }

  async #abortNow(): Promise<void> {
    if (this.#state !== "open") return;
    this.#state = "aborted";
    await this.#file.abort();
  }
}

/**
 * Converts file content to bytes, encoding a string as UTF-8. `description`
 * names the value in the error message, such as `data for path "a" in
 * volume "v"`.
 *
 * @throws {InvalidConfigError} If `data` is neither a Uint8Array nor a
 * string.
 */
export function toBytes(data: unknown, description: string): Uint8Array {
  if (typeof data === "string") return encoder.encode(data);
  if (data instanceof Uint8Array) return data;
  throw new InvalidConfigError(
    `Invalid ${description}: expected a Uint8Array or a string, got ` +
      `${describeType(data)}.`,
  );
}
