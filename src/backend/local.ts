/**
 * The local backend: volumes under a home directory on this host, their
 * metadata in `<home>/db/msb.db`.
 *
 * Create records its intent in the store's own table, builds the volume in
 * a staging directory and renames it into place. It then inserts the row
 * and clears the intent in one transaction. If a step fails, it renames the
 * directory back out and deletes it. Remove deletes the row and records its
 * intent in one transaction, renames the directory aside (putting the row
 * back if that fails), deletes it, then clears the intent.
 *
 * A process killed between two steps leaves a leftover that
 * {@linkcode LocalBackend.prune} recognises by its staging name or by the
 * recorded intent, and removes. A directory without a row and without an
 * intent, as after the database was replaced, may hold data: prune reports
 * it and keeps it.
 *
 * @module
 */

import { describeIoError } from "../_io.ts";
import {
  matchesLabelFilters,
  resolveConfig,
  type ResolvedVolumeConfig,
  validateName,
  type VolumeConfig,
} from "../config.ts";
import {
  InvalidConfigError,
  IoError,
  MicrosandboxError,
  VolumeAlreadyExistsError,
  VolumeInUseError,
  VolumeNotFoundError,
} from "../errors.ts";
import { VolumeFs } from "../fs.ts";
import { BYTES_PER_MIB } from "../size.ts";
import {
  DEFAULT_BUSY_TIMEOUT_MS,
  type Intent,
  Store,
  type VolumeRecord,
} from "../store.ts";
import { measureUsedBytes } from "../usage.ts";
import { failpoint } from "./_failpoints.ts";
import { invalidRow, judgeEntry, rowWithoutDirectory } from "./_leftovers.ts";
import {
  classifyEntry,
  DISK_FILE_NAME,
  HomeLayout,
  resolveHome,
} from "./_layout.ts";
import {
  isNameLocked,
  lockName,
  lockVolumeTarget,
  tryLockName,
} from "./_locks.ts";
import { pathExists, removeTree, syncDirectory } from "./_tree.ts";
import type {
  BackendKind,
  CreateOptions,
  Leftover,
  LockOptions,
  PruneOptions,
  PruneReport,
  RemoveOptions,
  ScanOptions,
  ScanResult,
  VolumeBackend,
  VolumeInfo,
  VolumeLock,
} from "./types.ts";

