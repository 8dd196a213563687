/**
 * Host-side file API of a `dir` volume, confined to the volume's directory.
 *
 * The files of a volume are written by untrusted code in a sandbox, so
 * {@linkcode VolumeFs} treats every path it gets and every symlink it finds
 * in the volume as hostile, and keeps each read, write and removal inside
 * the volume root.
 *
 * ## Request paths
 *
 * - Paths are relative to the volume root, and `""`, `"/"` and `"."` all name
 *   the root. A leading `/` also means the volume root, not the host root,
 *   so `"/etc/passwd"` names `<root>/etc/passwd`.
 * - Empty and `.` segments are dropped, so `"a//b/"` is `"a/b"`.
 * - `..` removes the previous segment as written, before any symlink is
 *   looked at, so `"a/link/.."` is `"a"` whatever `link` points to. A `..`
 *   that climbs above the root raises {@linkcode InvalidPathError}.
 * - A NUL byte or a backslash raises {@linkcode InvalidPathError}. Windows
 *   reads a backslash as a separator, so rejecting it keeps a path meaning
 *   the same on every host. A file whose name contains a backslash is still
 *   listed by {@linkcode VolumeFs.list}, but cannot be addressed.
 * - An unpaired UTF-16 surrogate raises {@linkcode InvalidPathError},
 *   because UTF-8 cannot encode it, and the host would get U+FFFD in its
 *   place.
 * - A segment longer than 255 bytes in UTF-8, or a normalized path longer
 *   than 4095 bytes, raises {@linkcode InvalidPathError}. These are the
 *   `NAME_MAX` and `PATH_MAX` (minus its NUL) of Linux.
 * - A path that is not a string raises {@linkcode InvalidPathError}, and
 *   file content that is neither a string nor a Uint8Array raises
 *   {@linkcode InvalidConfigError}, before the volume is touched.
 *
 * ## Symlinks
 *
 * - Paths are resolved one component at a time with `lstat` and `readLink`,
 *   following at most 40 symlinks (the Linux `MAXSYMLINKS`). More raise
 *   {@linkcode InvalidPathError}.
 * - A relative symlink target is resolved against the directory that contains
 *   the link. An absolute target is resolved against the volume root, as
 *   `openat2` does with `RESOLVE_IN_ROOT`, so the absolute links of a root
 *   file system stored in a volume work. A guest that mounts the volume at
 *   `/data` and links to `/data/x` gets `<root>/data/x`, not `<root>/x`,
 *   because the mount point is not known here.
 * - A symlink target whose `..` climbs above the root raises
 *   {@linkcode InvalidPathError}.
 * - Missing directories are created only for components written in the
 *   request, never for components that come from a symlink target, as
 *   `mkdir -p` does. A dangling symlink used as a directory raises
 *   {@linkcode PathNotFoundError}.
 * - A symlink in the final component is followed, inside the root, by
 *   `read`, `readToString`, `readStream`, `list`, `mkdir` and the source of
 *   `copy`. `write`, `writeStream` and the destination of `copy` replace the
 *   link itself with a regular file and never write through it. `stat`,
 *   `exists`, `remove` and `rename` act on the link itself, and `removeDir`
 *   rejects it with {@linkcode NotADirectoryError}.
 * - Only regular files are opened. FIFOs, sockets and device nodes raise
 *   {@linkcode UnsupportedError}, because opening a device node that the
 *   guest made would reach a device of the host.
 *
 * ## Other decisions
 *
 * - `list` does not hide the temporary files of writes in progress
 *   (`.<name>.msb-tmp-<random>`). Hiding them would let a guest hide files
 *   from the host by naming them that way, and a temporary file left by a
 *   killed process must stay visible so that it can be removed.
 * - `copy` copies one regular file. A directory source raises
 *   {@linkcode IsADirectoryError}.
 * - `write`, `writeStream`, `copy` and `rename` create the missing parent
 *   directories of their destination.
 * - `exists` returns false where `stat` would raise
 *   {@linkcode PathNotFoundError} or {@linkcode NotADirectoryError}, and
 *   raises every other error, {@linkcode InvalidPathError} included.
 *
 * ## Races with other processes
 *
 * Deno has no `openat` and no `O_NOFOLLOW` for the directories of a path, so
 * each check and each use look the path up again. Another process, such as
 * a running sandbox, can replace a checked directory with a symlink in
 * between. VolumeFs narrows that window as follows:
 *
 * - Reads open the resolved path, then compare the device and inode of the
 *   handle with an `lstat` of that path and check with `Deno.realPath` that
 *   the path resolves inside the root. On a mismatch they retry, and after
 *   10 mismatches they raise {@linkcode IoError}. All data is read through
 *   the checked handle. `list` and `stat` check the directory again after
 *   reading it.
 * - Missing directories are created one at a time, each checked with
 *   `Deno.realPath` after its creation.
 * - Writes create the temporary file with `createNew` (`O_CREAT | O_EXCL`),
 *   which never follows a symlink, under a random name that no other process
 *   can know in advance. They check the file and its directory after
 *   creating it, removing it if it landed outside, and again before the
 *   rename. The rename stays within one directory, so if that directory is
 *   swapped before it, the lookup of the temporary file fails.
 * - `remove`, `removeDir` and `rename` first rename the entry to a random
 *   hidden name in its directory (`.<name>.msb-del-<random>` or
 *   `.<name>.msb-mv-<random>`) and compare its device and inode with the
 *   entry that was checked. The deletion or the move then uses the random
 *   name, which a path through a swapped directory does not find. `rename`
 *   moves the entry under a second hidden name into the destination
 *   directory, checks it there, and renames it within that directory.
 *   Recursive removal uses Rust's `std::fs::remove_dir_all` inside Deno,
 *   which since Rust 1.58.1 walks the tree with `openat` and `O_NOFOLLOW`,
 *   so symlinks inside the removed tree are deleted, not followed.
 *
 * What remains possible while another process changes the tree during a
 * call:
 *
 * - A process that swaps a directory for a symlink and back between two of
 *   these checks can pass them. A read can then return the content of a
 *   file outside the root that the host process may read, and `list`,
 *   `stat` or `exists` can describe entries outside the root. A swap just
 *   before the open can also make a read open a FIFO or device outside the
 *   root, which can block the call, although no data from it is returned.
 * - Creating a missing directory or the temporary file of a write can leave
 *   an empty directory or an empty file outside the root. The call then
 *   raises {@linkcode IoError}. The temporary file is removed while the path
 *   still leads to it, the directory is left.
 * - A swap around the first rename of `remove`, `removeDir` or `rename` can
 *   rename an outside entry of the same name to the hidden name in its own
 *   directory, and a swap around the move of `rename` can leave the moved
 *   entry under a hidden name in an outside directory. The call renames
 *   such an entry back while the path still leads to it, and otherwise
 *   names the hidden name in its {@linkcode IoError}.
 * - Inside one `rename` system call, the kernel looks up the two paths one
 *   after the other. A swap between the two lookups can move the entry from
 *   one directory to the other and replace an entry of the same name there.
 *   Only this can make a call replace or delete an entry outside the root.
 *
 * None of this needs any race while nothing else changes the volume, for
 * example while no running sandbox mounts it. Other processes can briefly
 * see the hidden names listed above.
 *
 * NOTE: The tests run on Linux. On Windows `stat` has no inode numbers, so
 * the handle checks compare only the device, and Windows paths are not
 * tested.
 *
 * @module
 */

