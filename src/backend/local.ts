/**
 * The local backend: volumes under a home directory on this host, their
 * metadata in `<home>/db/msb.db`.
 *
 * Create builds the volume in a staging directory, renames it into place,
 * then inserts the row, and renames it back out if the insert fails.
 * Remove deletes the row, renames the directory aside, then deletes it. A
 * process killed between two steps leaves a leftover that
 * {@linkcode LocalBackend.prune} finds and removes, never a half-made volume
 * under the volume's name.
 *
 * @module
 */

import { describeIoError } from "../_io.ts";
import {
  resolveConfig,
  type ResolvedVolumeConfig,
  validateName,
  type VolumeConfig,
} from "../config.ts";
import {
  InvalidConfigError,
  MicrosandboxError,
  VolumeAlreadyExistsError,
  VolumeInUseError,
  VolumeNotFoundError,
} from "../errors.ts";
import { VolumeFs } from "../fs.ts";
import { BYTES_PER_MIB } from "../size.ts";
import { DEFAULT_BUSY_TIMEOUT_MS, Store, type VolumeRecord } from "../store.ts";
import { measureUsedBytes } from "../usage.ts";
import { failpoint } from "./_failpoints.ts";
import { classifyEntry, HomeLayout, resolveHome } from "./_layout.ts";
import { lockName, lockVolumeTarget, tryLockName } from "./_locks.ts";
import type {
  BackendKind,
  CreateOptions,
  Leftover,
  LockOptions,
  PruneOptions,
  PruneReport,
  RemoveOptions,
  ScanResult,
  VolumeBackend,
  VolumeInfo,
  VolumeLock,
} from "./types.ts";

/**
 * Options of {@linkcode LocalBackend}.
 *
 * @example Wait longer for a busy database
 * ```ts
 * import assert from "node:assert/strict";
 * import { LocalBackend, type LocalBackendOptions } from "@msb/volumes";
 *
 * const home = await Deno.makeTempDir();
 * const options: LocalBackendOptions = { home, busyTimeoutMs: 30_000 };
 * const backend = new LocalBackend(options);
 * assert.equal(backend.home, home);
 *
 * await Deno.remove(home, { recursive: true });
 * ```
 */
export interface LocalBackendOptions {
  /**
   * Home directory that contains `db/msb.db` and `volumes/`. A relative path
   * is taken from the working directory.
   *
   * @default {"$MSB_HOME, else ~/.microsandbox"}
   */
  readonly home?: string;
  /**
   * How long a database statement waits for another process's write lock,
   * in ms. An operation retries 4 times before it raises `BusyError`, so
   * it gives up after 5 times this.
   *
   * @default {5000}
   */
  readonly busyTimeoutMs?: number;
}

