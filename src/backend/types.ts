/**
 * The contract between the public volume classes and a storage backend.
 *
 * @module
 */

import type { Label, VolumeConfig, VolumeKind } from "../config.ts";
import type { VolumeFs } from "../fs.ts";

/** Where a backend keeps its volumes. */
export type BackendKind = "local" | "cloud";

/** Everything that a backend reports about one volume. */
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
   */
  readonly usedBytes: number;
}

/** Options of a create operation. */
export interface CreateOptions {
  /**
   * Called while a `disk` volume is formatted, with the image bytes
   * processed so far and the total; not called for a `dir` volume.
   */
  readonly onProgress?: (doneBytes: number, totalBytes: number) => void;
}

/** Options of a remove operation. */
export interface RemoveOptions {
  /**
   * Remove the volume even when a process holds its lock.
   *
   * @default {false}
   */
  readonly force?: boolean;
}

/** Options of {@linkcode VolumeBackend.lock}. */
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
 * `using` / `await using` release it.
 */
export interface VolumeLock extends Disposable, AsyncDisposable {
  /** Name of the locked volume. */
  readonly name: string;
  /** Whether the lock is exclusive. */
  readonly exclusive: boolean;
  /** Releases the lock; later calls do nothing. */
  release(): void;
}

/** Kind of state that an interrupted operation can leave behind. */
export type LeftoverKind =
  | "staging-directory"
  | "removing-directory"
  | "directory-without-row"
  | "row-without-directory"
  | "unknown-entry";

/** State left behind by an interrupted operation or another tool. */
export interface Leftover {
  /** What kind of leftover it is. */
  readonly kind: LeftoverKind;
  /** Volume name that it belongs to, when one can be told. */
  readonly name: string | null;
  /** Host path of the leftover, or `null` for a database row. */
  readonly path: string | null;
  /** One sentence that says what it is. */
  readonly description: string;
}

/** Options of a prune operation. */
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

/** What a prune operation found and removed. */
export interface PruneReport {
  /** Leftovers found (and removed unless it was a dry run). */
  readonly leftovers: ReadonlyArray<Leftover>;
  /** Names of unused volumes that matched the label filters. */
  readonly volumes: ReadonlyArray<string>;
  /** Whether anything was removed. */
  readonly dryRun: boolean;
}

/** The result of listing a home: complete volumes and leftovers apart. */
export interface ScanResult {
  /** Complete volumes, newest first. */
  readonly volumes: ReadonlyArray<VolumeInfo>;
  /** Leftovers met while listing. */
  readonly leftovers: ReadonlyArray<Leftover>;
}

/**
 * A place where volumes live. The static methods of `Volume` go through
 * the default backend; every volume object keeps the backend that made it.
 */
export interface VolumeBackend {
  /** Where this backend keeps volumes. */
  readonly kind: BackendKind;
  /** Creates a volume. */
  createVolume(
    config: VolumeConfig,
    options?: CreateOptions,
  ): Promise<VolumeInfo>;
  /** Returns one volume. */
  getVolume(name: string): Promise<VolumeInfo>;
  /** Returns every complete volume, newest first, and the leftovers met. */
  scanVolumes(): Promise<ScanResult>;
  /** Removes a volume. */
  removeVolume(name: string, options?: RemoveOptions): Promise<void>;
  /** Takes a lock that marks a volume as in use. */
  lockVolume(name: string, options?: LockOptions): Promise<VolumeLock>;
  /** Removes leftovers and, with label filters, unused volumes. */
  prune(options?: PruneOptions): Promise<PruneReport>;
  /** Returns the file API of a volume. */
  volumeFs(info: VolumeInfo): VolumeFs;
}