import {
  InvalidPathError,
  IsADirectoryError,
  NotADirectoryError,
  PathAlreadyExistsError,
  PathNotFoundError,
  UnsupportedError,
} from "./errors.ts";
import { AtomicFile } from "./_fs_atomic.ts";
import {
  detachEntry,
  moveDetachedEntry,
  removeDetachedEntry,
} from "./_fs_detach.ts";
import {
  changedDuringCall,
  describePath,
  type FsOperation,
  type FsRequest,
  mapFsError,
} from "./_fs_errors.ts";
import {
  decodeUtf8,
  MAX_READ_BYTES,
  MAX_STRING_BYTES,
  openFileForReading,
  READ_CHUNK_SIZE,
  readFull,
  readWholeFile,
} from "./_fs_open.ts";
import {
  createReadStream,
  createWriteSink,
  toBytes,
  VolumeFsReadStream,
  VolumeFsWriteSink,
} from "./_fs_stream.ts";
import {
  compareUtf8,
  joinHostPath,
  parseRequestPath,
  quote,
} from "./_fs_path.ts";
import {
  assertInsideRoot,
  type FsContext,
  isSameFile,
  lstatOrNull,
  notFoundError,
  openContext,
  resolve,
  resolveParent,
} from "./_fs_resolve.ts";

export { VolumeFsReadStream, VolumeFsWriteSink };

/**
 * Type of an entry, from `lstat`, so a symlink is never followed.
 *
 * @example Keep only the files of a directory
 * ```ts
 * import assert from "node:assert/strict";
 * import { type FsEntryKind, VolumeFs } from "@msb/volumes";
 *
 * const root = await Deno.makeTempDir();
 * const fs = new VolumeFs("data", root, "dir");
 * await fs.write("a.txt", "a");
 * await fs.mkdir("logs");
 *
 * const wanted: FsEntryKind = "file";
 * const files = (await fs.list("")).filter((entry) => entry.kind === wanted);
 * assert.deepEqual(files.map((entry) => entry.path), ["a.txt"]);
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export type FsEntryKind = "file" | "directory" | "symlink" | "other";

/**
 * One child of a directory, as returned by {@linkcode VolumeFs.list}.
 *
 * @example Sum the sizes of the files in a directory
 * ```ts
 * import assert from "node:assert/strict";
 * import { type FsEntry, VolumeFs } from "@msb/volumes";
 *
 * const root = await Deno.makeTempDir();
 * const fs = new VolumeFs("data", root, "dir");
 * await fs.write("logs/a.log", "12345");
 * await fs.write("logs/b.log", "678");
 *
 * const entries: FsEntry[] = await fs.list("logs");
 * const total = entries.reduce((sum, entry) => sum + entry.size, 0);
 * assert.equal(total, 8);
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export interface FsEntry {
  /**
   * Volume path of the entry: the listed path as normalized, a `/`, and the
   * entry name. Entries of the root have no prefix.
   */
  readonly path: string;
  /** Type of the entry. A symlink is reported as `"symlink"`. */
  readonly kind: FsEntryKind;
  /** Size in bytes. For a symlink, the length of its target. */
  readonly size: number;
  /** Permission bits, `st_mode & 0o7777`, or 0 where the host has none. */
  readonly mode: number;
  /** Owner user id on the host, or 0 where the host has none. */
  readonly uid: number;
  /** Owner group id on the host, or 0 where the host has none. */
  readonly gid: number;
  /** Last access time, or `null` where the host does not record it. */
  readonly accessed: Date | null;
  /** Last modification time, or `null` where the host does not record it. */
  readonly modified: Date | null;
}