/**
 * Volumes on this host under a microsandbox home.
 *
 * Needs `--allow-read` and `--allow-write` on the home, and `--allow-env`
 * for `MSB_HOME` and `HOME` when no home is given.
 *
 * @example Use a home of its own
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
export class LocalBackend implements VolumeBackend {
  /**
   * Always `"local"`.
   *
   * @example Tell a local backend apart
   * ```ts
   * import assert from "node:assert/strict";
   * import { LocalBackend } from "@msb/volumes";
   *
   * assert.equal(new LocalBackend({ home: "/tmp/msb-unused" }).kind, "local");
   * ```
   */
  readonly kind: BackendKind = "local";

  /**
   * Absolute home directory: the `home` option, else `$MSB_HOME`, else
   * `~/.microsandbox`, with a relative path taken from the working
   * directory.
   *
   * @example Resolve a relative home
   * ```ts
   * import assert from "node:assert/strict";
   * import { LocalBackend } from "@msb/volumes";
   *
   * const backend = new LocalBackend({ home: "msb-home" });
   * assert.equal(backend.home, `${Deno.cwd()}/msb-home`);
   * ```
   */
  readonly home: string;
  readonly #layout: HomeLayout;
  readonly #busyTimeoutMs: number;
  #store: Store | null = null;

  /**
   * Makes a backend for a home. Nothing is read or created until the first
   * operation.
   *
   * @param options Where the home is and how long to wait for a busy
   * database.
   * @throws {InvalidConfigError} If no home is given and neither `MSB_HOME`
   * nor `HOME` is set.
   * @throws {PermissionDeniedError} If no home is given and Deno denied
   * reading `MSB_HOME` or `HOME`.
   */
  constructor(options: LocalBackendOptions = {}) {
    this.home = resolveHome(options.home);
    this.#layout = new HomeLayout(this.home);
    this.#busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  }

  /**
   * Closes the database connection; the next operation reopens it.
   *
   * @example Close the database between operations
   * ```ts
   * import assert from "node:assert/strict";
   * import { LocalBackend } from "@msb/volumes";
   *
   * const home = await Deno.makeTempDir();
   * const backend = new LocalBackend({ home });
   * await backend.createVolume({ name: "cache" });
   * backend.close();
   * assert.equal((await backend.getVolume("cache")).name, "cache");
   *
   * backend.close();
   * await Deno.remove(home, { recursive: true });
   * ```
   */
  close(): void {
    this.#store?.close();
    this.#store = null;
  }

  /**
   * Creates a volume; see the module documentation for the steps.
   *
   * @example Create a disk volume
   * ```ts
   * import assert from "node:assert/strict";
   * import { LocalBackend } from "@msb/volumes";
   *
   * const home = await Deno.makeTempDir();
   * const backend = new LocalBackend({ home });
   * const info = await backend.createVolume({
   *   name: "img",
   *   kind: "disk",
   *   sizeMib: 64,
   * });
   * assert.equal(info.diskPath, `${home}/volumes/img/disk.raw`);
   *
   * backend.close();
   * await Deno.remove(home, { recursive: true });
   * ```
   *
   * @param config Name, kind, size or quota, and labels.
   * @param options Progress callback for formatting a disk volume.
   * @returns The new volume; its `usedBytes` is 0, not measured.
   * @throws {InvalidConfigError} If a field breaks a rule.
   * @throws {VolumeAlreadyExistsError} If the name is taken, or a leftover
   * directory has the name.
   * @throws {DatabaseError} If the database is read-only, not SQLite, or
   * lacks the disk columns that a disk volume needs.
   * @throws {PermissionDeniedError} If Deno denied access to the home.
   * @throws {IoError} If the host file system fails, for example when the
   * disk is full.
   */
  async createVolume(
    config: VolumeConfig,
    options: CreateOptions = {},
  ): Promise<VolumeInfo> {
    const resolved = resolveConfig(config);
    const store = this.#openStore();
    store.requireWritable();
    if (resolved.kind === "disk") store.requireDiskColumns(resolved.name);
    this.#layout.ensureDirs();
    using _nameLock = await lockName(this.#layout.lockPath(resolved.name));
    const name = resolved.name;
    if (store.get(name) !== null) {
      throw new VolumeAlreadyExistsError(
        `Volume ${
          JSON.stringify(name)
        } already exists. Choose another name or remove it first.`,
      );
    }
    const target = this.#layout.volumeDir(name);
    if (pathExists(target)) {
      throw new VolumeAlreadyExistsError(
        `Volume ${
          JSON.stringify(name)
        } cannot be created: ${target} exists without a database row (a leftover of an interrupted operation). Run \`prune\` to remove it, or choose another name.`,
      );
    }

    const staging = this.#layout.stagingDir(name);
    try {
      Deno.mkdirSync(staging, { mode: 0o755 });
    } catch (err) {
      throw describeIoError(err, `create directory ${staging}`);
    }
    let renamed = false;
    try {
      await failpoint("create:staged");
      if (resolved.kind === "disk") {
        // Loaded on first use, so commands that format nothing start faster.
        const { formatExt4 } = await import("../ext4/format.ts");
        await formatExt4(`${staging}/disk.raw`, {
          sizeBytes: resolved.sizeMib! * BYTES_PER_MIB,
          onProgress: options.onProgress,
        });
        await failpoint("create:formatted");
      }
      syncDirectory(staging);
      try {
        Deno.renameSync(staging, target);
      } catch (err) {
        throw describeIoError(err, `move ${staging} to ${target}`);
      }
      renamed = true;
      syncDirectory(this.#layout.volumesDir);
      await failpoint("create:renamed");
      const record = store.insert(toRow(resolved));
      return this.#toInfo(record, 0);
    } catch (err) {
      if (renamed) {
        // Rename back so the volume never exists without its row.
        try {
          Deno.renameSync(target, staging);
        } catch {
          // Prune reports the directory without a row.
        }
      }
      try {
        removeTree(staging);
      } catch {
        // Prune reports the staging directory; the first error matters more.
      }
      throw err;
    }
  }

  /**
   * Returns one volume with its usage measured now.
   *
   * @example Measure a volume
   * ```ts
   * import assert from "node:assert/strict";
   * import { LocalBackend, VolumeNotFoundError } from "@msb/volumes";
   *
   * const home = await Deno.makeTempDir();
   * const backend = new LocalBackend({ home });
   * await backend.createVolume({ name: "cache" });
   * await Deno.writeTextFile(`${home}/volumes/cache/a.txt`, "x".repeat(8192));
   * const info = await backend.getVolume("cache");
   * assert.ok(info.usedBytes >= 8192);
   * await assert.rejects(backend.getVolume("missing"), VolumeNotFoundError);
   *
   * backend.close();
   * await Deno.remove(home, { recursive: true });
   * ```
   *
   * @param name Volume name.
   * @returns The volume.
   * @throws {InvalidConfigError} If the name is invalid.
   * @throws {VolumeNotFoundError} If no volume has the name, or its
   * directory is missing.
   */
  getVolume(name: string): Promise<VolumeInfo> {
    return settle(() => {
      validateName(name);
      const record = this.#openStore().get(name);
      if (record === null) throw notFound(name);
      const dir = this.#layout.volumeDir(name);
      if (!pathExists(dir)) {
        throw new VolumeNotFoundError(
          `Volume ${
            JSON.stringify(name)
          } has a database row but its directory ${dir} is missing (a leftover of an interrupted operation). Run \`prune\` to remove the row.`,
        );
      }
      return this.#toInfo(record, measureUsedBytes(dir));
    });
  }

  /**
   * Lists complete volumes, newest first, and reports leftovers apart.
   *
   * @example List volumes and leftovers
   * ```ts
   * import assert from "node:assert/strict";
   * import { LocalBackend } from "@msb/volumes";
   *
   * const home = await Deno.makeTempDir();
   * const backend = new LocalBackend({ home });
   * await backend.createVolume({ name: "first" });
   * await backend.createVolume({ name: "second" });
   * await Deno.mkdir(`${home}/volumes/stray`);
   * const { volumes, leftovers } = await backend.scanVolumes();
   * assert.deepEqual(volumes.map((volume) => volume.name), ["second", "first"]);
   * assert.equal(leftovers[0].kind, "directory-without-row");
   *
   * backend.close();
   * await Deno.remove(home, { recursive: true });
   * ```
   *
   * @returns Complete volumes, newest first, and leftovers.
   */
  scanVolumes(): Promise<ScanResult> {
    return settle(() => this.#scan());
  }

  #scan(): ScanResult {
    const records = this.#openStore().list();
    const entries = this.#readVolumesDir();
    const volumes: VolumeInfo[] = [];
    const leftovers: Leftover[] = [];
    const rowNames = new Set<string>();
    for (const record of records) {
      rowNames.add(record.name);
      const dir = this.#layout.volumeDir(record.name);
      if (entries.has(record.name)) {
        volumes.push(this.#toInfo(record, measureUsedBytes(dir)));
      } else {
        leftovers.push({
          kind: "row-without-directory",
          name: record.name,
          path: null,
          description: `Volume ${
            JSON.stringify(record.name)
          } has a database row but no directory ${dir}.`,
        });
      }
    }
    for (const entry of entries) {
      const leftover = this.#judgeEntry(entry, rowNames);
      if (leftover !== null) leftovers.push(leftover);
    }
    return { volumes, leftovers };
  }

  /**
   * Removes a volume; fails with `VolumeInUseError` while it is locked.
   *
   * @example Remove a volume
   * ```ts
   * import assert from "node:assert/strict";
   * import { LocalBackend } from "@msb/volumes";
   *
   * const home = await Deno.makeTempDir();
   * const backend = new LocalBackend({ home });
   * await backend.createVolume({ name: "cache" });
   * await backend.removeVolume("cache");
   * assert.deepEqual((await backend.scanVolumes()).volumes, []);
   *
   * backend.close();
   * await Deno.remove(home, { recursive: true });
   * ```
   *
   * @param name Volume name.
   * @param options `force` removes a volume that a process holds locked.
   * @throws {InvalidConfigError} If the name is invalid.
   * @throws {VolumeNotFoundError} If no volume has the name.
   * @throws {VolumeInUseError} If a process holds its lock and `force` is
   * not set.
   */
  async removeVolume(name: string, options: RemoveOptions = {}): Promise<void> {
    validateName(name);
    const store = this.#openStore();
    store.requireWritable();
    this.#layout.ensureDirs();
    using _nameLock = await lockName(this.#layout.lockPath(name));
    const record = store.get(name);
    if (record === null) throw notFound(name);
    const dir = this.#layout.volumeDir(name);
    let inUseLock: VolumeLock | null = null;
    try {
      if (pathExists(dir)) {
        inUseLock = await this.#lockForRemoval(record, options.force === true);
      }
      await failpoint("remove:locked");
      store.delete(name);
      await failpoint("remove:row-deleted");
      if (!pathExists(dir)) return;
      const removing = this.#layout.removingDir(name);
      try {
        Deno.renameSync(dir, removing);
      } catch (err) {
        throw describeIoError(
          err,
          `move ${dir} aside to delete it (its row is already deleted; run \`prune\` to finish)`,
        );
      }
      await failpoint("remove:renamed");
      inUseLock?.release();
      inUseLock = null;
      removeTree(removing);
    } finally {
      inUseLock?.release();
    }
  }

  /**
   * Takes a lock that marks the volume as in use.
   *
   * @example Lock a volume while it is in use
   * ```ts
   * import assert from "node:assert/strict";
   * import { LocalBackend, VolumeInUseError } from "@msb/volumes";
   *
   * const home = await Deno.makeTempDir();
   * const backend = new LocalBackend({ home });
   * await backend.createVolume({ name: "work" });
   * {
   *   using _lock = await backend.lockVolume("work");
   *   await assert.rejects(backend.removeVolume("work"), VolumeInUseError);
   * }
   * await backend.removeVolume("work");
   *
   * backend.close();
   * await Deno.remove(home, { recursive: true });
   * ```
   *
   * @param name Volume name.
   * @param options `exclusive` and `wait`.
   * @returns The held lock.
   * @throws {InvalidConfigError} If the name is invalid.
   * @throws {VolumeNotFoundError} If no volume has the name.
   * @throws {VolumeInUseError} If a conflicting lock is held and `wait` is
   * not set.
   */
  async lockVolume(
    name: string,
    options: LockOptions = {},
  ): Promise<VolumeLock> {
    validateName(name);
    const record = this.#openStore().get(name);
    if (record === null) throw notFound(name);
    return await lockVolumeTarget(
      name,
      this.#lockTarget(record),
      options.exclusive === true,
      options.wait === true,
    );
  }

  /**
   * Removes leftovers and, with label filters, unused matching volumes.
   * Entries that this module did not make are reported by
   * {@linkcode LocalBackend.scanVolumes} but never removed.
   *
   * @example Remove a leftover and labelled volumes
   * ```ts
   * import assert from "node:assert/strict";
   * import { LocalBackend } from "@msb/volumes";
   *
   * const home = await Deno.makeTempDir();
   * const backend = new LocalBackend({ home });
   * await backend.createVolume({ name: "ci-1", labels: [["ci", "yes"]] });
   * await backend.createVolume({ name: "keep" });
   * await Deno.mkdir(`${home}/volumes/stray`);
   * const report = await backend.prune({ labels: [["ci", null]] });
   * assert.deepEqual(report.volumes, ["ci-1"]);
   * const leftovers = report.leftovers.map((leftover) => leftover.name);
   * assert.deepEqual(leftovers, ["stray"]);
   *
   * backend.close();
   * await Deno.remove(home, { recursive: true });
   * ```
   *
   * @param options Dry run and label filters.
   * @returns What was found and removed.
   */
  async prune(options: PruneOptions = {}): Promise<PruneReport> {
    const filters = options.labels ?? [];
    const dryRun = options.dryRun === true;
    const { volumes, leftovers } = await this.scanVolumes();
    const removedLeftovers: Leftover[] = [];
    for (const leftover of leftovers) {
      // An unknown entry is not ours to delete: ls reports it instead.
      if (leftover.kind === "unknown-entry") continue;
      if (await this.#pruneLeftover(leftover, dryRun)) {
        removedLeftovers.push(leftover);
      }
    }
    const matched: string[] = [];
    if (filters.length > 0) {
      for (const volume of volumes) {
        if (!matchesLabels(volume.labels, filters)) continue;
        if (dryRun) {
          if (await this.#isUnused(volume)) matched.push(volume.name);
          continue;
        }
        try {
          await this.removeVolume(volume.name);
          matched.push(volume.name);
        } catch (err) {
          if (
            err instanceof VolumeInUseError ||
            err instanceof VolumeNotFoundError
          ) {
            continue;
          }
          throw err;
        }
      }
    }
    return { leftovers: removedLeftovers, volumes: matched, dryRun };
  }

  /**
   * Returns the file API of a volume.
   *
   * @example Write into a volume
   * ```ts
   * import assert from "node:assert/strict";
   * import { LocalBackend } from "@msb/volumes";
   *
   * const home = await Deno.makeTempDir();
   * const backend = new LocalBackend({ home });
   * const info = await backend.createVolume({ name: "site" });
   * await backend.volumeFs(info).write("index.html", "<h1>Hi</h1>");
   * const text = await Deno.readTextFile(`${info.path}/index.html`);
   * assert.equal(text, "<h1>Hi</h1>");
   *
   * backend.close();
   * await Deno.remove(home, { recursive: true });
   * ```
   *
   * @param info Volume that the API works on.
   * @returns File operations confined to the volume.
   */
  volumeFs(info: VolumeInfo): VolumeFs {
    return new VolumeFs(info.name, info.path, info.kind);
  }

  #openStore(): Store {
    if (this.#store === null) {
      this.#store = new Store(this.#layout.databasePath, this.#busyTimeoutMs);
    }
    return this.#store;
  }

  #toInfo(record: VolumeRecord, usedBytes: number): VolumeInfo {
    const path = this.#layout.volumeDir(record.name);
    const isDisk = record.kind === "disk";
    return {
      name: record.name,
      kind: record.kind,
      path,
      quotaMib: record.quotaMib,
      capacityBytes: isDisk
        ? record.capacityBytes
        : record.quotaMib === null
        ? null
        : record.quotaMib * BYTES_PER_MIB,
      diskFormat: record.diskFormat,
      diskFstype: record.diskFstype,
      diskPath: isDisk ? this.#layout.diskPath(record.name) : null,
      labels: record.labels,
      createdAt: record.createdAt,
      usedBytes,
    };
  }

  #lockTarget(record: VolumeRecord): string {
    return record.kind === "disk"
      ? this.#layout.diskPath(record.name)
      : this.#layout.volumeDir(record.name);
  }

  async #lockForRemoval(
    record: VolumeRecord,
    force: boolean,
  ): Promise<VolumeLock | null> {
    try {
      return await lockVolumeTarget(
        record.name,
        this.#lockTarget(record),
        true,
        false,
      );
    } catch (err) {
      if (err instanceof VolumeInUseError) {
        if (force) return null;
        throw new VolumeInUseError(
          `Volume ${
            JSON.stringify(record.name)
          } is in use: a process holds its lock. Stop the sandbox that uses it, or remove it with force (--force).`,
          { cause: err },
        );
      }
      if (err instanceof VolumeNotFoundError) return null;
      throw err;
    }
  }

  async #isUnused(volume: VolumeInfo): Promise<boolean> {
    try {
      const lock = await lockVolumeTarget(
        volume.name,
        volume.diskPath ?? volume.path,
        true,
        false,
      );
      lock.release();
      return true;
    } catch (err) {
      if (err instanceof MicrosandboxError) return false;
      throw err;
    }
  }

  #readVolumesDir(): Set<string> {
    const names = new Set<string>();
    try {
      for (const entry of Deno.readDirSync(this.#layout.volumesDir)) {
        names.add(entry.name);
      }
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) {
        throw describeIoError(err, `list ${this.#layout.volumesDir}`);
      }
    }
    return names;
  }

  #judgeEntry(entry: string, rowNames: Set<string>): Leftover | null {
    const role = classifyEntry(entry, isValidName);
    const path = `${this.#layout.volumesDir}/${entry}`;
    switch (role.role) {
      case "locks":
        return null;
      case "volume":
        if (rowNames.has(role.name)) return null;
        return {
          kind: "directory-without-row",
          name: role.name,
          path,
          description: `${path} has no database row.`,
        };
      case "staging":
        return {
          kind: "staging-directory",
          name: role.name,
          path,
          description:
            `${path} is a volume whose creation was interrupted or is running.`,
        };
      case "removing":
        return {
          kind: "removing-directory",
          name: role.name,
          path,
          description:
            `${path} is a volume whose removal was interrupted or is running.`,
        };
      case "unknown":
        return {
          kind: "unknown-entry",
          name: null,
          path,
          description:
            `${path} is not a volume: its name does not follow the volume name rules. It is left alone.`,
        };
    }
  }

  /**
   * Removes one leftover under its name lock, so that an operation still
   * running in another process is never disturbed.
   *
   * @returns Whether it was a leftover (removed, or to remove in a dry run).
   */
  async #pruneLeftover(leftover: Leftover, dryRun: boolean): Promise<boolean> {
    const name = leftover.name!;
    this.#layout.ensureDirs();
    // A create or remove in progress holds the name lock: skip its entries.
    const lock = await tryLockName(this.#layout.lockPath(name));
    if (lock === null) return false;
    try {
      // Judge again under the lock: the operation may have finished.
      const store = this.#openStore();
      const hasRow = store.get(name) !== null;
      const dir = this.#layout.volumeDir(name);
      switch (leftover.kind) {
        case "row-without-directory":
          if (!hasRow || pathExists(dir)) return false;
          if (!dryRun) store.delete(name);
          return true;
        case "directory-without-row":
          if (hasRow || !pathExists(dir)) return false;
          break;
        case "staging-directory":
        case "removing-directory":
          if (!pathExists(leftover.path!)) return false;
          break;
        default:
          return false;
      }
      if (!dryRun) removeTree(leftover.path!);
      return true;
    } finally {
      lock.release();
    }
  }
}

