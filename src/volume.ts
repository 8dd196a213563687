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
 * ```ts ignore
 * import { Volume } from "@msb/volumes";
 *
 * const volume = await Volume.builder("scratch").label("team", "ml").create();
 * await volume.fs().write("hello.txt", "hi");
 * for (const handle of await Volume.list()) console.log(handle.name);
 * await Volume.remove("scratch");
 * ```
 */
export class Volume {
  /** Volume name. */
  readonly name: string;
  /** Volume kind. */
  readonly kind: VolumeKind;
  /** Host directory of the volume. */
  readonly path: string;
  /** Quota of a `dir` volume in MiB, or `null`. */
  readonly quotaMib: number | null;
  /** Image size of a `disk` volume, or quota of a `dir` volume, in bytes. */
  readonly capacityBytes: number | null;
  /** Image format of a `disk` volume (`raw`), or `null`. */
  readonly diskFormat: string | null;
  /** File system inside a `disk` volume (`ext4`), or `null`. */
  readonly diskFstype: string | null;
  /** Path of the image of a `disk` volume, or `null`. */
  readonly diskPath: string | null;
  /** Labels as `[key, value]` pairs. */
  readonly labels: ReadonlyArray<Label>;
  /** Creation time. */
  readonly createdAt: Date;
  /** Kind of the backend that made the volume. */
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
   * @example
   * ```ts ignore
   * import { Volume } from "@msb/volumes";
   * const volume = await Volume.builder("cache").quota(1024).create();
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
   * @example
   * ```ts ignore
   * import { Volume } from "@msb/volumes";
   * await Volume.create({ name: "img", kind: "disk", sizeMib: 1024 });
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
   * @example
   * ```ts ignore
   * import { Volume } from "@msb/volumes";
   * const handle = await Volume.get("cache");
   * console.log(handle.usedBytes);
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
   * @example
   * ```ts ignore
   * import { Volume } from "@msb/volumes";
   * for (const handle of await Volume.list()) console.log(handle.name);
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
   * @example
   * ```ts ignore
   * import { Volume } from "@msb/volumes";
   * await Volume.remove("cache");
   * await Volume.remove("busy", { force: true });
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
   * ```ts ignore
   * import { Volume } from "@msb/volumes";
   * const preview = await Volume.prune({ dryRun: true, labels: [["tmp", null]] });
   * console.log(preview.volumes);
   * await Volume.prune({ labels: [["tmp", null]] });
   * ```
   *
   * @param options Dry run and label filters.
   * @returns What was found and removed.
   */
  static async prune(options?: PruneOptions): Promise<PruneReport> {
    return await getDefaultBackend().prune(options);
  }

  /**
   * Returns the file API of the volume's contents.
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
   * ```ts ignore
   * import { Volume } from "@msb/volumes";
   * const volume = await Volume.builder("work").create();
   * await using _lock = await volume.lock();
   * // ... attach the volume ...
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
 * @example
 * ```ts ignore
 * import { Volume } from "@msb/volumes";
 * const handle = await Volume.get("cache");
 * console.log(handle.kind, handle.usedBytes, handle.createdAt.toISOString());
 * await handle.remove();
 * ```
 */
export class VolumeHandle {
  /** Volume name. */
  readonly name: string;
  /** Volume kind. */
  readonly kind: VolumeKind;
  /** Host directory of the volume. */
  readonly path: string;
  /** Quota of a `dir` volume in MiB, or `null`. */
  readonly quotaMib: number | null;
  /**
   * Bytes that the volume occupies on the host: allocated blocks, not the
   * apparent length, so a sparse image counts only what it uses.
   */
  readonly usedBytes: number;
  /** Image size of a `disk` volume, or quota of a `dir` volume, in bytes. */
  readonly capacityBytes: number | null;
  /** Image format of a `disk` volume (`raw`), or `null`. */
  readonly diskFormat: string | null;
  /** File system inside a `disk` volume (`ext4`), or `null`. */
  readonly diskFstype: string | null;
  /** Path of the image of a `disk` volume, or `null`. */
  readonly diskPath: string | null;
  /** Labels as `[key, value]` pairs. */
  readonly labels: ReadonlyArray<Label>;
  /** Creation time. */
  readonly createdAt: Date;
  /** Kind of the backend that holds the volume. */
  readonly backendKind: BackendKind;
  readonly #backend: VolumeBackend;
  readonly #info: VolumeInfo;

  /**
   * Wraps what a backend reported; use {@linkcode Volume.get} or
   * {@linkcode Volume.list}.
   *
   * @param info Volume description from the backend.
   * @param backend Backend that holds it.
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
   * Returns the file API of the volume's contents.
   *
   * @returns File operations confined to the volume.
   */
  fs(): VolumeFs {
    return this.#backend.volumeFs(this.#info);
  }

  /**
   * Removes the volume and its data.
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
   * @param options `exclusive` and `wait`.
   * @returns The held lock.
   * @throws {VolumeInUseError} If a conflicting lock is held and `wait` is
   * not set.
   */
  async lock(options?: LockOptions): Promise<VolumeLock> {
    return await this.#backend.lockVolume(this.name, options);
  }
}
