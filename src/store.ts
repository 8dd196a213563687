/**
 * The SQLite store of volume metadata, `<home>/db/msb.db`, shared with
 * microsandbox itself.
 *
 * The `volume` table has microsandbox's layout. The store creates it when it
 * is missing and never alters one that exists: a table from an older
 * microsandbox that lacks some columns is read with defaults for them, and
 * only writes that need a missing column fail.
 *
 * The store's own state lives in a table of its own,
 * `msb_volumes_intent`: one row per create or remove in progress, so that
 * prune can tell the leftovers of an interrupted operation from a
 * directory whose row was lost with a replaced database.
 *
 * Reading never writes: listing a home whose database does not exist yet
 * creates nothing, and reading leaves the journal mode of a database that
 * microsandbox created as it is. The first write switches the database to
 * WAL mode and creates the tables that are missing.
 *
 * Every statement runs with a busy timeout, and an operation that still finds
 * the database locked is retried a few times before it raises
 * {@linkcode BusyError}, so `database is locked` never reaches a caller.
 *
 * @module
 */

import {
  DatabaseSync,
  type SQLInputValue,
  type StatementSync,
} from "node:sqlite";
import {
  BusyError,
  DatabaseError,
  IoError,
  VolumeAlreadyExistsError,
} from "./errors.ts";
import type { Label, VolumeKind } from "./config.ts";
import { describeIoError } from "./_io.ts";

/** A row of the `volume` table, decoded. */
export interface VolumeRecord {
  /** Row id. */
  readonly id: number;
  /** Volume name. */
  readonly name: string;
  /** Volume kind; `dir` when the table has no `kind` column. */
  readonly kind: VolumeKind;
  /** Quota in MiB, or `null`. */
  readonly quotaMib: number | null;
  /** Capacity in bytes of a disk volume, or `null`. */
  readonly capacityBytes: number | null;
  /** Image format of a disk volume (`raw`), or `null`. */
  readonly diskFormat: string | null;
  /** File system of a disk volume (`ext4`), or `null`. */
  readonly diskFstype: string | null;
  /** Labels as `[key, value]` pairs. */
  readonly labels: Label[];
  /** Creation time. */
  readonly createdAt: Date;
}

/** Values of a new row. */
export interface NewVolumeRow {
  /** Volume name. */
  readonly name: string;
  /** Volume kind. */
  readonly kind: VolumeKind;
  /** Quota in MiB, or `null`. */
  readonly quotaMib: number | null;
  /** Capacity in bytes, or `null`. */
  readonly capacityBytes: number | null;
  /** Image format, or `null`. */
  readonly diskFormat: string | null;
  /** File system, or `null`. */
  readonly diskFstype: string | null;
  /** Labels. */
  readonly labels: ReadonlyArray<Label>;
}

/** How long one statement waits for another connection's lock, in ms. */
export const DEFAULT_BUSY_TIMEOUT_MS = 5_000;

/** How many times an operation is retried after the busy timeout ran out. */
const BUSY_RETRIES = 4;

const CREATE_VOLUME_TABLE = `CREATE TABLE IF NOT EXISTS volume (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT UNIQUE NOT NULL,
  kind TEXT NOT NULL DEFAULT 'dir',
  quota_mib INTEGER,
  size_bytes BIGINT,
  capacity_bytes BIGINT,
  disk_format TEXT,
  disk_fstype TEXT,
  labels TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
)`;

/** Operations that the intent table records while they run. */
export type IntentOperation = "create" | "remove";

/**
 * A recorded operation and the directory it works on, identified by
 * `<st_dev>:<st_ino>`, so that an intent never applies to another
 * directory that later takes the same name.
 */
export interface Intent {
  /** The operation. */
  readonly operation: IntentOperation;
  /** Device and inode of the volume directory, or `""` when it had none. */
  readonly directoryId: string;
}

/** A `volume` row as SQLite returned it, kept to put it back unchanged. */
export type RawVolumeRow = Record<string, SQLInputValue>;

const CREATE_INTENT_TABLE = `CREATE TABLE IF NOT EXISTS msb_volumes_intent (
  name TEXT PRIMARY KEY NOT NULL,
  operation TEXT NOT NULL,
  directory_id TEXT NOT NULL,
  started_at TEXT NOT NULL
)`;

/** Columns that the store reads when they exist, with SQL defaults. */
const OPTIONAL_COLUMNS: Record<string, string> = {
  kind: "'dir'",
  quota_mib: "NULL",
  capacity_bytes: "NULL",
  disk_format: "NULL",
  disk_fstype: "NULL",
  labels: "NULL",
  created_at: "NULL",
};