/**
 * Metadata of one path, as returned by {@linkcode VolumeFs.stat}.
 *
 * @example Check that a file is read-only
 * ```ts
 * import assert from "node:assert/strict";
 * import { type FsMetadata, VolumeFs } from "@msb/volumes";
 *
 * const root = await Deno.makeTempDir();
 * const fs = new VolumeFs("data", root, "dir");
 * await fs.write("config.toml", "mode = 1\n");
 * await Deno.chmod(`${root}/config.toml`, 0o444);
 *
 * const metadata: FsMetadata = await fs.stat("config.toml");
 * assert.equal(metadata.kind, "file");
 * assert.equal(metadata.mode, 0o444);
 * assert.equal(metadata.readonly, true);
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export interface FsMetadata {
  /** Type of the entry. A symlink is reported as `"symlink"`. */
  readonly kind: FsEntryKind;
  /** Size in bytes. For a symlink, the length of its target. */
  readonly size: number;
  /** Permission bits, `st_mode & 0o7777`, or 0 where the host has none. */
  readonly mode: number;
  /** Owner user id on the host, or 0 where the host has none. */
  readonly uid: number;
  /** Owner group id on the host, or 0 where the host has none. */
  readonly gid: number;
  /** True when no write bit (`0o222`) is set in `mode`. */
  readonly readonly: boolean;
  /** Last access time, or `null` where the host does not record it. */
  readonly accessed: Date | null;
  /** Last modification time, or `null` where the host does not record it. */
  readonly modified: Date | null;
  /** Creation (birth) time, or `null` where the host does not record it. */
  readonly created: Date | null;
}

// Number of entries of one directory that `list` inspects concurrently.
const LIST_BATCH_SIZE = 64;

