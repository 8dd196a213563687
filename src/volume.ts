/**
 * The public volume classes: {@linkcode Volume}, made by create, and
 * {@linkcode VolumeHandle}, made by get and list.
 *
 * @module
 */

import { getDefaultBackend } from "./backend/default.ts";
import type {
  BackendKind,
  CreateOptions,
  LockOptions,
  PruneOptions,
  PruneReport,
  RemoveOptions,
  VolumeBackend,
  VolumeInfo,
  VolumeLock,
} from "./backend/types.ts";
import { VolumeBuilder } from "./builder.ts";
import type { Label, VolumeConfig, VolumeKind } from "./config.ts";
import type { VolumeFs } from "./fs.ts";

/**
 * A volume that was just created, and the entry point of the API: the
 * static methods work on the default backend (see
 * {@linkcode setDefaultBackend}).
 *
 * @example Create, use and remove a directory volume
 * ```ts
 * import assert from "node:assert/strict";
 * import { LocalBackend, setDefaultBackend, Volume } from "@msb/volumes";
 *
 * const home = await Deno.makeTempDir();
 * setDefaultBackend(new LocalBackend({ home }));
 * const volume = await Volume.builder("scratch").label("team", "ml").create();
 * await volume.fs().write("hello.txt", "hi");
 * const names = (await Volume.list()).map((handle) => handle.name);
 * assert.deepEqual(names, ["scratch"]);
 * await Volume.remove("scratch");
 *
 * await Deno.remove(home, { recursive: true });
 * ```
 */
export class Volume {
  /**
   * Volume name.
   *
   * @example Read the name
   * ```ts
   * import assert from "node:assert/strict";
   * import { LocalBackend, setDefaultBackend, Volume } from "@msb/volumes";
   *
   * const home = await Deno.makeTempDir();
   * setDefaultBackend(new LocalBackend({ home }));
   * const volume = await Volume.builder("cache").create();
   * assert.equal(volume.name, "cache");
   *
   * await Deno.remove(home, { recursive: true });
   * ```
   */
  readonly name: string;

  /**
   * Volume kind.
   *
   * @example Read the kind
   * ```ts
   * import assert from "node:assert/strict";
   * import { LocalBackend, setDefaultBackend, Volume } from "@msb/volumes";
   *
   * const home = await Deno.makeTempDir();
   * setDefaultBackend(new LocalBackend({ home }));
   * const volume = await Volume.builder("img").disk().size(64).create();
   * assert.equal(volume.kind, "disk");
   *
   * await Deno.remove(home, { recursive: true });
   * ```
   */
  readonly kind: VolumeKind;

  /**
   * Host directory of the volume.
   *
   * @example Find the host directory
   * ```ts
   * import assert from "node:assert/strict";
   * import { LocalBackend, setDefaultBackend, Volume } from "@msb/volumes";
   *
   * const home = await Deno.makeTempDir();
   * setDefaultBackend(new LocalBackend({ home }));
   * const volume = await Volume.builder("cache").create();
   * assert.equal(volume.path, `${home}/volumes/cache`);
   *
   * await Deno.remove(home, { recursive: true });
   * ```
   */
  readonly path: string;

  /**
   * Quota of a `dir` volume in MiB, or `null`.
   *
   * @example Read the quota
   * ```ts
   * import assert from "node:assert/strict";
   * import {
   *   gib,
   *   LocalBackend,
   *   setDefaultBackend,
   *   Volume,
   * } from "@msb/volumes";
   *
   * const home = await Deno.makeTempDir();
   * setDefaultBackend(new LocalBackend({ home }));
   * const volume = await Volume.builder("cache").quota(gib(1)).create();
   * assert.equal(volume.quotaMib, 1024);
   *
   * await Deno.remove(home, { recursive: true });
   * ```
   */
  readonly quotaMib: number | null;

  /**
   * Image size of a `disk` volume, or quota of a `dir` volume, in bytes.
   *
   * @example Read the capacity
   * ```ts
   * import assert from "node:assert/strict";
   * import { LocalBackend, setDefaultBackend, Volume } from "@msb/volumes";
   *
   * const home = await Deno.makeTempDir();
   * setDefaultBackend(new LocalBackend({ home }));
   * const volume = await Volume.builder("img").disk().size(64).create();
   * assert.equal(volume.capacityBytes, 64 * 1024 * 1024);
   *
   * await Deno.remove(home, { recursive: true });
   * ```
   */
  readonly capacityBytes: number | null;

