/**
 * The contract between the public volume classes and a storage backend.
 *
 * @module
 */

import type { Label, VolumeConfig, VolumeKind } from "../config.ts";
import type { VolumeFs } from "../fs.ts";

/**
 * Location of a backend's volumes: this host (`local`) or a microsandbox
 * cloud service (`cloud`).
 *
 * @example Read the kind of a backend
 * ```ts
 * import assert from "node:assert/strict";
 * import { type BackendKind, CloudBackend, LocalBackend } from "@msb/volumes";
 *
 * // Making a LocalBackend reads and creates nothing on disk.
 * const kinds: BackendKind[] = [
 *   new LocalBackend({ home: "/tmp/msb-unused" }).kind,
 *   new CloudBackend().kind,
 * ];
 * assert.deepEqual(kinds, ["local", "cloud"]);
 * ```
 */
export type BackendKind = "local" | "cloud";

/**
 * Everything that a backend reports about one volume. {@linkcode Volume}
 * and {@linkcode VolumeHandle} wrap it.
 *
 * @example Read a volume from a backend
 * ```ts
 * import assert from "node:assert/strict";
 * import { LocalBackend, type VolumeInfo } from "@msb/volumes";
 *
 * const home = await Deno.makeTempDir();
 * const backend = new LocalBackend({ home });
 * await backend.createVolume({ name: "cache", quotaMib: 64 });
 *
 * const info: VolumeInfo = await backend.getVolume("cache");
 * assert.equal(info.kind, "dir");
 * assert.equal(info.capacityBytes, 64 * 1024 * 1024);
 *
 * backend.close();
 * await Deno.remove(home, { recursive: true });
 * ```
 */
export interface VolumeInfo {
  /** Volume name. */
  readonly name: string;
  /** Volume kind. */
  readonly kind: VolumeKind;
  /** Host directory of the volume. */
  readonly path: string;
  /** Quota of a `dir` volume in MiB, or `null`. */
  readonly quotaMib: number | null;
  /**
   * Capacity in bytes: the image size of a `disk` volume, the quota of a
   * `dir` volume, or `null` for a `dir` volume without a quota.
   */
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
  /**
   * Bytes that the volume occupies on the host when it was measured:
   * allocated blocks, symlinks not followed, hard links counted once.
   * `NaN` when a scan was asked not to measure usage.
   */
  readonly usedBytes: number;
}

/**
 * Options of a create operation.
 *
 * @example Report format progress
 * ```ts
 * import assert from "node:assert/strict";
 * import { type CreateOptions, LocalBackend, VolumeBuilder } from "@msb/volumes";
 *
 * const home = await Deno.makeTempDir();
 * const backend = new LocalBackend({ home });
 * let percent = 0;
 * const options: CreateOptions = {
 *   onProgress: (doneBytes, totalBytes) => {
 *     percent = Math.floor((100 * doneBytes) / totalBytes);
 *   },
 * };
 * await new VolumeBuilder("img", backend).disk().size(64).create(options);
 * assert.equal(percent, 100);
 *
 * backend.close();
 * await Deno.remove(home, { recursive: true });
 * ```
 */
export interface CreateOptions {
  /**
   * Called while a `disk` volume is formatted, with the image bytes
   * processed so far and the total; not called for a `dir` volume.
   */
  readonly onProgress?: (doneBytes: number, totalBytes: number) => void;
}

/**
 * Options of a remove operation.
 *
 * @example Remove a volume that is in use
 * ```ts
 * import assert from "node:assert/strict";
 * import {
 *   LocalBackend,
 *   type RemoveOptions,
 *   VolumeInUseError,
 * } from "@msb/volumes";
 *
 * const home = await Deno.makeTempDir();
 * const backend = new LocalBackend({ home });
 * await backend.createVolume({ name: "work" });
 * using _lock = await backend.lockVolume("work");
 *
 * await assert.rejects(backend.removeVolume("work"), VolumeInUseError);
 * const options: RemoveOptions = { force: true };
 * await backend.removeVolume("work", options);
 *
 * backend.close();
 * await Deno.remove(home, { recursive: true });
 * ```
 */
export interface RemoveOptions {
  /**
   * Remove the volume even when a process holds its lock.
   *
   * @default {false}
   */
  readonly force?: boolean;
}