/**
 * File API of one volume on the host, confined to the volume's directory.
 * The module documentation lists the confinement rules and what another
 * process can still do during a call.
 *
 * `Volume.fs()` and `VolumeHandle.fs()` return one. Only `dir` volumes
 * support it. For a `disk` volume every method rejects with
 * {@linkcode UnsupportedError}, because its files live inside its ext4
 * image.
 *
 * Every method needs `--allow-read` for the volume directory, and methods
 * that change the volume also need `--allow-write` for it.
 *
 * @example Write, list and read back
 * ```ts
 * import assert from "node:assert/strict";
 * import { VolumeFs } from "@msb/volumes";
 *
 * // Volume.fs() returns a VolumeFs. This builds one on a temporary directory.
 * const root = await Deno.makeTempDir();
 * const fs = new VolumeFs("data", root, "dir");
 *
 * await fs.write("config/app.json", '{"debug":true}');
 * const entries = await fs.list("config");
 * assert.deepEqual(entries.map((entry) => entry.path), ["config/app.json"]);
 * assert.equal(await fs.readToString("config/app.json"), '{"debug":true}');
 *
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export class VolumeFs {
  readonly #volumeName: string;
  readonly #root: string;
  readonly #kind: "dir" | "disk";

  /**
   * Creates the file API of a volume.
   *
   * @internal Made by `Volume.fs()` and `VolumeHandle.fs()`.
   *
   * @param volumeName Name of the volume, used in error messages.
   * @param root Host directory of the volume, `<home>/volumes/<name>/`.
   * @param kind Volume kind. For `"disk"` every method rejects.
   */
  constructor(volumeName: string, root: string, kind: "dir" | "disk") {
    this.#volumeName = volumeName;
    this.#root = root;
    this.#kind = kind;
  }

  /**
   * Reads a whole file into memory. A symlink is followed as long as it
   * stays inside the volume. Files larger than 2 GiB are rejected before
   * any memory is allocated, because a guest can make a sparse file of any
   * size. Use {@linkcode VolumeFs.readStream} for those.
   *
   * @param path Volume path of the file.
   * @returns The file content.
   * @throws {InvalidPathError} If the path is invalid or a symlink leads
   * outside the volume.
   * @throws {PathNotFoundError} If the file does not exist.
   * @throws {IsADirectoryError} If the path is a directory.
   * @throws {NotADirectoryError} If a parent is not a directory.
   * @throws {UnsupportedError} If the volume is a disk volume, or the path is
   * a FIFO, socket or device.
   * @throws {PermissionDeniedError} If Deno lacks `--allow-read`.
   * @throws {IoError} If the file is larger than 2 GiB, its content does not
   * fit in memory, or the host file system fails.
   *
   * @example Read bytes
   * ```ts
   * import assert from "node:assert/strict";
   * import { VolumeFs } from "@msb/volumes";
   *
   * const root = await Deno.makeTempDir();
   * const fs = new VolumeFs("data", root, "dir");
   * await fs.write("blob.bin", new Uint8Array([1, 2, 3]));
   *
   * assert.deepEqual(await fs.read("blob.bin"), new Uint8Array([1, 2, 3]));
   * await Deno.remove(root, { recursive: true });
   * ```
   */
  async read(path: string): Promise<Uint8Array<ArrayBuffer>> {
    const { context, segments } = await this.#begin("read", path);
    return await readWholeFile(context, segments, MAX_READ_BYTES);
  }

  /**
   * Reads a whole file as UTF-8 text. Invalid UTF-8 is an error, not
   * replaced with U+FFFD, and a leading byte order mark is removed. Files
   * larger than 2^29 − 24 bytes (just under 512 MiB), the max length of a
   * V8 string, are rejected before they are read. Decode those with
   * {@linkcode VolumeFs.readStream} and a `TextDecoderStream`.
   *
   * @param path Volume path of the file.
   * @returns The decoded text.
   * @throws {IoError} If the content is not valid UTF-8, the file is too
   * large for one string, or the host file system fails.
   * @throws {InvalidPathError} If the path is invalid or a symlink leads
   * outside the volume.
   * @throws {PathNotFoundError} If the file does not exist.
   * @throws {IsADirectoryError} If the path is a directory.
   * @throws {NotADirectoryError} If a parent is not a directory.
   * @throws {UnsupportedError} If the volume is a disk volume, or the path is
   * a FIFO, socket or device.
   * @throws {PermissionDeniedError} If Deno lacks `--allow-read`.
   *
   * @example Read text
   * ```ts
   * import assert from "node:assert/strict";
   * import { VolumeFs } from "@msb/volumes";
   *
   * const root = await Deno.makeTempDir();
   * const fs = new VolumeFs("data", root, "dir");
   * await fs.write("hello.txt", "grüße");
   *
   * assert.equal(await fs.readToString("hello.txt"), "grüße");
   * await Deno.remove(root, { recursive: true });
   * ```
   */
  async readToString(path: string): Promise<string> {
    const { context, segments } = await this.#begin("readToString", path);
    const bytes = await readWholeFile(context, segments, MAX_STRING_BYTES);
    return decodeUtf8(context, bytes);
  }

  /**
   * Opens a file for reading in chunks of 1 MiB, of which only the last is
   * shorter.
   * The file is checked and opened before this resolves, and later chunks
   * come from that open file even if the path is replaced.
   *
   * @param path Volume path of the file.
   * @returns A stream over the file content. Dispose of it, or read it to
   * the end, to close the file.
   * @throws {InvalidPathError} If the path is invalid or a symlink leads
   * outside the volume.
   * @throws {PathNotFoundError} If the file does not exist.
   * @throws {IsADirectoryError} If the path is a directory.
   * @throws {NotADirectoryError} If a parent is not a directory.
   * @throws {UnsupportedError} If the volume is a disk volume, or the path is
   * a FIFO, socket or device.
   * @throws {PermissionDeniedError} If Deno lacks `--allow-read`.
   * @throws {IoError} If the host file system fails.
   *
   * @example Read chunk by chunk
   * ```ts
   * import assert from "node:assert/strict";
   * import { VolumeFs } from "@msb/volumes";
   *
   * const root = await Deno.makeTempDir();
   * const fs = new VolumeFs("data", root, "dir");
   * await fs.write("log.txt", "line 1\nline 2\n");
   *
   * await using stream = await fs.readStream("log.txt");
   * let size = 0;
   * for await (const chunk of stream) size += chunk.length;
   * assert.equal(size, 14);
   * await Deno.remove(root, { recursive: true });
   * ```
   */
  async readStream(path: string): Promise<VolumeFsReadStream> {
    const { context, segments } = await this.#begin("readStream", path);
    const opened = await openFileForReading(context, segments);
    return createReadStream(opened.file, context);
  }

  /**
   * Replaces a file atomically, creating missing parent directories.
   *
   * The content goes to a temporary sibling file
   * `.<name>.msb-tmp-<random>`, which is flushed with `fsync` and renamed
   * over the target, so a reader sees the old or the new content, never a
   * part. On failure the temporary file is removed and the old content
   * stays. A symlink at the target is replaced by a regular file, never
   * written through. A replaced regular file keeps its permission bits.
   *
   * @param path Volume path of the file.
   * @param data New content. A string is written as UTF-8.
   * @returns A promise that resolves once the new content is in place.
   * @throws {InvalidConfigError} If `data` is neither a Uint8Array nor a
   * string. Nothing is written then.
   * @throws {InvalidPathError} If the path is invalid or a symlink leads
   * outside the volume.
   * @throws {IsADirectoryError} If the path is a directory or the root.
   * @throws {NotADirectoryError} If a parent is not a directory.
   * @throws {PathNotFoundError} If a parent is a dangling symlink.
   * @throws {UnsupportedError} If the volume is a disk volume.
   * @throws {PermissionDeniedError} If Deno lacks `--allow-read` or
   * `--allow-write`.
   * @throws {IoError} If the host file system fails, for example when the
   * disk is full.
   *
   * @example Write text and bytes
   * ```ts
   * import assert from "node:assert/strict";
   * import { VolumeFs } from "@msb/volumes";
   *
   * const root = await Deno.makeTempDir();
   * const fs = new VolumeFs("data", root, "dir");
   * await fs.write("a/b/c.txt", "created with its parents");
   * await fs.write("a/b/c.bin", new Uint8Array([0, 255]));
   *
   * assert.equal(await fs.exists("a/b/c.txt"), true);
   * await Deno.remove(root, { recursive: true });
   * ```
   */
  async write(path: string, data: Uint8Array | string): Promise<void> {
    const { request, segments } = this.#parse("write", path);
    const bytes = toBytes(data, `data for ${describePath(request)}`);
    const context = await openContext(request);
    const file = await AtomicFile.create(context, segments);
    try {
      await file.write(bytes);
      await file.commit();
    } catch (err) {
      await file.abort();
      throw err;
    }
  }

  /**
   * Opens a file for writing in chunks, with the same atomic replacement as
   * {@linkcode VolumeFs.write}: the new content appears under its name only
   * when {@linkcode VolumeFsWriteSink.close} succeeds.
   *
   * @param path Volume path of the file.
   * @returns A sink for the new content. Close it to commit, or abort or
   * dispose of it to leave the old content.
   * @throws {InvalidPathError} If the path is invalid or a symlink leads
   * outside the volume.
   * @throws {IsADirectoryError} If the path is a directory or the root.
   * @throws {NotADirectoryError} If a parent is not a directory.
   * @throws {PathNotFoundError} If a parent is a dangling symlink.
   * @throws {UnsupportedError} If the volume is a disk volume.
   * @throws {PermissionDeniedError} If Deno lacks `--allow-read` or
   * `--allow-write`.
   * @throws {IoError} If the host file system fails.
   *
   * @example Write chunk by chunk
   * ```ts
   * import assert from "node:assert/strict";
   * import { VolumeFs } from "@msb/volumes";
   *
   * const root = await Deno.makeTempDir();
   * const fs = new VolumeFs("data", root, "dir");
   *
   * const sink = await fs.writeStream("out.csv");
   * await sink.write("id,name\n");
   * await sink.write("1,alpha\n");
   * await sink.close();
   *
   * assert.equal(await fs.readToString("out.csv"), "id,name\n1,alpha\n");
   * await Deno.remove(root, { recursive: true });
   * ```
   */
  async writeStream(path: string): Promise<VolumeFsWriteSink> {
    const { context, segments } = await this.#begin("writeStream", path);
    const file = await AtomicFile.create(context, segments);
    return createWriteSink(file, context);
  }

  /**
   * Lists the children of a directory, sorted by the UTF-8 bytes of their
   * names. Each entry is described by `lstat`, so a symlink is reported as
   * `"symlink"` and not followed. A symlink at `path` itself is followed
   * inside the volume.
   *
   * @param path Volume path of the directory, `""` or `"/"` for the root.
   * @returns The entries, with paths anchored at the normalized request:
   * `list("a")` returns `"a/x"`, and `list("")` returns `"x"`.
   * @throws {InvalidPathError} If the path is invalid or a symlink leads
   * outside the volume.
   * @throws {PathNotFoundError} If the directory does not exist.
   * @throws {NotADirectoryError} If the path or a parent is not a directory.
   * @throws {UnsupportedError} If the volume is a disk volume.
   * @throws {PermissionDeniedError} If Deno lacks `--allow-read`.
   * @throws {IoError} If the host file system fails, or the directory was
   * replaced during the call.
   *
   * @example List a directory
   * ```ts
   * import assert from "node:assert/strict";
   * import { VolumeFs } from "@msb/volumes";
   *
   * const root = await Deno.makeTempDir();
   * const fs = new VolumeFs("data", root, "dir");
   * await fs.write("logs/b.log", "b");
   * await fs.mkdir("logs/a");
   *
   * const entries = await fs.list("logs");
   * assert.deepEqual(entries.map((entry) => [entry.path, entry.kind]), [
   *   ["logs/a", "directory"],
   *   ["logs/b.log", "file"],
   * ]);
   * await Deno.remove(root, { recursive: true });
   * ```
   */
  async list(path: string): Promise<FsEntry[]> {
    const { context, segments } = await this.#begin("list", path);
    const directory = await resolve(context, segments, {
      followFinal: true,
      create: false,
    });
    const directoryInfo = directory.info;
    if (directoryInfo === null) {
      throw notFoundError(context, directory.segments, directory.symlink);
    }
    if (!directoryInfo.isDirectory) throw notADirectory(context);
    await assertInsideRoot(context, directory.hostPath, "the directory");

    const names: string[] = [];
    try {
      for await (const entry of Deno.readDir(directory.hostPath)) {
        names.push(entry.name);
      }
    } catch (err) {
      throw mapFsError(err, context);
    }

    const found: { name: string; info: Deno.FileInfo }[] = [];
    for (let start = 0; start < names.length; start += LIST_BATCH_SIZE) {
      const batch = names.slice(start, start + LIST_BATCH_SIZE);
      const infos = await Promise.all(
        batch.map((name) =>
          lstatOrNull(context, joinHostPath(directory.hostPath, [name]))
        ),
      );
      infos.forEach((info, index) => {
        // An entry removed since readDir is left out.
        if (info !== null) found.push({ name: batch[index], info });
      });
    }

    // The entries were read through the path, so check that it still leads
    // to the same directory inside the root.
    await assertInsideRoot(context, directory.hostPath, "the directory");
    const after = await lstatOrNull(context, directory.hostPath);
    if (after === null || !isSameFile(after, directoryInfo)) {
      throw changedDuringCall(context, "the directory was replaced");
    }

    found.sort((a, b) => compareUtf8(a.name, b.name));
    const prefix = segments.length === 0 ? "" : `${segments.join("/")}/`;
    return found.map(({ name, info }) => ({
      path: prefix + name,
      kind: entryKind(info),
      size: info.size,
      mode: permissionBits(info),
      uid: info.uid ?? 0,
      gid: info.gid ?? 0,
      accessed: info.atime,
      modified: info.mtime,
    }));
  }

  /**
   * Creates a directory and its missing parents. An existing directory is
   * fine, and so is a symlink to a directory inside the volume.
   *
   * @param path Volume path of the directory.
   * @returns A promise that resolves once the directory exists.
   * @throws {PathAlreadyExistsError} If the path exists and is not a
   * directory.
   * @throws {InvalidPathError} If the path is invalid or a symlink leads
   * outside the volume.
   * @throws {NotADirectoryError} If a parent is not a directory.
   * @throws {PathNotFoundError} If the path or a parent is a dangling
   * symlink, which is not followed to create its target.
   * @throws {UnsupportedError} If the volume is a disk volume.
   * @throws {PermissionDeniedError} If Deno lacks `--allow-read` or
   * `--allow-write`.
   * @throws {IoError} If the host file system fails.
   *
   * @example Create nested directories
   * ```ts
   * import assert from "node:assert/strict";
   * import { VolumeFs } from "@msb/volumes";
   *
   * const root = await Deno.makeTempDir();
   * const fs = new VolumeFs("data", root, "dir");
   * await fs.mkdir("cache/pip/wheels");
   * await fs.mkdir("cache/pip");
   *
   * assert.equal((await fs.stat("cache/pip/wheels")).kind, "directory");
   * await Deno.remove(root, { recursive: true });
   * ```
   */
  async mkdir(path: string): Promise<void> {
    const { context, segments } = await this.#begin("mkdir", path);
    const location = await resolve(context, segments, {
      followFinal: true,
      create: true,
    });
    if (!location.info?.isDirectory) {
      throw new PathAlreadyExistsError(
        `Path ${quote(path)} already exists in volume ` +
          `${quote(this.#volumeName)} and is not a directory.`,
      );
    }
  }

  /**
   * Removes a directory and everything in it. Symlinks inside the directory
   * are removed, not followed.
   *
   * @param path Volume path of the directory.
   * @returns A promise that resolves once the directory is gone.
   * @throws {InvalidPathError} If the path is the volume root or invalid, or
   * a symlink of a parent leads outside the volume.
   * @throws {PathNotFoundError} If the directory does not exist.
   * @throws {NotADirectoryError} If the path is a file or a symlink, or a
   * parent is not a directory.
   * @throws {UnsupportedError} If the volume is a disk volume.
   * @throws {PermissionDeniedError} If Deno lacks `--allow-read` or
   * `--allow-write`.
   * @throws {IoError} If the host file system fails.
   *
   * @example Remove a directory tree
   * ```ts
   * import assert from "node:assert/strict";
   * import { VolumeFs } from "@msb/volumes";
   *
   * const root = await Deno.makeTempDir();
   * const fs = new VolumeFs("data", root, "dir");
   * await fs.write("build/out/app.js", "// generated");
   * await fs.removeDir("build");
   *
   * assert.equal(await fs.exists("build"), false);
   * await Deno.remove(root, { recursive: true });
   * ```
   */
  async removeDir(path: string): Promise<void> {
    const { context, segments } = await this.#begin("removeDir", path);
    if (segments.length === 0) {
      throw new InvalidPathError(
        `Invalid path ${quote(path)} in volume ${quote(this.#volumeName)}: ` +
          "the volume root cannot be removed, remove the volume instead.",
      );
    }
    const parent = await resolveParent(context, segments, false);
    const info = await lstatOrNull(context, parent.hostPath);
    if (info === null) throw notFoundError(context, segments, null);
    if (info.isSymlink) {
      throw new NotADirectoryError(
        `Path ${quote(path)} in volume ${quote(this.#volumeName)} is a ` +
          "symlink, not a directory: use remove() to delete the link.",
      );
    }
    if (!info.isDirectory) {
      throw new NotADirectoryError(
        `Path ${quote(path)} in volume ${quote(this.#volumeName)} is not a ` +
          "directory: use remove() to delete it.",
      );
    }

    const detached = await detachEntry(
      context,
      parent.directory.hostPath,
      parent.name,
      info,
      "del",
    );
    await removeDetachedEntry(context, detached);
  }

  /**
   * Removes a file or a symlink. A symlink itself is removed, never its
   * target.
   *
   * @param path Volume path of the file or symlink.
   * @returns A promise that resolves once the entry is gone.
   * @throws {IsADirectoryError} If the path is a directory or the root.
   * @throws {InvalidPathError} If the path is invalid, or a symlink of a
   * parent leads outside the volume.
   * @throws {PathNotFoundError} If nothing exists at the path.
   * @throws {NotADirectoryError} If a parent is not a directory.
   * @throws {UnsupportedError} If the volume is a disk volume.
   * @throws {PermissionDeniedError} If Deno lacks `--allow-read` or
   * `--allow-write`.
   * @throws {IoError} If the host file system fails.
   *
   * @example Remove a file
   * ```ts
   * import assert from "node:assert/strict";
   * import { VolumeFs } from "@msb/volumes";
   *
   * const root = await Deno.makeTempDir();
   * const fs = new VolumeFs("data", root, "dir");
   * await fs.write("tmp.txt", "scratch");
   * await fs.remove("tmp.txt");
   *
   * assert.equal(await fs.exists("tmp.txt"), false);
   * await Deno.remove(root, { recursive: true });
   * ```
   */
  async remove(path: string): Promise<void> {
    const { context, segments } = await this.#begin("remove", path);
    if (segments.length === 0) {
      throw new IsADirectoryError(
        `Path ${quote(path)} in volume ${quote(this.#volumeName)} is the ` +
          "volume root, which is a directory and cannot be removed.",
      );
    }
    const parent = await resolveParent(context, segments, false);
    const info = await lstatOrNull(context, parent.hostPath);
    if (info === null) throw notFoundError(context, segments, null);
    if (info.isDirectory) {
      throw new IsADirectoryError(
        `Path ${quote(path)} in volume ${quote(this.#volumeName)} is a ` +
          "directory: use removeDir() to remove it.",
      );
    }

    const detached = await detachEntry(
      context,
      parent.directory.hostPath,
      parent.name,
      info,
      "del",
    );
    await removeDetachedEntry(context, detached);
  }

  /**
   * Copies a regular file, replacing the destination atomically as
   * {@linkcode VolumeFs.write} does and creating its missing parents. A
   * symlink at `from` is followed inside the volume, and a symlink at `to`
   * is replaced. The copy gets the permission bits of the source, masked by
   * the process umask. Directories are not copied.
   *
   * @param from Volume path of the source file.
   * @param to Volume path of the destination file.
   * @returns A promise that resolves once the copy is in place.
   * @throws {IsADirectoryError} If `from` or `to` is a directory.
   * @throws {InvalidPathError} If a path is invalid or a symlink leads
   * outside the volume.
   * @throws {PathNotFoundError} If the source does not exist.
   * @throws {NotADirectoryError} If a parent is not a directory.
   * @throws {UnsupportedError} If the volume is a disk volume, or the source
   * is a FIFO, socket or device.
   * @throws {PermissionDeniedError} If Deno lacks `--allow-read` or
   * `--allow-write`.
   * @throws {IoError} If the host file system fails.
   *
   * @example Copy a file
   * ```ts
   * import assert from "node:assert/strict";
   * import { VolumeFs } from "@msb/volumes";
   *
   * const root = await Deno.makeTempDir();
   * const fs = new VolumeFs("data", root, "dir");
   * await fs.write("config.toml", "port = 80");
   * await fs.copy("config.toml", "backup/config.toml");
   *
   * assert.equal(await fs.readToString("backup/config.toml"), "port = 80");
   * await Deno.remove(root, { recursive: true });
   * ```
   */
  async copy(from: string, to: string): Promise<void> {
    const { fromContext, fromSegments, toContext, toSegments } = await this
      .#beginPair("copy", from, to);
    const source = await openFileForReading(fromContext, fromSegments);
    try {
      const target = await AtomicFile.create(
        toContext,
        toSegments,
        permissionBits(source.info),
      );
      try {
        const buffer = new Uint8Array(READ_CHUNK_SIZE);
        while (true) {
          const count = await readFull(source.file, buffer).catch((err) => {
            throw mapFsError(err, fromContext);
          });
          if (count === 0) break;
          await target.write(buffer.subarray(0, count));
          if (count < buffer.length) break;
        }
        await target.commit();
      } catch (err) {
        await target.abort();
        throw err;
      }
    } finally {
      source.file.close();
    }
  }

  /**
   * Renames a file, directory or symlink, replacing the destination where
   * the host allows it, and creating the missing parents of `to`. Neither
   * path's final symlink is followed, so the link itself is moved or
   * replaced.
   *
   * @param from Volume path of the entry to move.
   * @param to New volume path of the entry.
   * @returns A promise that resolves once the entry has its new name.
   * @throws {InvalidPathError} If a path is invalid or the root, a symlink
   * of a parent leads outside the volume, or `to` is inside `from`.
   * @throws {PathNotFoundError} If `from` does not exist.
   * @throws {IsADirectoryError} If `to` is a directory and `from` is not.
   * @throws {NotADirectoryError} If `from` is a directory and `to` exists
   * and is not, or a parent is not a directory.
   * @throws {UnsupportedError} If the volume is a disk volume.
   * @throws {PermissionDeniedError} If Deno lacks `--allow-read` or
   * `--allow-write`.
   * @throws {IoError} If the host file system fails, for example when `to`
   * is a directory that is not empty.
   *
   * @example Rename a file
   * ```ts
   * import assert from "node:assert/strict";
   * import { VolumeFs } from "@msb/volumes";
   *
   * const root = await Deno.makeTempDir();
   * const fs = new VolumeFs("data", root, "dir");
   * await fs.write("draft.md", "# Notes");
   * await fs.rename("draft.md", "docs/notes.md");
   *
   * assert.equal(await fs.exists("draft.md"), false);
   * assert.equal(await fs.readToString("docs/notes.md"), "# Notes");
   * await Deno.remove(root, { recursive: true });
   * ```
   */
  async rename(from: string, to: string): Promise<void> {
    const { fromContext, fromSegments, toContext, toSegments } = await this
      .#beginPair("rename", from, to);
    if (fromSegments.length === 0 || toSegments.length === 0) {
      throw new InvalidPathError(
        `Cannot rename ${quote(from)} to ${quote(to)} in volume ` +
          `${quote(this.#volumeName)}: the volume root cannot be renamed ` +
          "or replaced.",
      );
    }
    if (isStrictPrefix(fromSegments, toSegments)) {
      throw moveIntoItself(fromContext, to);
    }

    const source = await resolveParent(fromContext, fromSegments, false);
    const sourceInfo = await lstatOrNull(fromContext, source.hostPath);
    if (sourceInfo === null) {
      throw notFoundError(fromContext, fromSegments, null);
    }
    const target = await resolveParent(toContext, toSegments, true);
    const targetInfo = await lstatOrNull(toContext, target.hostPath);
    if (targetInfo !== null && isSameFile(targetInfo, sourceInfo)) {
      // The same entry, or two hard links to one file, where rename(2) does
      // nothing.
      return;
    }
    if (
      sourceInfo.isDirectory &&
      isStrictPrefix(
        [...source.directory.segments, source.name],
        [...target.directory.segments, target.name],
      )
    ) {
      throw moveIntoItself(fromContext, to);
    }
    if (targetInfo?.isDirectory && !sourceInfo.isDirectory) {
      throw new IsADirectoryError(
        `Cannot rename ${quote(from)} to ${quote(to)} in volume ` +
          `${quote(this.#volumeName)}: the destination is a directory.`,
      );
    }
    if (targetInfo && !targetInfo.isDirectory && sourceInfo.isDirectory) {
      throw new NotADirectoryError(
        `Cannot rename directory ${quote(from)} to ${quote(to)} in volume ` +
          `${quote(this.#volumeName)}: the destination is not a directory.`,
      );
    }

    const detached = await detachEntry(
      fromContext,
      source.directory.hostPath,
      source.name,
      sourceInfo,
      "mv",
    );
    await moveDetachedEntry(
      { ...fromContext, destination: to },
      detached,
      target.directory.hostPath,
      target.name,
    );
  }

  /**
   * Describes a path with `lstat` semantics, so a symlink in the final
   * component is described itself, not followed. Symlinks of the parents
   * are followed inside the volume.
   *
   * @param path Volume path to describe, `""` or `"/"` for the root.
   * @returns The metadata of the entry.
   * @throws {InvalidPathError} If the path is invalid, or a symlink of a
   * parent leads outside the volume.
   * @throws {PathNotFoundError} If nothing exists at the path.
   * @throws {NotADirectoryError} If a parent is not a directory.
   * @throws {UnsupportedError} If the volume is a disk volume.
   * @throws {PermissionDeniedError} If Deno lacks `--allow-read`.
   * @throws {IoError} If the host file system fails.
   *
   * @example Describe a file
   * ```ts
   * import assert from "node:assert/strict";
   * import { VolumeFs } from "@msb/volumes";
   *
   * const root = await Deno.makeTempDir();
   * const fs = new VolumeFs("data", root, "dir");
   * await fs.write("model.bin", new Uint8Array(1024));
   *
   * const metadata = await fs.stat("model.bin");
   * assert.equal(metadata.kind, "file");
   * assert.equal(metadata.size, 1024);
   * await Deno.remove(root, { recursive: true });
   * ```
   */
  async stat(path: string): Promise<FsMetadata> {
    const { context, segments } = await this.#begin("stat", path);
    return toMetadata(await statEntry(context, segments));
  }

  /**
   * Checks whether a path exists, with the `lstat` semantics of
   * {@linkcode VolumeFs.stat}, so a dangling symlink exists.
   *
   * @param path Volume path to check.
   * @returns False where `stat` would raise {@linkcode PathNotFoundError} or
   * {@linkcode NotADirectoryError}, true where it would succeed.
   * @throws {InvalidPathError} If the path is invalid, or a symlink of a
   * parent leads outside the volume. An invalid path is an error, not a
   * missing path.
   * @throws {UnsupportedError} If the volume is a disk volume.
   * @throws {PermissionDeniedError} If Deno lacks `--allow-read`.
   * @throws {IoError} If the host file system fails.
   *
   * @example Check for a file
   * ```ts
   * import assert from "node:assert/strict";
   * import { VolumeFs } from "@msb/volumes";
   *
   * const root = await Deno.makeTempDir();
   * const fs = new VolumeFs("data", root, "dir");
   *
   * assert.equal(await fs.exists("missing.txt"), false);
   * await fs.write("present.txt", "");
   * assert.equal(await fs.exists("present.txt"), true);
   * await Deno.remove(root, { recursive: true });
   * ```
   */
  async exists(path: string): Promise<boolean> {
    const { context, segments } = await this.#begin("exists", path);
    try {
      await statEntry(context, segments);
      return true;
    } catch (err) {
      if (err instanceof PathNotFoundError) return false;
      if (err instanceof NotADirectoryError) return false;
      throw err;
    }
  }

  // Checks the volume kind and the path, and resolves the real root.
  async #begin(
    operation: FsOperation,
    path: string,
  ): Promise<{ context: FsContext; segments: string[] }> {
    const { request, segments } = this.#parse(operation, path);
    return { context: await openContext(request), segments };
  }

  // Checks the volume kind and the path without touching the file system.
  #parse(
    operation: FsOperation,
    path: string,
  ): { request: FsRequest; segments: string[] } {
    this.#assertDirVolume(operation);
    const segments = parseRequestPath(this.#volumeName, path);
    const request = {
      volumeName: this.#volumeName,
      root: this.#root,
      path,
      operation,
    };
    return { request, segments };
  }

  // Like #begin for the two paths of copy and rename. Both paths are parsed
  // before the file system is touched.
  async #beginPair(operation: FsOperation, from: string, to: string): Promise<{
    fromContext: FsContext;
    fromSegments: string[];
    toContext: FsContext;
    toSegments: string[];
  }> {
    this.#assertDirVolume(operation);
    const fromSegments = parseRequestPath(this.#volumeName, from);
    const toSegments = parseRequestPath(this.#volumeName, to);
    const fromContext = await openContext({
      volumeName: this.#volumeName,
      root: this.#root,
      path: from,
      operation,
    });
    const toContext = { ...fromContext, path: to };
    return { fromContext, fromSegments, toContext, toSegments };
  }

  #assertDirVolume(operation: FsOperation): void {
    if (this.#kind === "dir") return;
    throw new UnsupportedError(
      `VolumeFs.${operation}() is not supported for volume ` +
        `${quote(this.#volumeName)}: it is a disk volume, and the files of a ` +
        "disk volume live inside its ext4 image. Mount the volume in a " +
        "sandbox to reach its files.",
    );
  }
}

// Runs `lstat` on the final component, after following the symlinks of the
// parents inside the root.
async function statEntry(
  context: FsContext,
  segments: readonly string[],
): Promise<Deno.FileInfo> {
  if (segments.length === 0) {
    const info = await lstatOrNull(context, context.realRoot);
    if (info === null) throw notFoundError(context, segments, null);
    return info;
  }
  const parent = await resolveParent(context, segments, false);
  const info = await lstatOrNull(context, parent.hostPath);
  if (info === null) {
    throw notFoundError(context, segments, parent.directory.symlink);
  }
  await assertInsideRoot(
    context,
    parent.directory.hostPath,
    "the parent directory",
  );
  return info;
}

function entryKind(info: Deno.FileInfo): FsEntryKind {
  if (info.isSymlink) return "symlink";
  if (info.isFile) return "file";
  if (info.isDirectory) return "directory";
  return "other";
}

function permissionBits(info: Deno.FileInfo): number {
  return (info.mode ?? 0) & 0o7777;
}

function toMetadata(info: Deno.FileInfo): FsMetadata {
  const mode = permissionBits(info);
  return {
    kind: entryKind(info),
    size: info.size,
    mode,
    uid: info.uid ?? 0,
    gid: info.gid ?? 0,
    readonly: (mode & 0o222) === 0,
    accessed: info.atime,
    modified: info.mtime,
    created: info.birthtime,
  };
}

function notADirectory(context: FsRequest): NotADirectoryError {
  return new NotADirectoryError(
    `Path ${quote(context.path)} in volume ${quote(context.volumeName)} ` +
      "is not a directory.",
  );
}

function isStrictPrefix(
  prefix: readonly string[],
  segments: readonly string[],
): boolean {
  return prefix.length < segments.length &&
    prefix.every((segment, index) => segments[index] === segment);
}

function moveIntoItself(context: FsRequest, to: string): InvalidPathError {
  return new InvalidPathError(
    `Cannot rename ${quote(context.path)} to ${quote(to)} in volume ` +
      `${quote(context.volumeName)}: a directory cannot be moved into ` +
      "itself.",
  );
}