/** Runs synchronous work and returns its result or error as a promise. */
function settle<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (err) {
    return Promise.reject(err);
  }
}

function toRow(config: ResolvedVolumeConfig) {
  const isDisk = config.kind === "disk";
  return {
    name: config.name,
    kind: config.kind,
    quotaMib: config.quotaMib,
    capacityBytes: isDisk ? config.sizeMib! * BYTES_PER_MIB : null,
    diskFormat: isDisk ? "raw" : null,
    diskFstype: isDisk ? "ext4" : null,
    labels: config.labels,
  };
}

function matchesLabels(
  labels: ReadonlyArray<readonly [string, string]>,
  filters: ReadonlyArray<readonly [string, string | null]>,
): boolean {
  return filters.every(([key, value]) =>
    labels.some(([labelKey, labelValue]) =>
      labelKey === key && (value === null || labelValue === value)
    )
  );
}

function isValidName(name: string): boolean {
  try {
    validateName(name);
    return true;
  } catch (err) {
    if (err instanceof InvalidConfigError) return false;
    throw err;
  }
}

function notFound(name: string): VolumeNotFoundError {
  return new VolumeNotFoundError(
    `Volume ${
      JSON.stringify(name)
    } not found. Run \`ls\` to see the volumes, or create it first.`,
  );
}

function pathExists(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw describeIoError(err, `check ${path}`);
  }
}

function removeTree(path: string): void {
  try {
    Deno.removeSync(path, { recursive: true });
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return;
    throw describeIoError(err, `delete ${path}`);
  }
}

/** Flushes a directory's entries to disk, so a rename survives a crash. */
function syncDirectory(path: string): void {
  let dir: Deno.FsFile | null = null;
  try {
    dir = Deno.openSync(path, { read: true });
    dir.syncSync();
  } catch {
    // NOTE: some file systems reject fsync on a directory; the rename is
    // still atomic, only its durability after a power loss is weaker.
  } finally {
    dir?.close();
  }
}