/**
 * Options of {@linkcode VolumeBackend.lockVolume}.
 *
 * @example An exclusive lock excludes every other holder
 * ```ts
 * import assert from "node:assert/strict";
 * import { LocalBackend, type LockOptions, VolumeInUseError } from "@msb/volumes";
 *
 * const home = await Deno.makeTempDir();
 * const backend = new LocalBackend({ home });
 * await backend.createVolume({ name: "work" });
 *
 * const options: LockOptions = { exclusive: true };
 * using lock = await backend.lockVolume("work", options);
 * assert.equal(lock.exclusive, true);
 * await assert.rejects(backend.lockVolume("work"), VolumeInUseError);
 *
 * backend.close();
 * await Deno.remove(home, { recursive: true });
 * ```
 */
export interface LockOptions {
  /**
   * Take an exclusive lock instead of a shared one. Several processes may
   * share a volume; an exclusive holder excludes every other.
   *
   * @default {false}
   */
  readonly exclusive?: boolean;
  /**
   * Wait for a conflicting lock to be released instead of failing with
   * `VolumeInUseError`.
   *
   * @default {false}
   */
  readonly wait?: boolean;
}

/**
 * A held volume lock. Release it with {@linkcode VolumeLock.release}, or let
 * `using` / `await using` release it. The operating system releases it too
 * when the process exits.
 *
 * @example Hold a shared lock, then release it
 * ```ts
 * import assert from "node:assert/strict";
 * import { LocalBackend, type VolumeLock } from "@msb/volumes";
 *
 * const home = await Deno.makeTempDir();
 * const backend = new LocalBackend({ home });
 * await backend.createVolume({ name: "work" });
 *
 * const lock: VolumeLock = await backend.lockVolume("work");
 * assert.equal(lock.name, "work");
 * assert.equal(lock.exclusive, false);
 * lock.release();
 * await backend.removeVolume("work");
 *
 * backend.close();
 * await Deno.remove(home, { recursive: true });
 * ```
 */
export interface VolumeLock extends Disposable, AsyncDisposable {
  /** Name of the locked volume. */
  readonly name: string;
  /** Whether the lock is exclusive. */
  readonly exclusive: boolean;
  /** Releases the lock; later calls do nothing. */
  release(): void;
}

/**
 * Kind of state that an interrupted operation or another tool can leave in
 * a home. Prune removes the first five kinds, the leftovers of this
 * module's own operations, and keeps the rest:
 *
 * - `staging-directory`: a volume whose creation did not finish;
 * - `removing-directory`: a volume whose removal did not finish;
 * - `interrupted-create`: a volume directory moved into place by a create
 *   that stopped before it recorded the row;
 * - `interrupted-remove`: a volume directory whose row a remove deleted
 *   before it stopped;
 * - `row-without-directory`: a database row with no volume directory,
 *   whose data is gone already;
 * - `directory-without-row`: a volume directory with no row and no record
 *   of an interrupted operation, as after the database was replaced. It may
 *   hold data, so prune keeps it;
 * - `invalid-row`: a database row whose name breaks the name rules, which
 *   another tool wrote;
 * - `unknown-entry`: an entry of `<home>/volumes` that this module did not
 *   make.
 *
 * @example Count leftovers by kind
 * ```ts
 * import assert from "node:assert/strict";
 * import { type LeftoverKind, LocalBackend } from "@msb/volumes";
 *
 * const home = await Deno.makeTempDir();
 * const backend = new LocalBackend({ home });
 * await backend.createVolume({ name: "fine" });
 * await Deno.mkdir(`${home}/volumes/stray`);
 *
 * const counts = new Map<LeftoverKind, number>();
 * for (const leftover of (await backend.scanVolumes()).leftovers) {
 *   counts.set(leftover.kind, (counts.get(leftover.kind) ?? 0) + 1);
 * }
 * assert.deepEqual([...counts], [["directory-without-row", 1]]);
 *
 * backend.close();
 * await Deno.remove(home, { recursive: true });
 * ```
 */
export type LeftoverKind =
  | "staging-directory"
  | "removing-directory"
  | "interrupted-create"
  | "interrupted-remove"
  | "row-without-directory"
  | "directory-without-row"
  | "invalid-row"
  | "unknown-entry";