  /**
   * Image format of a `disk` volume (`raw`), or `null`.
   *
   * @example Read the image format
   * ```ts
   * import assert from "node:assert/strict";
   * import { LocalBackend, setDefaultBackend, Volume } from "@msb/volumes";
   *
   * const home = await Deno.makeTempDir();
   * setDefaultBackend(new LocalBackend({ home }));
   * const volume = await Volume.builder("img").disk().size(64).create();
   * assert.equal(volume.diskFormat, "raw");
   *
   * await Deno.remove(home, { recursive: true });
   * ```
   */
  readonly diskFormat: string | null;

  /**
   * File system inside a `disk` volume (`ext4`), or `null`.
   *
   * @example Read the file system type
   * ```ts
   * import assert from "node:assert/strict";
   * import { LocalBackend, setDefaultBackend, Volume } from "@msb/volumes";
   *
   * const home = await Deno.makeTempDir();
   * setDefaultBackend(new LocalBackend({ home }));
   * const volume = await Volume.builder("img").disk().size(64).create();
   * assert.equal(volume.diskFstype, "ext4");
   *
   * await Deno.remove(home, { recursive: true });
   * ```
   */
  readonly diskFstype: string | null;

  /**
   * Path of the image of a `disk` volume, or `null`.
   *
   * @example Find the image
   * ```ts
   * import assert from "node:assert/strict";
   * import { LocalBackend, setDefaultBackend, Volume } from "@msb/volumes";
   *
   * const home = await Deno.makeTempDir();
   * setDefaultBackend(new LocalBackend({ home }));
   * const volume = await Volume.builder("img").disk().size(64).create();
   * assert.equal(volume.diskPath, `${home}/volumes/img/disk.raw`);
   *
   * await Deno.remove(home, { recursive: true });
   * ```
   */
  readonly diskPath: string | null;

  /**
   * Labels as `[key, value]` pairs.
   *
   * @example Read the labels
   * ```ts
   * import assert from "node:assert/strict";
   * import { LocalBackend, setDefaultBackend, Volume } from "@msb/volumes";
   *
   * const home = await Deno.makeTempDir();
   * setDefaultBackend(new LocalBackend({ home }));
   * const volume = await Volume.builder("cache").label("owner", "ci").create();
   * assert.deepEqual(volume.labels, [["owner", "ci"]]);
   *
   * await Deno.remove(home, { recursive: true });
   * ```
   */
  readonly labels: ReadonlyArray<Label>;

  /**
   * Creation time.
   *
   * @example Read the creation time
   * ```ts
   * import assert from "node:assert/strict";
   * import { LocalBackend, setDefaultBackend, Volume } from "@msb/volumes";
   *
   * const home = await Deno.makeTempDir();
   * setDefaultBackend(new LocalBackend({ home }));
   * const before = Date.now();
   * const volume = await Volume.builder("cache").create();
   * assert.ok(volume.createdAt.getTime() >= before - 1000);
   *
   * await Deno.remove(home, { recursive: true });
   * ```
   */
  readonly createdAt: Date;

  /**
   * Kind of the backend that made the volume.
   *
   * @example Read the backend kind
   * ```ts
   * import assert from "node:assert/strict";
   * import { LocalBackend, setDefaultBackend, Volume } from "@msb/volumes";
   *
   * const home = await Deno.makeTempDir();
   * setDefaultBackend(new LocalBackend({ home }));
   * const volume = await Volume.builder("cache").create();
   * assert.equal(volume.backendKind, "local");
   *
   * await Deno.remove(home, { recursive: true });
   * ```
   */
  readonly backendKind: BackendKind;
  readonly #backend: VolumeBackend;
  readonly #info: VolumeInfo;

  /**
   * Wraps what a backend reported; use the builder or the static methods.
   *
   * @param info Volume description from the backend.
   * @param backend Backend that made it.
   */
  constructor(info: VolumeInfo, backend: VolumeBackend) {
    this.#info = info;
    this.#backend = backend;
    this.name = info.name;
    this.kind = info.kind;
    this.path = info.path;
    this.quotaMib = info.quotaMib;
    this.capacityBytes = info.capacityBytes;
    this.diskFormat = info.diskFormat;
    this.diskFstype = info.diskFstype;
    this.diskPath = info.diskPath;
    this.labels = info.labels;
    this.createdAt = info.createdAt;
    this.backendKind = backend.kind;
  }