/** Largest accepted busy timeout, in ms: SQLite takes a 32-bit int. */
const MAX_BUSY_TIMEOUT_MS = 2 ** 31 - 1;

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
    if (options === null || typeof options !== "object") {
      throw new InvalidConfigError(
        `Invalid LocalBackend options ${
          String(options)
        }: expected an object such as { home: "/path" }.`,
      );
    }
    if (options.home !== undefined && typeof options.home !== "string") {
      throw new InvalidConfigError(
        `Invalid home ${
          String(options.home)
        }: expected a directory path as a string, got ${typeof options.home}.`,
      );
    }
    const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
    if (
      !Number.isInteger(busyTimeoutMs) || busyTimeoutMs < 0 ||
      busyTimeoutMs > MAX_BUSY_TIMEOUT_MS
    ) {
      throw new InvalidConfigError(
        `Invalid busyTimeoutMs ${
          typeof busyTimeoutMs === "number"
            ? String(busyTimeoutMs)
            : `${typeof busyTimeoutMs} ${describeValue(busyTimeoutMs)}`
        }: expected a whole number of ms from 0 to ${MAX_BUSY_TIMEOUT_MS}.`,
      );
    }
    this.home = resolveHome(options.home);
    this.#layout = new HomeLayout(this.home);
    this.#busyTimeoutMs = busyTimeoutMs;
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
    const name = resolved.name;
    // Checked before anything is written, even to the database.
    if (resolved.kind === "disk") {
      this.#readStore()?.requireDiskColumns(name);
    }
    const store = this.#writeStore();
    this.#layout.ensureDirs();
    using nameLock = await lockName(this.#layout.lockPath(name));
    const target = this.#layout.volumeDir(name);
    try {
      this.#checkNameFree(store, name, target);
    } catch (err) {
      // The lock file of a name without a volume is not kept.
      if (!(err instanceof VolumeAlreadyExistsError) || !store.get(name)) {
        nameLock.releaseAndDelete();
      }
      throw err;
    }

    const staging = this.#layout.stagingDir(name);
    let renamed = false;
    try {
      try {
        Deno.mkdirSync(staging, { mode: 0o755 });
      } catch (err) {
        throw describeIoError(err, `create directory ${staging}`);
      }
      // Recorded with the directory's identity, so that prune can tell what
      // a crash leaves behind from a directory that later takes the name.
      store.beginCreate(name, directoryId(staging));
      await failpoint("create:staged");
      if (resolved.kind === "disk") {
        // Loaded on first use, so commands that format nothing start faster.
        const { formatExt4 } = await import("../ext4/format.ts");
        await formatExt4(`${staging}/${DISK_FILE_NAME}`, {
          sizeBytes: resolved.sizeMib! * BYTES_PER_MIB,
          onProgress: options.onProgress,
        });
        await failpoint("create:formatted");
        // Makes the entry of the image durable; an empty dir volume has no
        // entries to flush.
        syncDirectory(staging);
      }
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
      this.#undoCreate(name, staging, renamed ? target : null);
      nameLock.releaseAndDelete();
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
      const record = this.#readStore()?.get(name) ?? null;
      if (record === null) throw notFound(name);
      const dir = this.#layout.volumeDir(name);
      if (!pathExists(dir)) {
        throw new VolumeNotFoundError(
          `Volume ${
            JSON.stringify(name)
          } has a database row but its directory ${dir} is missing, so its data is gone. Run \`prune\` to remove the row.`,
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
  async scanVolumes(options: ScanOptions = {}): Promise<ScanResult> {
    const measure = options?.measureUsage !== false;
    const store = this.#readStore();
    const records = store?.list() ?? [];
    const intents = store?.intents() ?? new Map<string, Intent>();
    const entries = this.#readVolumesDir();
    const volumesDirMissing = entries === null;
    const volumes: VolumeInfo[] = [];
    const leftovers: Leftover[] = [];
    const rowNames = new Set<string>();
    for (const record of records) {
      if (!isValidName(record.name)) {
        // Never build a path from a name that could climb out of the home.
        leftovers.push(invalidRow(record.name, this.#layout.databasePath));
        continue;
      }
      rowNames.add(record.name);
      const dir = this.#layout.volumeDir(record.name);
      if (entries?.has(record.name)) {
        volumes.push(
          this.#toInfo(record, measure ? measureUsedBytes(dir) : NaN),
        );
      } else {
        const inProgress = await isNameLocked(
          this.#layout.lockPath(record.name),
        );
        leftovers.push(
          rowWithoutDirectory(record.name, dir, inProgress, volumesDirMissing),
        );
      }
    }
    for (const entry of entries ?? []) {
      const role = classifyEntry(entry, isValidName);
      if (role.role === "locks") continue;
      const name = "name" in role ? role.name : null;
      const hasRow = name !== null && rowNames.has(name);
      if (role.role === "volume" && hasRow) continue;
      const path = `${this.#layout.volumesDir}/${entry}`;
      const leftover = judgeEntry({
        path,
        role,
        hasRow,
        intent: name === null
          ? undefined
          : matchingIntent(intents.get(name), path),
        inProgress: name !== null &&
          await isNameLocked(this.#layout.lockPath(name)),
      });
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
    const force = options?.force === true;
    // Checked before locking, so that removing a missing name creates no
    // lock file.
    if ((this.#readStore()?.get(name) ?? null) === null) throw notFound(name);

    const store = this.#writeStore();
    this.#layout.ensureDirs();
    using nameLock = await lockName(this.#layout.lockPath(name));
    const record = store.get(name);
    if (record === null) throw notFound(name);

    const dir = this.#layout.volumeDir(name);
    let inUseLock: VolumeLock | null = null;
    try {
      if (pathExists(dir)) {
        inUseLock = await this.#lockForRemoval(record, force);
      }
      await failpoint("remove:locked");

      const id = pathExists(dir) ? directoryId(dir) : "";
      const row = store.beginRemove(name, id);
      if (row === null) throw notFound(name);
      await failpoint("remove:row-deleted");

      if (pathExists(dir)) {
        const removing = this.#layout.removingDir(name);
        try {
          Deno.renameSync(dir, removing);
        } catch (err) {
          const failure = describeIoError(
            err,
            `move ${dir} aside to delete it`,
          );
          // Put the row back, so a failed remove changes nothing.
          try {
            store.restore(row);
          } catch (restoreError) {
            throw new IoError(
              `Volume ${
                JSON.stringify(name)
              } is half removed: its row is deleted, but ${failure.message} Putting the row back failed too (${
                restoreError instanceof Error
                  ? restoreError.message
                  : String(restoreError)
              }). Once the cause is fixed, run \`prune\` to finish removing it.`,
              { cause: failure },
            );
          }
          throw failure;
        }
        await failpoint("remove:renamed");
        inUseLock?.release();
        inUseLock = null;
        removeTree(removing);
      }

      store.clearIntent(name);
      nameLock.releaseAndDelete();
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
    const record = this.#readStore()?.get(name) ?? null;
    if (record === null) throw notFound(name);
    // A remove may run while this waits; the lock then belongs to a file
    // that is gone, and the check below rejects it.
    return await lockVolumeTarget(
      name,
      this.#lockTarget(record),
      options?.exclusive === true,
      options?.wait === true,
      () => this.#readStore()?.get(name) != null,
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
   * // What a create killed before it finished leaves behind.
   * await Deno.mkdir(`${home}/volumes/.staging-lost-0123456789abcdef`);
   * const report = await backend.prune({ labels: [["ci", null]] });
   * assert.deepEqual(report.volumes, ["ci-1"]);
   * const leftovers = report.leftovers.map((leftover) => leftover.name);
   * assert.deepEqual(leftovers, ["lost"]);
   *
   * backend.close();
   * await Deno.remove(home, { recursive: true });
   * ```
   *
   * @param options Dry run and label filters.
   * @returns What was found and removed.
   */
  async prune(options: PruneOptions = {}): Promise<PruneReport> {
    const { dryRun, filters } = checkPruneOptions(options);
    const { volumes, leftovers } = await this.scanVolumes({
      measureUsage: false,
    });
    const removedLeftovers: Leftover[] = [];
    const errors: string[] = [];
    for (const leftover of leftovers) {
      if (!leftover.prunable || leftover.inProgress) continue;
      try {
        if (await this.#pruneLeftover(leftover, dryRun)) {
          removedLeftovers.push(leftover);
        }
      } catch (err) {
        // One leftover that cannot be deleted must not stop the others.
        if (!(err instanceof MicrosandboxError)) throw err;
        errors.push(err.message);
      }
    }
    if (!dryRun) await this.#clearStaleIntents();

    const matched: string[] = [];
    const inUse: string[] = [];
    if (filters.length > 0) {
      for (const volume of volumes) {
        if (!matchesLabelFilters(volume.labels, filters)) continue;
        if (dryRun) {
          (await this.#isUnused(volume) ? matched : inUse).push(volume.name);
          continue;
        }
        try {
          await this.removeVolume(volume.name);
          matched.push(volume.name);
        } catch (err) {
          if (err instanceof VolumeInUseError) {
            inUse.push(volume.name);
          } else if (err instanceof VolumeNotFoundError) {
            // Removed by another process meanwhile.
          } else if (err instanceof MicrosandboxError) {
            errors.push(err.message);
          } else {
            throw err;
          }
        }
      }
    }
    return {
      leftovers: removedLeftovers,
      volumes: matched,
      inUse,
      errors,
      dryRun,
    };
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

  /**
   * Returns the store for reading, or `null` when the database does not
   * exist yet. Reading creates nothing.
   */
  #readStore(): Store | null {
    this.#store ??= Store.openIfExists(
      this.#layout.databasePath,
      this.#busyTimeoutMs,
    );
    return this.#store;
  }

  /** Returns the store ready for writes, creating the database if needed. */
  #writeStore(): Store {
    if (this.#store === null) {
      this.#store = Store.openForWrite(
        this.#layout.databasePath,
        this.#busyTimeoutMs,
      );
    } else {
      this.#store.prepareForWrites();
    }
    return this.#store;
  }

  /**
   * Checks that no volume, row or directory has the name.
   *
   * @throws {VolumeAlreadyExistsError} If one has.
   */
  #checkNameFree(store: Store, name: string, target: string): void {
    if (store.get(name) !== null) {
      throw new VolumeAlreadyExistsError(
        `Volume ${
          JSON.stringify(name)
        } already exists. Choose another name or remove it first.`,
      );
    }
    if (pathExists(target)) {
      throw new VolumeAlreadyExistsError(
        `Volume ${
          JSON.stringify(name)
        } cannot be created: ${target} exists without a database row. Run \`ls\` to see what it is, and choose another name or move the directory away.`,
      );
    }
  }

  /**
   * Undoes a create that failed: moves the volume back out of place,
   * deletes the staging directory and clears the recorded intent. Failures are
   * left for prune, because the first error matters more to the caller.
   */
  #undoCreate(name: string, staging: string, target: string | null): void {
    try {
      if (target !== null) Deno.renameSync(target, staging);
      removeTree(staging);
      this.#store?.clearIntent(name);
    } catch {
      // The intent stays recorded, so prune removes what is left.
    }
  }

  /**
   * Clears recorded intents whose operations left nothing behind, and the
   * lock files of names without a volume. Names that another process holds
   * the lock of are left alone.
   */
  async #clearStaleIntents(): Promise<void> {
    const store = this.#readStore();
    if (store === null) return;
    for (const name of store.intents().keys()) {
      if (!isValidName(name)) continue;
      if (pathExists(this.#layout.volumeDir(name))) continue;
      if (this.#hasStagingEntries(name)) continue;
      const lock = await tryLockName(this.#layout.lockPath(name));
      if (lock === null) continue;
      store.clearIntent(name);
      lock.releaseAndDelete();
    }
    await this.#deleteUnusedLockFiles(store);
  }

  /** Deletes lock files of names that have no row and no directory. */
  async #deleteUnusedLockFiles(store: Store): Promise<void> {
    let entries: Deno.DirEntry[];
    try {
      entries = [...Deno.readDirSync(this.#layout.locksDir)];
    } catch {
      return;
    }
    for (const entry of entries) {
      if (!entry.name.endsWith(".lock")) continue;
      const name = entry.name.slice(0, -".lock".length);
      if (!isValidName(name) || store.get(name) !== null) continue;
      if (pathExists(this.#layout.volumeDir(name))) continue;
      if (this.#hasStagingEntries(name)) continue;
      const lock = await tryLockName(this.#layout.lockPath(name));
      if (lock === null) continue;
      // Judge again under the lock: a create may have finished meanwhile.
      if (store.get(name) === null) lock.releaseAndDelete();
      else lock.release();
    }
  }

  #hasStagingEntries(name: string): boolean {
    for (const entry of this.#readVolumesDir() ?? []) {
      const role = classifyEntry(entry, isValidName);
      if (
        (role.role === "staging" || role.role === "removing") &&
        role.name === name
      ) {
        return true;
      }
    }
    return false;
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

  /** Returns the entries of the volumes directory, or `null` if it is missing. */
  #readVolumesDir(): Set<string> | null {
    const names = new Set<string>();
    try {
      for (const entry of Deno.readDirSync(this.#layout.volumesDir)) {
        names.add(entry.name);
      }
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return null;
      throw describeIoError(err, `list ${this.#layout.volumesDir}`);
    }
    return names;
  }

  /**
   * Removes one leftover under its name lock, so that an operation still
   * running in another process is never disturbed.
   *
   * @returns Whether it was a leftover (removed, or to remove in a dry run).
   */
  async #pruneLeftover(leftover: Leftover, dryRun: boolean): Promise<boolean> {
    const name = leftover.name!;
    const lockPath = this.#layout.lockPath(name);
    // A dry run only looks: it takes no lock, so it creates no lock file.
    if (dryRun) return !(await isNameLocked(lockPath));
    this.#layout.ensureDirs();
    // A create or remove in progress holds the name lock: skip its entries.
    const lock = await tryLockName(lockPath);
    if (lock === null) return false;
    try {
      // Judge again under the lock: the operation may have finished.
      const store = this.#writeStore();
      const hasRow = store.get(name) !== null;
      const dir = this.#layout.volumeDir(name);
      switch (leftover.kind) {
        case "row-without-directory":
          if (!hasRow || pathExists(dir)) return false;
          store.delete(name);
          break;
        case "interrupted-create":
        case "interrupted-remove": {
          if (hasRow || !pathExists(dir)) return false;
          // The recorded intent must still be for this very directory.
          if (matchingIntent(store.intents().get(name), dir) === undefined) {
            return false;
          }
          removeTree(dir);
          store.clearIntent(name);
          break;
        }
        case "staging-directory":
        case "removing-directory":
          if (!pathExists(leftover.path!)) return false;
          removeTree(leftover.path!);
          break;
        default:
          return false;
      }
      if (!hasRow || leftover.kind === "row-without-directory") {
        lock.releaseAndDelete();
      }
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

/** Checks prune options from untyped callers and fills in the defaults. */
function checkPruneOptions(options: PruneOptions | null | undefined): {
  dryRun: boolean;
  filters: ReadonlyArray<readonly [string, string | null]>;
} {
  const supplied = options ?? {};
  if (typeof supplied !== "object") {
    throw new InvalidConfigError(
      `Invalid prune options ${
        String(supplied)
      }: expected an object such as { dryRun: true }.`,
    );
  }
  const filters = supplied.labels ?? [];
  const valid = Array.isArray(filters) &&
    filters.every((filter) =>
      Array.isArray(filter) && filter.length === 2 &&
      typeof filter[0] === "string" && filter[0] !== "" &&
      (filter[1] === null || typeof filter[1] === "string")
    );
  if (!valid) {
    throw new InvalidConfigError(
      `Invalid prune label filters ${
        JSON.stringify(filters)
      }: expected an array of [key, value] pairs, with a null value to match any value.`,
    );
  }
  return { dryRun: supplied.dryRun === true, filters };
}

/** Returns the device and inode of `path` as `<st_dev>:<st_ino>`. */
function directoryId(path: string): string {
  try {
    const info = Deno.lstatSync(path);
    return `${info.dev}:${info.ino}`;
  } catch (err) {
    throw describeIoError(err, `check ${path}`);
  }
}

/**
 * Returns the operation of `intent` if it was recorded for the directory
 * now at `path`, else `undefined`.
 */
function matchingIntent(
  intent: Intent | undefined,
  path: string,
): Intent["operation"] | undefined {
  if (intent === undefined || intent.directoryId === "") return undefined;
  try {
    const info = Deno.lstatSync(path);
    return `${info.dev}:${info.ino}` === intent.directoryId
      ? intent.operation
      : undefined;
  } catch {
    return undefined;
  }
}

/** Renders a value of any type for an error message. */
function describeValue(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