/**
 * State left behind by an interrupted operation or another tool.
 *
 * @example Describe the leftovers of a home
 * ```ts
 * import assert from "node:assert/strict";
 * import { type Leftover, LocalBackend } from "@msb/volumes";
 *
 * const home = await Deno.makeTempDir();
 * const backend = new LocalBackend({ home });
 * await backend.createVolume({ name: "fine" });
 * await Deno.mkdir(`${home}/volumes/stray`);
 *
 * const [leftover]: readonly Leftover[] = (await backend.scanVolumes()).leftovers;
 * assert.equal(leftover.name, "stray");
 * assert.equal(leftover.path, `${home}/volumes/stray`);
 * assert.equal(leftover.prunable, false);
 * assert.match(leftover.description, /no database row/);
 *
 * backend.close();
 * await Deno.remove(home, { recursive: true });
 * ```
 */
export interface Leftover {
  /** Kind of the leftover. */
  readonly kind: LeftoverKind;
  /** Volume name that it belongs to, or `null` when none can be derived. */
  readonly name: string | null;
  /** Host path of the leftover, or `null` for a database row. */
  readonly path: string | null;
  /** Whether prune removes it (once no operation on it is running). */
  readonly prunable: boolean;
  /**
   * Whether another process is creating or removing this volume right now,
   * so the leftover may vanish or complete by itself.
   */
  readonly inProgress: boolean;
  /** One or two sentences that describe it and the action to take. */
  readonly description: string;
}

/**
 * Options of a prune operation.
 *
 * @example Preview which labelled volumes would go
 * ```ts
 * import assert from "node:assert/strict";
 * import { LocalBackend, type PruneOptions } from "@msb/volumes";
 *
 * const home = await Deno.makeTempDir();
 * const backend = new LocalBackend({ home });
 * await backend.createVolume({ name: "tmp-1", labels: [["tmp", "yes"]] });
 * await backend.createVolume({ name: "keep" });
 *
 * const options: PruneOptions = { dryRun: true, labels: [["tmp", null]] };
 * const report = await backend.prune(options);
 * assert.deepEqual(report.volumes, ["tmp-1"]);
 * assert.equal((await backend.scanVolumes()).volumes.length, 2);
 *
 * backend.close();
 * await Deno.remove(home, { recursive: true });
 * ```
 */
export interface PruneOptions {
  /**
   * Report what would be removed without removing anything.
   *
   * @default {false}
   */
  readonly dryRun?: boolean;
  /**
   * Also remove complete volumes whose labels match every filter and that
   * no process holds a lock on. A filter `[key, null]` matches any value of
   * the key. Without filters, only leftovers are removed.
   *
   * @default {[]}
   */
  readonly labels?: ReadonlyArray<readonly [string, string | null]>;
}

/**
 * Report of a prune operation: what it found and, unless it was a dry run,
 * removed.
 *
 * @example Remove a leftover directory
 * ```ts
 * import assert from "node:assert/strict";
 * import { LocalBackend, type PruneReport } from "@msb/volumes";
 *
 * const home = await Deno.makeTempDir();
 * const backend = new LocalBackend({ home });
 * await backend.createVolume({ name: "fine" });
 * // What a create killed before it finished leaves behind.
 * await Deno.mkdir(`${home}/volumes/.staging-lost-0123456789abcdef`);
 *
 * const report: PruneReport = await backend.prune();
 * assert.equal(report.dryRun, false);
 * assert.deepEqual(report.leftovers.map((leftover) => leftover.name), ["lost"]);
 * assert.deepEqual(report.volumes, []);
 *
 * backend.close();
 * await Deno.remove(home, { recursive: true });
 * ```
 */
export interface PruneReport {
  /** Leftovers found (and removed unless it was a dry run). */
  readonly leftovers: ReadonlyArray<Leftover>;
  /** Names of unused volumes that matched the label filters. */
  readonly volumes: ReadonlyArray<string>;
  /** Names of volumes that matched the label filters but are in use. */
  readonly inUse: ReadonlyArray<string>;
  /**
   * Messages of the leftovers and volumes that could not be removed. Prune
   * goes on past each of them.
   */
  readonly errors: ReadonlyArray<string>;
  /** Whether anything was removed. */
  readonly dryRun: boolean;
}

/**
 * Options of a scan.
 *
 * @example List names without measuring usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { LocalBackend, type ScanOptions } from "@msb/volumes";
 *
 * const home = await Deno.makeTempDir();
 * const backend = new LocalBackend({ home });
 * await backend.createVolume({ name: "big" });
 * const options: ScanOptions = { measureUsage: false };
 * const { volumes } = await backend.scanVolumes(options);
 * assert.ok(Number.isNaN(volumes[0].usedBytes));
 *
 * backend.close();
 * await Deno.remove(home, { recursive: true });
 * ```
 */