  /**
   * Starts the configuration of a new volume.
   *
   * @example Configure and create a volume
   * ```ts
   * import assert from "node:assert/strict";
   * import { LocalBackend, setDefaultBackend, Volume } from "@msb/volumes";
   *
   * const home = await Deno.makeTempDir();
   * setDefaultBackend(new LocalBackend({ home }));
   * const volume = await Volume.builder("cache").quota(1024).create();
   * assert.equal(volume.quotaMib, 1024);
   *
   * await Deno.remove(home, { recursive: true });
   * ```
   *
   * @param name Volume name: ASCII letters, digits, `.`, `-` and `_`,
   * starting with a letter or digit, at most 128 bytes.
   * @returns A builder.
   */
  static builder(name: string): VolumeBuilder {
    return new VolumeBuilder(name);
  }

  /**
   * Creates a volume from a plain configuration.
   *
   * @example Create from a plain configuration
   * ```ts
   * import assert from "node:assert/strict";
   * import { LocalBackend, setDefaultBackend, Volume } from "@msb/volumes";
   *
   * const home = await Deno.makeTempDir();
   * setDefaultBackend(new LocalBackend({ home }));
   * const volume = await Volume.create({
   *   name: "img",
   *   kind: "disk",
   *   sizeMib: 1024,
   * });
   * assert.equal(volume.capacityBytes, 1024 * 1024 * 1024);
   *
   * await Deno.remove(home, { recursive: true });
   * ```
   *
   * @param config Name, kind, size or quota, and labels.
   * @param options Progress callback for formatting a disk volume.
   * @returns The new volume.
   * @throws {InvalidConfigError} If a field breaks a rule.
   * @throws {VolumeAlreadyExistsError} If the name is taken.
   */
  static async create(
    config: VolumeConfig,
    options?: CreateOptions,
  ): Promise<Volume> {
    const backend = getDefaultBackend();
    return new Volume(await backend.createVolume(config, options), backend);
  }

  /**
   * Returns a handle on an existing volume, its usage measured now.
   *
   * @example Look a volume up by name
   * ```ts
   * import assert from "node:assert/strict";
   * import {
   *   LocalBackend,
   *   setDefaultBackend,
   *   Volume,
   *   VolumeNotFoundError,
   * } from "@msb/volumes";
   *
   * const home = await Deno.makeTempDir();
   * setDefaultBackend(new LocalBackend({ home }));
   * await Volume.builder("cache").create();
   * const handle = await Volume.get("cache");
   * assert.equal(handle.kind, "dir");
   * await assert.rejects(Volume.get("missing"), VolumeNotFoundError);
   *
   * await Deno.remove(home, { recursive: true });
   * ```
   *
   * @param name Volume name.
   * @returns The handle.
   * @throws {VolumeNotFoundError} If no volume has the name.
   */
  static async get(name: string): Promise<VolumeHandle> {
    const backend = getDefaultBackend();
    return new VolumeHandle(await backend.getVolume(name), backend);
  }

  /**
   * Lists every complete volume, newest first. Leftovers of interrupted
   * operations are not listed; {@linkcode Volume.prune} reports them.
   *
   * @example List volumes, newest first
   * ```ts
   * import assert from "node:assert/strict";
   * import { LocalBackend, setDefaultBackend, Volume } from "@msb/volumes";
   *
   * const home = await Deno.makeTempDir();
   * setDefaultBackend(new LocalBackend({ home }));
   * await Volume.builder("first").create();
   * await Volume.builder("second").create();
   * const names = (await Volume.list()).map((handle) => handle.name);
   * assert.deepEqual(names, ["second", "first"]);
   *
   * await Deno.remove(home, { recursive: true });
   * ```
   *
   * @returns Handles, newest first.
   */
  static async list(): Promise<VolumeHandle[]> {
    const backend = getDefaultBackend();
    const { volumes } = await backend.scanVolumes();
    return volumes.map((info) => new VolumeHandle(info, backend));
  }

