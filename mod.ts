/**
 * Named volumes for microsandbox sandboxes: persistent storage that lives on
 * the host as a directory (`dir`) or as a sparse raw ext4 disk image
 * (`disk`), with its metadata in SQLite at `<home>/db/msb.db`. The home is
 * `$MSB_HOME`, else `~/.microsandbox`: the same layout and `volume` table
 * that microsandbox uses, so both can share a home.
 *
 * The API mirrors the volume module of the microsandbox SDK.
 *
 * Permissions: `--allow-read` and `--allow-write` on the home, and
 * `--allow-env=MSB_HOME,HOME` unless a home is passed to
 * {@linkcode LocalBackend}. Nothing else: the ext4 formatter is WebAssembly
 * embedded in the module, so loading it needs no `--allow-read` or
 * `--allow-net`, and it runs in a worker with the caller's permissions.
 *
 * @example Create a disk volume, list volumes, remove it
 * ```ts
 * import assert from "node:assert/strict";
 * import { gib, LocalBackend, setDefaultBackend, Volume } from "@msb/volumes";
 *
 * // Volumes live in $MSB_HOME, else ~/.microsandbox; this example uses a
 * // temporary home instead.
 * const home = await Deno.makeTempDir();
 * setDefaultBackend(new LocalBackend({ home }));
 *
 * const volume = await Volume.builder("pgdata")
 *   .disk()
 *   .size(gib(20))
 *   .label("owner", "db")
 *   .create();
 * assert.equal(volume.diskPath, `${home}/volumes/pgdata/disk.raw`);
 *
 * const names = (await Volume.list()).map((handle) => handle.name);
 * assert.deepEqual(names, ["pgdata"]);
 * await Volume.remove("pgdata");
 *
 * await Deno.remove(home, { recursive: true });
 * ```
 *
 * @module
 */

export { Volume, VolumeHandle } from "./src/volume.ts";
export { VolumeBuilder } from "./src/builder.ts";
export {
  dedupeLabels,
  type Label,
  MAX_LABEL_KEY_LENGTH,
  MAX_LABEL_VALUE_LENGTH,
  MAX_NAME_LENGTH,
  parseLabel,
  resolveConfig,
  type ResolvedVolumeConfig,
  validateLabel,
  validateName,
  type VolumeConfig,
  type VolumeKind,
} from "./src/config.ts";
export {
  BYTES_PER_MIB,
  formatBytes,
  formatMib,
  gib,
  kib,
  MAX_SIZE_MIB,
  type Mebibytes,
  mib,
  MIN_DISK_SIZE_MIB,
  parseSize,
  tib,
} from "./src/size.ts";
export { LocalBackend, type LocalBackendOptions } from "./src/backend/local.ts";
export { CloudBackend } from "./src/backend/cloud.ts";
export { getDefaultBackend, setDefaultBackend } from "./src/backend/default.ts";
export type {
  BackendKind,
  CreateOptions,
  Leftover,
  LeftoverKind,
  LockOptions,
  PruneOptions,
  PruneReport,
  RemoveOptions,
  ScanOptions,
  ScanResult,
  VolumeBackend,
  VolumeInfo,
  VolumeLock,
} from "./src/backend/types.ts";
export {
  BusyError,
  DatabaseError,
  type ErrorCode,
  InternalError,
  InvalidConfigError,
  InvalidPathError,
  IoError,
  IsADirectoryError,
  MicrosandboxError,
  NotADirectoryError,
  PathAlreadyExistsError,
  PathNotFoundError,
  PermissionDeniedError,
  UnsupportedError,
  VolumeAlreadyExistsError,
  VolumeInUseError,
  VolumeNotFoundError,
} from "./src/errors.ts";
export {
  type FsEntry,
  type FsEntryKind,
  type FsMetadata,
  VolumeFs,
  VolumeFsReadStream,
  VolumeFsWriteSink,
} from "./src/fs.ts";
export {
  formatExt4,
  type FormatExt4Options,
  MAX_DISK_SIZE_BYTES,
  MIN_DISK_SIZE_BYTES,
} from "./src/ext4/format.ts";