/** Columns without which a disk volume cannot be recorded. */
const DISK_COLUMNS = ["kind", "capacity_bytes", "disk_format", "disk_fstype"];

/**
 * An open connection to the metadata database. Each process opens its own;
 * SQLite's locks order the writers.
 */
export class Store {
  /** Path of the database file. */
  readonly path: string;
  readonly #db: DatabaseSync;
  readonly #readOnly: boolean;
  readonly #busyTimeoutMs: number;
  #columns: Set<string> = new Set();
  #hasIntentTable = false;
  #preparedForWrites = false;
  #selectList = "";
  /**
   * Prepared statements by SQL text, so each is compiled once per
   * connection. Every call runs a statement to completion or resets it, so
   * no cached statement keeps a read transaction open.
   */
  readonly #statements = new Map<string, StatementSync>();

  /**
   * Opens the database at `path` for reading, or returns `null` when the
   * file does not exist; nothing is created.
   *
   * @param path Database file.
   * @param busyTimeoutMs How long a statement waits for another
   * connection's lock before it is retried, in ms.
   * @throws {DatabaseError} If the file is not SQLite or cannot be opened.
   */
  static openIfExists(
    path: string,
    busyTimeoutMs: number = DEFAULT_BUSY_TIMEOUT_MS,
  ): Store | null {
    try {
      Deno.statSync(path);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return null;
      throw describeIoError(err, `open database ${path}`);
    }
    return new Store(path, busyTimeoutMs);
  }

  /**
   * Opens the database at `path` for writing, creating the file, its
   * directory and the tables when they are missing.
   *
   * @param path Database file.
   * @param busyTimeoutMs How long a statement waits for another
   * connection's lock before it is retried, in ms.
   * @throws {DatabaseError} If the file is not SQLite, is read-only or
   * cannot be opened.
   */
  static openForWrite(
    path: string,
    busyTimeoutMs: number = DEFAULT_BUSY_TIMEOUT_MS,
  ): Store {
    const store = new Store(path, busyTimeoutMs);
    try {
      store.prepareForWrites();
    } catch (err) {
      store.close();
      throw err;
    }
    return store;
  }

  private constructor(path: string, busyTimeoutMs: number) {
    this.path = path;
    this.#busyTimeoutMs = busyTimeoutMs;
    checkRegularFile(path);
    this.#readOnly = isReadOnlyFile(path);
    this.#db = openDatabase(path, this.#readOnly);
    try {
      // A connection setting, not a write to the file.
      this.#db.exec(`PRAGMA busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
      this.#readSchema();
    } catch (err) {
      this.#db.close();
      throw translateSqliteError(err, path);
    }
  }

  /** Closes the connection. */
  close(): void {
    this.#db.close();
  }

