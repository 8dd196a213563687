/**
 * Error classes of the module. Every error that the module raises on purpose
 * is a {@linkcode MicrosandboxError} whose `code` is stable across releases,
 * so callers can branch on `err.code` or on the class.
 *
 * @module
 */

/** Stable identifier of an error class, the value of `err.code`. */
export type ErrorCode =
  | "VolumeAlreadyExists"
  | "VolumeNotFound"
  | "VolumeInUse"
  | "InvalidConfig"
  | "InvalidPath"
  | "PathNotFound"
  | "PathAlreadyExists"
  | "NotADirectory"
  | "IsADirectory"
  | "Unsupported"
  | "Busy"
  | "Database"
  | "PermissionDenied"
  | "Io"
  | "Internal";

/**
 * Base class of every error that the module raises.
 *
 * @example Branch on the code
 * ```ts
 * import { MicrosandboxError, Volume } from "@msb/volumes";
 *
 * try {
 *   await Volume.get("missing");
 * } catch (err) {
 *   if (err instanceof MicrosandboxError && err.code === "VolumeNotFound") {
 *     console.log("no such volume");
 *   }
 * }
 * ```
 */
export class MicrosandboxError extends Error {
  /** Stable identifier of the error class. */
  readonly code: ErrorCode;

  /**
   * Creates an error with a code and a message.
   *
   * @param code Stable identifier of the error class.
   * @param message Sentence that names the value and what to do.
   * @param options Standard error options, such as `cause`.
   */
  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/**
 * A volume with the requested name already exists.
 *
 * @example
 * ```ts
 * import { VolumeAlreadyExistsError } from "@msb/volumes";
 * const err = new VolumeAlreadyExistsError('Volume "data" already exists.');
 * console.assert(err.code === "VolumeAlreadyExists");
 * ```
 */
export class VolumeAlreadyExistsError extends MicrosandboxError {
  /**
   * @param message Sentence that names the volume.
   * @param options Standard error options, such as `cause`.
   */
  constructor(message: string, options?: ErrorOptions) {
    super("VolumeAlreadyExists", message, options);
  }
}

/**
 * No volume has the requested name.
 *
 * @example
 * ```ts
 * import { VolumeNotFoundError } from "@msb/volumes";
 * const err = new VolumeNotFoundError('Volume "data" not found.');
 * console.assert(err.code === "VolumeNotFound");
 * ```
 */
export class VolumeNotFoundError extends MicrosandboxError {
  /**
   * @param message Sentence that names the volume.
   * @param options Standard error options, such as `cause`.
   */
  constructor(message: string, options?: ErrorOptions) {
    super("VolumeNotFound", message, options);
  }
}

/**
 * The volume is locked by a process that uses it, so it cannot be removed
 * without the force option.
 *
 * @example
 * ```ts
 * import { VolumeInUseError } from "@msb/volumes";
 * const err = new VolumeInUseError('Volume "data" is in use.');
 * console.assert(err.code === "VolumeInUse");
 * ```
 */
export class VolumeInUseError extends MicrosandboxError {
  /**
   * @param message Sentence that names the volume.
   * @param options Standard error options, such as `cause`.
   */
  constructor(message: string, options?: ErrorOptions) {
    super("VolumeInUse", message, options);
  }
}

/**
 * A name, size, quota, label or option is invalid.
 *
 * @example
 * ```ts
 * import { InvalidConfigError } from "@msb/volumes";
 * const err = new InvalidConfigError("Invalid size 0: expected at least 8 MiB.");
 * console.assert(err.code === "InvalidConfig");
 * ```
 */
export class InvalidConfigError extends MicrosandboxError {
  /**
   * @param message Sentence that names the value and the valid range.
   * @param options Standard error options, such as `cause`.
   */
  constructor(message: string, options?: ErrorOptions) {
    super("InvalidConfig", message, options);
  }
}

/**
 * A path given to {@linkcode VolumeFs} is malformed or leads outside the
 * volume.
 *
 * @example
 * ```ts
 * import { InvalidPathError } from "@msb/volumes";
 * const err = new InvalidPathError('Invalid path "a\\0b" in volume "data".');
 * console.assert(err.code === "InvalidPath");
 * ```
 */
export class InvalidPathError extends MicrosandboxError {
  /**
   * @param message Sentence that names the volume and the path.
   * @param options Standard error options, such as `cause`.
   */
  constructor(message: string, options?: ErrorOptions) {
    super("InvalidPath", message, options);
  }
}

/**
 * A path inside a volume does not exist.
 *
 * @example
 * ```ts
 * import { PathNotFoundError } from "@msb/volumes";
 * const err = new PathNotFoundError('Path "a.txt" not found in volume "data".');
 * console.assert(err.code === "PathNotFound");
 * ```
 */
export class PathNotFoundError extends MicrosandboxError {
  /**
   * @param message Sentence that names the volume and the path.
   * @param options Standard error options, such as `cause`.
   */
  constructor(message: string, options?: ErrorOptions) {
    super("PathNotFound", message, options);
  }
}

/**
 * A path inside a volume already exists where the operation needs it absent.
 *
 * @example
 * ```ts
 * import { PathAlreadyExistsError } from "@msb/volumes";
 * const err = new PathAlreadyExistsError('Path "a" already exists in volume "data".');
 * console.assert(err.code === "PathAlreadyExists");
 * ```
 */
export class PathAlreadyExistsError extends MicrosandboxError {
  /**
   * @param message Sentence that names the volume and the path.
   * @param options Standard error options, such as `cause`.
   */
  constructor(message: string, options?: ErrorOptions) {
    super("PathAlreadyExists", message, options);
  }
}

/**
 * A path inside a volume is used as a directory but is not one.
 *
 * @example
 * ```ts
 * import { NotADirectoryError } from "@msb/volumes";
 * const err = new NotADirectoryError('Path "a.txt" in volume "data" is not a directory.');
 * console.assert(err.code === "NotADirectory");
 * ```
 */
export class NotADirectoryError extends MicrosandboxError {
  /**
   * @param message Sentence that names the volume and the path.
   * @param options Standard error options, such as `cause`.
   */
  constructor(message: string, options?: ErrorOptions) {
    super("NotADirectory", message, options);
  }
}

/**
 * A path inside a volume is a directory where the operation needs a file.
 *
 * @example
 * ```ts
 * import { IsADirectoryError } from "@msb/volumes";
 * const err = new IsADirectoryError('Path "logs" in volume "data" is a directory.');
 * console.assert(err.code === "IsADirectory");
 * ```
 */
export class IsADirectoryError extends MicrosandboxError {
  /**
   * @param message Sentence that names the volume and the path.
   * @param options Standard error options, such as `cause`.
   */
  constructor(message: string, options?: ErrorOptions) {
    super("IsADirectory", message, options);
  }
}

/**
 * The operation is not available on this backend or volume kind.
 *
 * @example
 * ```ts
 * import { UnsupportedError } from "@msb/volumes";
 * const err = new UnsupportedError("CloudBackend does not support list.");
 * console.assert(err.code === "Unsupported");
 * ```
 */
export class UnsupportedError extends MicrosandboxError {
  /**
   * @param message Sentence that names the operation.
   * @param options Standard error options, such as `cause`.
   */
  constructor(message: string, options?: ErrorOptions) {
    super("Unsupported", message, options);
  }
}

/**
 * The database stayed locked by other processes after every retry.
 *
 * @example
 * ```ts
 * import { BusyError } from "@msb/volumes";
 * const err = new BusyError("Database /tmp/msb.db is busy.");
 * console.assert(err.code === "Busy");
 * ```
 */
export class BusyError extends MicrosandboxError {
  /**
   * @param message Sentence that names the database file.
   * @param options Standard error options, such as `cause`.
   */
  constructor(message: string, options?: ErrorOptions) {
    super("Busy", message, options);
  }
}

/**
 * The database file is not SQLite, is read-only, or has a schema that the
 * operation cannot use.
 *
 * @example
 * ```ts
 * import { DatabaseError } from "@msb/volumes";
 * const err = new DatabaseError("Database /tmp/msb.db is not an SQLite file.");
 * console.assert(err.code === "Database");
 * ```
 */
export class DatabaseError extends MicrosandboxError {
  /**
   * @param message Sentence that names the database file and the problem.
   * @param options Standard error options, such as `cause`.
   */
  constructor(message: string, options?: ErrorOptions) {
    super("Database", message, options);
  }
}

/**
 * Deno denied a permission that the operation needs. The message names the
 * `--allow-*` flag to add.
 *
 * @example
 * ```ts
 * import { PermissionDeniedError } from "@msb/volumes";
 * const err = new PermissionDeniedError("Read access denied: run with --allow-read.");
 * console.assert(err.code === "PermissionDenied");
 * ```
 */
export class PermissionDeniedError extends MicrosandboxError {
  /**
   * @param message Sentence that names the missing flag.
   * @param options Standard error options, such as `cause`.
   */
  constructor(message: string, options?: ErrorOptions) {
    super("PermissionDenied", message, options);
  }
}

/**
 * A file system operation on the host failed, for example because the disk
 * is full.
 *
 * @example
 * ```ts
 * import { IoError } from "@msb/volumes";
 * const err = new IoError("Writing /tmp/disk.raw failed: no space left on device.");
 * console.assert(err.code === "Io");
 * ```
 */
export class IoError extends MicrosandboxError {
  /**
   * @param message Sentence that names the file and the failure.
   * @param options Standard error options, such as `cause`.
   */
  constructor(message: string, options?: ErrorOptions) {
    super("Io", message, options);
  }
}

/**
 * A bug in the module: an invariant did not hold. Please report it.
 *
 * @example
 * ```ts
 * import { InternalError } from "@msb/volumes";
 * const err = new InternalError("The ext4 formatter returned code 99.");
 * console.assert(err.code === "Internal");
 * ```
 */
export class InternalError extends MicrosandboxError {
  /**
   * @param message Sentence that describes the broken invariant.
   * @param options Standard error options, such as `cause`.
   */
  constructor(message: string, options?: ErrorOptions) {
    super("Internal", message, options);
  }
}