export interface ScanOptions {
  /**
   * Measure `usedBytes` of each volume, which walks its whole tree. When
   * false, `usedBytes` is `NaN`.
   *
   * @default {true}
   */
  readonly measureUsage?: boolean;
}

/**
 * The result of listing a home: complete volumes and leftovers apart.
 *
 * @example List volumes and leftovers
 * ```ts
 * import assert from "node:assert/strict";
 * import { LocalBackend, type ScanResult } from "@msb/volumes";
 *
 * const home = await Deno.makeTempDir();
 * const backend = new LocalBackend({ home });
 * await backend.createVolume({ name: "fine" });
 * await Deno.mkdir(`${home}/volumes/stray`);
 *
 * const scan: ScanResult = await backend.scanVolumes();
 * assert.deepEqual(scan.volumes.map((volume) => volume.name), ["fine"]);
 * assert.equal(scan.leftovers.length, 1);
 *
 * backend.close();
 * await Deno.remove(home, { recursive: true });
 * ```
 */
export interface ScanResult {
  /** Complete volumes, newest first. */
  readonly volumes: ReadonlyArray<VolumeInfo>;
  /** Leftovers met while listing. */
  readonly leftovers: ReadonlyArray<Leftover>;
}

/**
 * A place where volumes live. The static methods of `Volume` go through
 * the default backend; every volume object keeps the backend that made it.
 * {@linkcode LocalBackend} and {@linkcode CloudBackend} implement it.
 *
 * @example Write code that works with any backend
 * ```ts
 * import assert from "node:assert/strict";
 * import { LocalBackend, type VolumeBackend } from "@msb/volumes";
 *
 * async function volumeNames(backend: VolumeBackend): Promise<string[]> {
 *   const { volumes } = await backend.scanVolumes();
 *   return volumes.map((volume) => volume.name);
 * }
 *
 * const home = await Deno.makeTempDir();
 * const backend = new LocalBackend({ home });
 * await backend.createVolume({ name: "cache" });
 * assert.deepEqual(await volumeNames(backend), ["cache"]);
 *
 * backend.close();
 * await Deno.remove(home, { recursive: true });
 * ```
 */
export interface VolumeBackend {
  /** Kind of storage that this backend keeps volumes in. */
  readonly kind: BackendKind;
  /**
   * Creates a volume.
   *
   * @param config Name, kind, size or quota, and labels.
   * @param options Progress callback for formatting a disk volume.
   * @returns The new volume.
   * @throws {InvalidConfigError} If a field breaks a rule.
   * @throws {VolumeAlreadyExistsError} If the name is taken.
   */
  createVolume(
    config: VolumeConfig,
    options?: CreateOptions,
  ): Promise<VolumeInfo>;
  /**
   * Returns one volume.
   *
   * @param name Volume name.
   * @returns The volume, its usage measured now.
   * @throws {VolumeNotFoundError} If no volume has the name.
   */
  getVolume(name: string): Promise<VolumeInfo>;
  /**
   * Returns every complete volume, newest first, and the leftovers met.
   *
   * @param options Whether to measure the usage of each volume.
   * @returns Volumes and leftovers apart.
   */
  scanVolumes(options?: ScanOptions): Promise<ScanResult>;
  /**
   * Removes a volume and its data.
   *
   * @param name Volume name.
   * @param options `force` removes a volume that a process holds locked.
   * @throws {VolumeNotFoundError} If no volume has the name.
   * @throws {VolumeInUseError} If a process holds its lock and `force` is
   * not set.
   */
  removeVolume(name: string, options?: RemoveOptions): Promise<void>;
  /**
   * Takes a lock that marks a volume as in use.
   *
   * @param name Volume name.
   * @param options `exclusive` and `wait`.
   * @returns The held lock.
   * @throws {VolumeNotFoundError} If no volume has the name.
   * @throws {VolumeInUseError} If a conflicting lock is held and `wait` is
   * not set.
   */
  lockVolume(name: string, options?: LockOptions): Promise<VolumeLock>;
  /**
   * Removes leftovers and, with label filters, unused volumes.
   *
   * @param options Dry run and label filters.
   * @returns What was found and removed.
   */
  prune(options?: PruneOptions): Promise<PruneReport>;
  /**
   * Returns the file API of a volume.
   *
   * @param info Volume that the API works on.
   * @returns File operations confined to the volume.
   */
  volumeFs(info: VolumeInfo): VolumeFs;
}