  /**
   * Makes the database ready for writes once: WAL mode and the tables that
   * are missing.
   *
   * @throws {DatabaseError} If the database is read-only.
   */
  prepareForWrites(): void {
    if (this.#preparedForWrites) return;
    this.requireWritable();
    this.#retry(() => {
      const mode = this.#db.prepare("PRAGMA journal_mode").get();
      if (String(mode?.journal_mode).toLowerCase() !== "wal") {
        this.#db.exec("PRAGMA journal_mode = WAL");
      }
      // In WAL mode, NORMAL syncs at checkpoints rather than at every
      // commit, and a killed process still loses nothing. Commits that a
      // power loss must not undo ask for FULL; see #transaction.
      this.#db.exec("PRAGMA synchronous = NORMAL");
      this.#db.exec(CREATE_VOLUME_TABLE);
      this.#db.exec(CREATE_INTENT_TABLE);
    });
    this.#readSchema();
    this.#preparedForWrites = true;
  }

  /** Returns the record named `name`, or `null`. */
  get(name: string): VolumeRecord | null {
    if (!this.#columns.has("name")) return null;
    const row = this.#retry(() =>
      this.#prepare(`SELECT ${this.#selectList} FROM volume WHERE name = ?`)
        .get(name)
    );
    return row === undefined ? null : decodeRow(row);
  }

  /**
   * Returns every record, newest first: by creation time, then by row id.
   * The times are compared after parsing, because other writers may store
   * them in other ISO 8601 forms, which do not sort as text.
   */
  list(): VolumeRecord[] {
    if (!this.#columns.has("name")) return [];
    const rows = this.#retry(() =>
      this.#prepare(`SELECT ${this.#selectList} FROM volume`).all()
    );
    return rows.map(decodeRow).sort((a, b) =>
      b.createdAt.getTime() - a.createdAt.getTime() || b.id - a.id
    );
  }

  /**
   * Returns the operations in progress or interrupted, by volume name.
   * Rows with an operation that this module does not write are left out.
   */
  intents(): Map<string, Intent> {
    const intents = new Map<string, Intent>();
    if (!this.#hasIntentTable) return intents;
    const rows = this.#retry(() =>
      this.#prepare(
        "SELECT name, operation, directory_id FROM msb_volumes_intent",
      ).all()
    );
    for (const row of rows) {
      if (row.operation !== "create" && row.operation !== "remove") continue;
      intents.set(String(row.name), {
        operation: row.operation,
        directoryId: String(row.directory_id ?? ""),
      });
    }
    return intents;
  }

  /**
   * Records that a create of `name` runs, once its staging directory
   * exists and before it is moved into place.
   *
   * @param name Volume name.
   * @param directoryId Device and inode of the staging directory.
   * @throws {DatabaseError} If the database is read-only.
   */
  beginCreate(name: string, directoryId: string): void {
    this.prepareForWrites();
    this.#retry(() =>
      this.#prepare(
        "INSERT OR REPLACE INTO msb_volumes_intent (name, operation, directory_id, started_at) VALUES (?, 'create', ?, ?)",
      ).run(name, directoryId, formatTimestamp(new Date()))
    );
  }

  /** Clears the operation recorded for `name`, if any. */
  clearIntent(name: string): void {
    this.prepareForWrites();
    this.#retry(() =>
      this.#prepare("DELETE FROM msb_volumes_intent WHERE name = ?").run(name)
    );
  }

  /**
   * Inserts a row and, in the same transaction, ends the create recorded
   * for its name.
   *
   * @returns The new record.
   * @throws {VolumeAlreadyExistsError} If a row with the name exists.
   * @throws {DatabaseError} If the database is read-only or lacks a column
   * that the row needs.
   */
  insert(row: NewVolumeRow): VolumeRecord {
    this.prepareForWrites();
    if (row.kind === "disk") this.requireDiskColumns(row.name);

    const now = formatTimestamp(new Date());
    const values: Record<string, SQLInputValue> = {
      name: row.name,
      kind: row.kind,
      quota_mib: row.quotaMib,
      capacity_bytes: row.capacityBytes,
      disk_format: row.diskFormat,
      disk_fstype: row.diskFstype,
      labels: JSON.stringify(row.labels),
      created_at: now,
      updated_at: now,
    };
    const columns = Object.keys(values).filter((column) =>
      this.#columns.has(column)
    );

    // RETURNING reads the new row back in the same statement.
    const sql = `INSERT INTO volume (${columns.join(", ")}) VALUES (${
      columns.map(() => "?").join(", ")
    }) RETURNING ${this.#selectList}`;
    const parameters = columns.map((column) => values[column]);

    let inserted: Record<string, unknown> | undefined;
    try {
      // Durable: once create returns, a power loss must not undo the row,
      // or prune would take the volume for an interrupted create.
      inserted = this.#transaction(() => {
        const rows = this.#prepare(sql).all(...parameters);
        this.#prepare("DELETE FROM msb_volumes_intent WHERE name = ?").run(
          row.name,
        );
        return rows[0];
      }, true);
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw new VolumeAlreadyExistsError(
          `Volume ${
            JSON.stringify(row.name)
          } already exists. Choose another name or remove it first.`,
          { cause: err },
        );
      }
      throw err;
    }

    if (inserted === undefined) {
      throw new DatabaseError(
        `Volume ${
          JSON.stringify(row.name)
        } was inserted into ${this.path} but cannot be read back.`,
      );
    }
    return decodeRow(inserted);
  }

  /**
   * Deletes the row named `name` and, in the same transaction, records
   * that its removal runs on the directory `directoryId` (`""` for none).
   *
   * @returns The deleted row, to put back with {@linkcode Store.restore}
   * if the removal cannot go on, or `null` when there was no row.
   * @throws {DatabaseError} If the database is read-only.
   */
  beginRemove(name: string, directoryId: string): RawVolumeRow | null {
    this.prepareForWrites();
    return this.#transaction(() => {
      const deleted = this.#prepare(
        "DELETE FROM volume WHERE name = ? RETURNING *",
      ).all(name)[0] as RawVolumeRow | undefined;
      if (deleted === undefined) return null;
      this.#prepare(
        "INSERT OR REPLACE INTO msb_volumes_intent (name, operation, directory_id, started_at) VALUES (?, 'remove', ?, ?)",
      ).run(name, directoryId, formatTimestamp(new Date()));
      return deleted;
    });
  }

  /**
   * Puts back a row that {@linkcode Store.beginRemove} deleted, with its
   * id and times, and clears the recorded removal.
   */
  restore(row: RawVolumeRow): void {
    this.prepareForWrites();
    const columns = Object.keys(row);
    this.#transaction(() => {
      this.#prepare(
        `INSERT INTO volume (${columns.join(", ")}) VALUES (${
          columns.map(() => "?").join(", ")
        })`,
      ).run(...columns.map((column) => row[column]));
      this.#prepare("DELETE FROM msb_volumes_intent WHERE name = ?").run(
        String(row.name),
      );
    }, true);
  }

  /**
   * Deletes the row named `name` and any operation recorded for it.
   *
   * @returns Whether a row was deleted.
   * @throws {DatabaseError} If the database is read-only.
   */
  delete(name: string): boolean {
    this.prepareForWrites();
    return this.#transaction(() => {
      const result = this.#prepare("DELETE FROM volume WHERE name = ?").run(
        name,
      );
      this.#prepare("DELETE FROM msb_volumes_intent WHERE name = ?").run(name);
      return Number(result.changes) > 0;
    });
  }

  /**
   * Checks that the table can record a disk volume.
   *
   * @throws {DatabaseError} If a disk column is missing; the message names
   * the columns and the volume.
   */
  requireDiskColumns(name: string): void {
    // A table that does not exist yet is created with every column.
    if (!this.#columns.has("name")) return;
    const missing = DISK_COLUMNS.filter((column) => !this.#columns.has(column));
    if (missing.length === 0) return;
    throw new DatabaseError(
      `Cannot create disk volume ${
        JSON.stringify(name)
      }: the volume table in ${this.path} has no ${missing.join(", ")} column${
        missing.length === 1 ? "" : "s"
      } (an older microsandbox schema). Upgrade microsandbox to migrate it, or use another MSB_HOME.`,
    );
  }

  /**
   * Checks that the database accepts writes.
   *
   * @throws {DatabaseError} If the file is read-only.
   */
  requireWritable(): void {
    if (this.#readOnly) {
      throw new DatabaseError(
        `Database ${this.path} is read-only, so volumes cannot be created or removed. Make the file writable (chmod u+w) or use another MSB_HOME.`,
      );
    }
  }

  /** Reads which tables and `volume` columns exist. */
  #readSchema(): void {
    this.#retry(() => {
      const tables = new Set(
        this.#db.prepare(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('volume', 'msb_volumes_intent')",
        ).all().map((row) => String(row.name)),
      );
      this.#hasIntentTable = tables.has("msb_volumes_intent");
      this.#columns = new Set();
      if (!tables.has("volume")) return;
      const info = this.#db.prepare("PRAGMA table_info(volume)").all();
      this.#columns = new Set(info.map((column) => String(column.name)));
      if (!this.#columns.has("name")) {
        throw new DatabaseError(
          `Database ${this.path} has no usable volume table: it has no name column. Point MSB_HOME at a microsandbox home or an empty directory.`,
        );
      }
    });
    this.#selectList = [
      "id",
      "name",
      ...Object.entries(OPTIONAL_COLUMNS).map(([column, fallback]) =>
        this.#columns.has(column) ? column : `${fallback} AS ${column}`
      ),
    ].join(", ");
    this.#statements.clear();
  }

  /** Returns the prepared statement for `sql`, compiling it on first use. */
  #prepare(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  /**
   * Runs `work` in an immediate transaction, retried while locked. A
   * durable transaction is on disk when this returns: its commit syncs the
   * write-ahead log, and with it every earlier commit.
   */
  #transaction<T>(work: () => T, durable = false): T {
    return this.#retry(() => {
      if (durable) this.#db.exec("PRAGMA synchronous = FULL");
      this.#db.exec("BEGIN IMMEDIATE");
      try {
        const result = work();
        this.#db.exec("COMMIT");
        return result;
      } catch (err) {
        if (this.#db.isTransaction) this.#db.exec("ROLLBACK");
        throw err;
      } finally {
        if (durable) this.#db.exec("PRAGMA synchronous = NORMAL");
      }
    });
  }

  /** Runs `operation`, retrying while SQLite reports a lock. */
  #retry<T>(operation: () => T): T {
    for (let attempt = 0;; attempt++) {
      try {
        return operation();
      } catch (err) {
        if (!isBusy(err)) throw translateSqliteError(err, this.path);
        if (attempt >= BUSY_RETRIES) {
          const waitedMs = (BUSY_RETRIES + 1) * this.#busyTimeoutMs;
          throw new BusyError(
            `Database ${this.path} stayed locked by another process for ${
              waitedMs < 1000 ? `${waitedMs} ms` : `${waitedMs / 1000} s`
            }, through ${
              BUSY_RETRIES + 1
            } attempts. Retry later, or stop the process that keeps a transaction open on it.`,
            { cause: err },
          );
        }
      }
    }
  }
}