  /**
   * Removes a volume and its data.
   *
   * @example Remove an unused and a locked volume
   * ```ts
   * import assert from "node:assert/strict";
   * import {
   *   LocalBackend,
   *   setDefaultBackend,
   *   Volume,
   *   VolumeInUseError,
   * } from "@msb/volumes";
   *
   * const home = await Deno.makeTempDir();
   * setDefaultBackend(new LocalBackend({ home }));
   * await Volume.builder("cache").create();
   * await Volume.remove("cache");
   *
   * const busy = await Volume.builder("busy").create();
   * using _lock = await busy.lock();
   * await assert.rejects(Volume.remove("busy"), VolumeInUseError);
   * await Volume.remove("busy", { force: true });
   * assert.deepEqual(await Volume.list(), []);
   *
   * await Deno.remove(home, { recursive: true });
   * ```
   *
   * @param name Volume name.
   * @param options `force` removes a volume that a process holds locked.
   * @throws {VolumeNotFoundError} If no volume has the name.
   * @throws {VolumeInUseError} If a process holds its lock and `force` is
   * not set.
   */
  static async remove(name: string, options?: RemoveOptions): Promise<void> {
    await getDefaultBackend().removeVolume(name, options);
  }

  /**
   * Removes leftovers of interrupted operations and, with label filters,
   * the unused volumes that match them.
   *
   * @example Preview, then prune volumes labelled `tmp`
   * ```ts
   * import assert from "node:assert/strict";
   * import { LocalBackend, setDefaultBackend, Volume } from "@msb/volumes";
   *
   * const home = await Deno.makeTempDir();
   * setDefaultBackend(new LocalBackend({ home }));
   * await Volume.builder("scratch").label("tmp", "1").create();
   * await Volume.builder("keep").create();
   *
   * const filters: [string, null][] = [["tmp", null]];
   * const preview = await Volume.prune({ dryRun: true, labels: filters });
   * assert.deepEqual(preview.volumes, ["scratch"]);
   * await Volume.prune({ labels: filters });
   * const names = (await Volume.list()).map((handle) => handle.name);
   * assert.deepEqual(names, ["keep"]);
   *
   * await Deno.remove(home, { recursive: true });
   * ```
   *
   * @param options Dry run and label filters.
   * @returns What was found and removed.
   */
  static async prune(options?: PruneOptions): Promise<PruneReport> {
    return await getDefaultBackend().prune(options);
  }

  /**
   * Returns the file API of the volume's contents. Only a `dir` volume
   * supports it; on a `disk` volume every method of the API rejects with
   * {@linkcode UnsupportedError}.
   *
   * @example Fill a volume before a sandbox starts
   * ```ts
   * import assert from "node:assert/strict";
   * import { LocalBackend, setDefaultBackend, Volume } from "@msb/volumes";
   *
   * const home = await Deno.makeTempDir();
   * setDefaultBackend(new LocalBackend({ home }));
   * const volume = await Volume.builder("site").create();
   * await volume.fs().write("index.html", "<h1>Hello</h1>");
   * const text = await Deno.readTextFile(`${volume.path}/index.html`);
   * assert.equal(text, "<h1>Hello</h1>");
   *
   * await Deno.remove(home, { recursive: true });
   * ```
   *
   * @returns File operations confined to the volume.
   */
  fs(): VolumeFs {
    return this.#backend.volumeFs(this.#info);
  }

  /**
   * Marks the volume as in use until the lock is released: remove fails
   * with `VolumeInUseError` meanwhile, unless forced.
   *
   * @example Hold the volume while a sandbox runs
   * ```ts
   * import assert from "node:assert/strict";
   * import {
   *   LocalBackend,
   *   setDefaultBackend,
   *   Volume,
   *   VolumeInUseError,
   * } from "@msb/volumes";
   *
   * const home = await Deno.makeTempDir();
   * setDefaultBackend(new LocalBackend({ home }));
   * const volume = await Volume.builder("work").create();
   * {
   *   await using _lock = await volume.lock();
   *   // ... attach the volume to a sandbox ...
   *   await assert.rejects(Volume.remove("work"), VolumeInUseError);
   * }
   * await Volume.remove("work");
   *
   * await Deno.remove(home, { recursive: true });
   * ```
   *
   * @param options `exclusive` and `wait`.
   * @returns The held lock.
   * @throws {VolumeInUseError} If a conflicting lock is held and `wait` is
   * not set.
   */
  async lock(options?: LockOptions): Promise<VolumeLock> {
    return await this.#backend.lockVolume(this.name, options);
  }
}