const CANONICAL_TIMESTAMP = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/;

/**
 * Formats a time as the table stores it: UTC `YYYY-MM-DD HH:MM:SS.ffffff`.
 * JavaScript dates carry milliseconds, so the last three digits are zero.
 */
export function formatTimestamp(date: Date): string {
  return `${date.toISOString().slice(0, 23).replace("T", " ")}000`;
}

/**
 * Parses a stored time. Accepts the table's own form and the ISO 8601 forms
 * that other writers use; a time without a zone is UTC.
 */
export function parseTimestamp(text: string): Date | null {
  if (CANONICAL_TIMESTAMP.test(text)) {
    // The table's own form. list() decodes one per volume, so the digits
    // are read in place, which takes half the time of slicing.
    const month = digitsAt(text, 5, 2);
    const day = digitsAt(text, 8, 2);
    const date = new Date(
      Date.UTC(
        digitsAt(text, 0, 4),
        month - 1,
        day,
        digitsAt(text, 11, 2),
        digitsAt(text, 14, 2),
        digitsAt(text, 17, 2),
        digitsAt(text, 20, 3),
      ),
    );
    // Date.UTC rolls 2024-13-45 over into 2025; such a time is unreadable.
    const valid = date.getUTCMonth() === month - 1 &&
      date.getUTCDate() === day && digitsAt(text, 11, 2) < 24 &&
      digitsAt(text, 14, 2) < 60 && digitsAt(text, 17, 2) < 60;
    return valid ? date : null;
  }
  const match =
    /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/
      .exec(text.trim());
  if (match === null) return null;
  const fraction = (match[7] ?? "").padEnd(3, "0").slice(0, 3);
  const zone = match[8] ?? "Z";
  const date = new Date(
    `${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}:${
      match[6]
    }.${fraction}${zone}`,
  );
  if (Number.isNaN(date.getTime())) return null;
  // The Date parser accepts day 31 of any month and rolls it over.
  const rolledOver = zone === "Z" &&
    date.getUTCDate() !== Number(match[3]);
  return rolledOver ? null : date;
}

/** Reads `count` ASCII digits of `text` from `start` as a number. */
function digitsAt(text: string, start: number, count: number): number {
  let value = 0;
  for (let index = start; index < start + count; index++) {
    value = value * 10 + text.charCodeAt(index) - 48;
  }
  return value;
}

function decodeRow(row: Record<string, unknown>): VolumeRecord {
  const kind = row.kind === "disk" ? "disk" : "dir";
  return {
    id: Number(row.id),
    name: String(row.name),
    kind,
    quotaMib: toNumberOrNull(row.quota_mib),
    capacityBytes: toNumberOrNull(row.capacity_bytes),
    diskFormat: typeof row.disk_format === "string" ? row.disk_format : null,
    diskFstype: typeof row.disk_fstype === "string" ? row.disk_fstype : null,
    labels: decodeLabels(row.labels),
    createdAt:
      (typeof row.created_at === "string"
        ? parseTimestamp(row.created_at)
        : null) ?? new Date(0),
  };
}

function toNumberOrNull(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  const number = Number(value);
  return Number.isFinite(number) ? number : null;
}

/**
 * Decodes the `labels` column: a JSON array of pairs, or a JSON object that
 * other writers may store.
 */
function decodeLabels(value: unknown): Label[] {
  if (typeof value !== "string" || value === "") return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    // NOTE: an unreadable labels cell is read as no labels, so that one bad
    // row written by another tool does not hide every volume.
    return [];
  }
  if (Array.isArray(parsed)) {
    return parsed.filter((pair): pair is [string, string] =>
      Array.isArray(pair) && pair.length === 2 &&
      typeof pair[0] === "string" && typeof pair[1] === "string"
    );
  }
  if (parsed !== null && typeof parsed === "object") {
    return Object.entries(parsed).map((
      [key, entry],
    ) =>
      [key, typeof entry === "string" ? entry : JSON.stringify(entry)] as const
    );
  }
  return [];
}