/**
 * An existing volume, as {@linkcode Volume.get} and {@linkcode Volume.list}
 * return it. `usedBytes` was measured when the handle was made.
 *
 * @example Inspect, then remove a volume
 * ```ts
 * import assert from "node:assert/strict";
 * import { LocalBackend, setDefaultBackend, Volume } from "@msb/volumes";
 *
 * const home = await Deno.makeTempDir();
 * setDefaultBackend(new LocalBackend({ home }));
 * await Volume.builder("cache").quota(64).create();
 * const handle = await Volume.get("cache");
 * assert.equal(handle.kind, "dir");
 * assert.equal(handle.capacityBytes, 64 * 1024 * 1024);
 * await handle.remove();
 *
 * await Deno.remove(home, { recursive: true });
 * ```
 */
export class VolumeHandle {
  /**
   * Volume name.
   *
   * @example Read the name
   * ```ts
   * import assert from "node:assert/strict";
   * import { LocalBackend, setDefaultBackend, Volume } from "@msb/volumes";
   *
   * const home = await Deno.makeTempDir();
   * setDefaultBackend(new LocalBackend({ home }));
   * await Volume.builder("cache").create();
   * const handle = await Volume.get("cache");
   * assert.equal(handle.name, "cache");
   *
   * await Deno.remove(home, { recursive: true });
   * ```
   */
  readonly name: string;

  /**
   * Volume kind.
   *
   * @example Read the kind
   * ```ts
   * import assert from "node:assert/strict";
   * import { LocalBackend, setDefaultBackend, Volume } from "@msb/volumes";
   *
   * const home = await Deno.makeTempDir();
   * setDefaultBackend(new LocalBackend({ home }));
   * await Volume.builder("img").disk().size(64).create();
   * const handle = await Volume.get("img");
   * assert.equal(handle.kind, "disk");
   *
   * await Deno.remove(home, { recursive: true });
   * ```
   */
  readonly kind: VolumeKind;

  /**
   * Host directory of the volume.
   *
   * @example Find the host directory
   * ```ts
   * import assert from "node:assert/strict";
   * import { LocalBackend, setDefaultBackend, Volume } from "@msb/volumes";
   *
   * const home = await Deno.makeTempDir();
   * setDefaultBackend(new LocalBackend({ home }));
   * await Volume.builder("cache").create();
   * const handle = await Volume.get("cache");
   * assert.equal(handle.path, `${home}/volumes/cache`);
   *
   * await Deno.remove(home, { recursive: true });
   * ```
   */
  readonly path: string;

  /**
   * Quota of a `dir` volume in MiB, or `null`.
   *
   * @example Read the quota
   * ```ts
   * import assert from "node:assert/strict";
   * import {
   *   gib,
   *   LocalBackend,
   *   setDefaultBackend,
   *   Volume,
   * } from "@msb/volumes";
   *
   * const home = await Deno.makeTempDir();
   * setDefaultBackend(new LocalBackend({ home }));
   * await Volume.builder("cache").quota(gib(1)).create();
   * const handle = await Volume.get("cache");
   * assert.equal(handle.quotaMib, 1024);
   *
   * await Deno.remove(home, { recursive: true });
   * ```
   */
  readonly quotaMib: number | null;

  /**
   * Bytes that the volume occupies on the host: allocated blocks, not the
   * apparent length, so a sparse image counts only what it uses.
   *
   * @example Measure a sparse image
   * ```ts
   * import assert from "node:assert/strict";
   * import { LocalBackend, setDefaultBackend, Volume } from "@msb/volumes";
   *
   * const home = await Deno.makeTempDir();
   * setDefaultBackend(new LocalBackend({ home }));
   * await Volume.builder("img").disk().size(1024).create();
   * const handle = await Volume.get("img");
   * // An empty 1 GiB image occupies only its ext4 metadata.
   * assert.ok(handle.usedBytes < 64 * 1024 * 1024);
   *
   * await Deno.remove(home, { recursive: true });
   * ```
   */
  readonly usedBytes: number;

  /**
   * Image size of a `disk` volume, or quota of a `dir` volume, in bytes.
   *
   * @example Read the capacity
   * ```ts
   * import assert from "node:assert/strict";
   * import { LocalBackend, setDefaultBackend, Volume } from "@msb/volumes";
   *
   * const home = await Deno.makeTempDir();
   * setDefaultBackend(new LocalBackend({ home }));
   * await Volume.builder("img").disk().size(64).create();
   * const handle = await Volume.get("img");
   * assert.equal(handle.capacityBytes, 64 * 1024 * 1024);
   *
   * await Deno.remove(home, { recursive: true });
   * ```
   */
  readonly capacityBytes: number | null;

  /**
   * Image format of a `disk` volume (`raw`), or `null`.
   *
   * @example Read the image format
   * ```ts
   * import assert from "node:assert/strict";
   * import { LocalBackend, setDefaultBackend, Volume } from "@msb/volumes";
   *
   * const home = await Deno.makeTempDir();
   * setDefaultBackend(new LocalBackend({ home }));
   * await Volume.builder("img").disk().size(64).create();
   * const handle = await Volume.get("img");
   * assert.equal(handle.diskFormat, "raw");
   *
   * await Deno.remove(home, { recursive: true });
   * ```
   */
  readonly diskFormat: string | null;

  /**
   * File system inside a `disk` volume (`ext4`), or `null`.
   *
   * @example Read the file system type
   * ```ts
   * import assert from "node:assert/strict";
   * import { LocalBackend, setDefaultBackend, Volume } from "@msb/volumes";
   *
   * const home = await Deno.makeTempDir();
   * setDefaultBackend(new LocalBackend({ home }));
   * await Volume.builder("img").disk().size(64).create();
   * const handle = await Volume.get("img");
   * assert.equal(handle.diskFstype, "ext4");
   *
   * await Deno.remove(home, { recursive: true });
   * ```
   */
  readonly diskFstype: string | null;

  /**
   * Path of the image of a `disk` volume, or `null`.
   *
   * @example Find the image
   * ```ts
   * import assert from "node:assert/strict";
   * import { LocalBackend, setDefaultBackend, Volume } from "@msb/volumes";
   *
   * const home = await Deno.makeTempDir();
   * setDefaultBackend(new LocalBackend({ home }));
   * await Volume.builder("img").disk().size(64).create();
   * const handle = await Volume.get("img");
   * assert.equal(handle.diskPath, `${home}/volumes/img/disk.raw`);
   *
   * await Deno.remove(home, { recursive: true });
   * ```
   */
  readonly diskPath: string | null;

  /**
   * Labels as `[key, value]` pairs.
   *
   * @example Read the labels
   * ```ts
   * import assert from "node:assert/strict";
   * import { LocalBackend, setDefaultBackend, Volume } from "@msb/volumes";
   *
   * const home = await Deno.makeTempDir();
   * setDefaultBackend(new LocalBackend({ home }));
   * await Volume.builder("cache").label("owner", "ci").create();
   * const handle = await Volume.get("cache");
   * assert.deepEqual(handle.labels, [["owner", "ci"]]);
   *
   * await Deno.remove(home, { recursive: true });
   * ```
   */
  readonly labels: ReadonlyArray<Label>;

  /**
   * Creation time.
   *
   * @example Read the creation time
   * ```ts
   * import assert from "node:assert/strict";
   * import { LocalBackend, setDefaultBackend, Volume } from "@msb/volumes";
   *
   * const home = await Deno.makeTempDir();
   * setDefaultBackend(new LocalBackend({ home }));
   * const before = Date.now();
   * await Volume.builder("cache").create();
   * const handle = await Volume.get("cache");
   * assert.ok(handle.createdAt.getTime() >= before - 1000);
   *
   * await Deno.remove(home, { recursive: true });
   * ```
   */
  readonly createdAt: Date;

  /**
   * Kind of the backend that stores the volume.
   *
   * @example Read the backend kind
   * ```ts
   * import assert from "node:assert/strict";
   * import { LocalBackend, setDefaultBackend, Volume } from "@msb/volumes";
   *
   * const home = await Deno.makeTempDir();
   * setDefaultBackend(new LocalBackend({ home }));
   * await Volume.builder("cache").create();
   * const handle = await Volume.get("cache");
   * assert.equal(handle.backendKind, "local");
   *
   * await Deno.remove(home, { recursive: true });
   * ```
   */
  readonly backendKind: BackendKind;
  readonly #backend: VolumeBackend;
  readonly #info: VolumeInfo;