function openDatabase(path: string, readOnly: boolean): DatabaseSync {
  try {
    Deno.mkdirSync(path.slice(0, path.lastIndexOf("/")), { recursive: true });
  } catch (err) {
    throw describeIoError(err, `create the database directory of ${path}`);
  }
  try {
    if (!readOnly) return new DatabaseSync(path);
    // A read-only file is opened as immutable, so SQLite creates no -wal or
    // -shm file beside it. A reader without write access to the directory
    // could not create them, and files made read-only this way would keep
    // the database read-only after its owner made it writable again.
    // NOTE: an immutable connection does not see changes that another
    // process makes meanwhile. Only a writer that ignores file modes, such
    // as root, could make any.
    const url = new URL("file:///");
    url.pathname = path;
    url.searchParams.set("immutable", "1");
    return new DatabaseSync(url, { readOnly: true });
  } catch (err) {
    if (err instanceof Deno.errors.NotCapable) {
      throw describeIoError(err, `open database ${path}`);
    }
    throw new DatabaseError(
      `Cannot open database ${path}: ${
        err instanceof Error ? err.message : String(err)
      }. Check that the file is an SQLite database and readable.`,
      { cause: err },
    );
  }
}

/**
 * Rejects a database path that exists but is not a regular file: opening a
 * FIFO would block forever.
 */
function checkRegularFile(path: string): void {
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return;
    throw describeIoError(err, `check database ${path}`);
  }
  if (!info.isFile) {
    throw new DatabaseError(
      `Database ${path} is not a regular file. Move it aside, or point MSB_HOME at another home.`,
    );
  }
}

/**
 * Reports whether the database file exists but cannot be written: it has no write
 * permission bits (even for root, whom the kernel would let write), or the
 * kernel refuses to open it for writing.
 */
function isReadOnlyFile(path: string): boolean {
  let mode: number | null;
  try {
    mode = Deno.statSync(path).mode;
  } catch {
    return false;
  }
  if (mode !== null && (mode & 0o222) === 0) return true;
  try {
    Deno.openSync(path, { write: true }).close();
    return false;
  } catch (err) {
    return err instanceof Deno.errors.PermissionDenied;
  }
}

function sqliteMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function isBusy(err: unknown): boolean {
  const code = (err as { errcode?: number })?.errcode;
  if (typeof code === "number") {
    const primary = code & 0xff;
    return primary === 5 || primary === 6;
  }
  return /database (table )?is locked|database is busy/i.test(
    sqliteMessage(err),
  );
}

function isUniqueViolation(err: unknown): boolean {
  return (err as { errcode?: number })?.errcode === 2067 ||
    /UNIQUE constraint failed/.test(sqliteMessage(err));
}

function translateSqliteError(err: unknown, path: string): unknown {
  if (
    !(err instanceof Error) ||
    (err as { code?: string }).code !== "ERR_SQLITE_ERROR"
  ) {
    return err;
  }
  if (isUniqueViolation(err)) return err;
  const message = err.message;
  if (/file is not a database|file is encrypted/i.test(message)) {
    return new DatabaseError(
      `Database ${path} is not an SQLite database (${message}). Restore it from a backup, or point MSB_HOME at another home. Volumes without rows are kept, never pruned.`,
      { cause: err },
    );
  }
  if (/readonly|read-only/i.test(message)) {
    return new DatabaseError(
      `Database ${path} is read-only (${message}). Make the file and its directory writable or use another MSB_HOME.`,
      { cause: err },
    );
  }
  if (/database or disk is full|SQLITE_FULL/i.test(message)) {
    return new IoError(
      `Database ${path} cannot be written: no space left on device. Free some space and retry.`,
      { cause: err },
    );
  }
  if (/disk I\/O error/i.test(message)) {
    return new IoError(
      `Database ${path} failed with a disk I/O error. Check that the disk has free space and works, then retry.`,
      { cause: err },
    );
  }
  if (/malformed|corrupt/i.test(message)) {
    return new DatabaseError(
      `Database ${path} is corrupt (${message}). Restore it from a backup or move it aside.`,
      { cause: err },
    );
  }
  return new DatabaseError(`Database ${path} failed: ${message}.`, {
    cause: err,
  });
}