  /**
   * Wraps what a backend reported; use {@linkcode Volume.get} or
   * {@linkcode Volume.list}.
   *
   * @param info Volume description from the backend.
   * @param backend Backend that contains the volume.
   */
  constructor(info: VolumeInfo, backend: VolumeBackend) {
    this.#info = info;
    this.#backend = backend;
    this.name = info.name;
    this.kind = info.kind;
    this.path = info.path;
    this.quotaMib = info.quotaMib;
    this.usedBytes = info.usedBytes;
    this.capacityBytes = info.capacityBytes;
    this.diskFormat = info.diskFormat;
    this.diskFstype = info.diskFstype;
    this.diskPath = info.diskPath;
    this.labels = info.labels;
    this.createdAt = info.createdAt;
    this.backendKind = backend.kind;
  }

  /**
   * Returns the file API of the volume's contents. Only a `dir` volume
   * supports it; on a `disk` volume every method of the API rejects with
   * {@linkcode UnsupportedError}.
   *
   * @example Read a file that a sandbox wrote
   * ```ts
   * import assert from "node:assert/strict";
   * import { LocalBackend, setDefaultBackend, Volume } from "@msb/volumes";
   *
   * const home = await Deno.makeTempDir();
   * setDefaultBackend(new LocalBackend({ home }));
   * await Volume.builder("logs").create();
   * await Deno.writeTextFile(`${home}/volumes/logs/run.log`, "done\n");
   * const handle = await Volume.get("logs");
   * assert.equal(await handle.fs().readToString("run.log"), "done\n");
   *
   * await Deno.remove(home, { recursive: true });
   * ```
   *
   * @returns File operations confined to the volume.
   */
  fs(): VolumeFs {
    return this.#backend.volumeFs(this.#info);
  }

  /**
   * Removes the volume and its data.
   *
   * @example Remove every volume labelled `tmp`
   * ```ts
   * import assert from "node:assert/strict";
   * import { LocalBackend, setDefaultBackend, Volume } from "@msb/volumes";
   *
   * const home = await Deno.makeTempDir();
   * setDefaultBackend(new LocalBackend({ home }));
   * await Volume.builder("scratch").label("tmp", "1").create();
   * await Volume.builder("keep").create();
   * for (const handle of await Volume.list()) {
   *   if (handle.labels.some(([key]) => key === "tmp")) await handle.remove();
   * }
   * const names = (await Volume.list()).map((handle) => handle.name);
   * assert.deepEqual(names, ["keep"]);
   *
   * await Deno.remove(home, { recursive: true });
   * ```
   *
   * @param options `force` removes it even while a process holds its lock.
   * @throws {VolumeNotFoundError} If it was removed meanwhile.
   * @throws {VolumeInUseError} If a process holds its lock and `force` is
   * not set.
   */
  async remove(options?: RemoveOptions): Promise<void> {
    await this.#backend.removeVolume(this.name, options);
  }

  /**
   * Marks the volume as in use until the lock is released.
   *
   * @example Take an exclusive lock
   * ```ts
   * import assert from "node:assert/strict";
   * import {
   *   LocalBackend,
   *   setDefaultBackend,
   *   Volume,
   *   VolumeInUseError,
   * } from "@msb/volumes";
   *
   * const home = await Deno.makeTempDir();
   * setDefaultBackend(new LocalBackend({ home }));
   * await Volume.builder("work").create();
   * const handle = await Volume.get("work");
   * using lock = await handle.lock({ exclusive: true });
   * assert.equal(lock.exclusive, true);
   * await assert.rejects(handle.lock(), VolumeInUseError);
   *
   * await Deno.remove(home, { recursive: true });
   * ```
   *
   * @param options `exclusive` and `wait`.
   * @returns The held lock.
   * @throws {VolumeInUseError} If a conflicting lock is held and `wait` is
   * not set.
   */
  async lock(options?: LockOptions): Promise<VolumeLock> {
    return await this.#backend.lockVolume(this.name, options);
  }
}
