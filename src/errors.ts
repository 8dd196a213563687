/**
 * Error classes of the module. Every error that the module raises on purpose
 * is a {@linkcode MicrosandboxError} whose `code` is stable across releases,
 * so callers can branch on `err.code` or on the class.
 *
 * @module
 */

/**
 * Stable identifier of an error class, the value of `err.code`.
 *
 * @example Switch on the code
 * ```ts
 * import assert from "node:assert/strict";
 * import { type ErrorCode, VolumeInUseError } from "@msb/volumes";
 *
 * function advice(code: ErrorCode): string {
 *   switch (code) {
 *     case "VolumeInUse":
 *       return "stop the sandbox, or remove with force";
 *     case "VolumeNotFound":
 *       return "check the name";
 *     default:
 *       return "see the message";
 *   }
 * }
 * const err = new VolumeInUseError('Volume "data" is in use.');
 * assert.equal(advice(err.code), "stop the sandbox, or remove with force");
 * ```
 */
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
 * import assert from "node:assert/strict";
 * import { LocalBackend, MicrosandboxError } from "@msb/volumes";
 *
 * const home = await Deno.makeTempDir();
 * const backend = new LocalBackend({ home });
 * let code = "";
 * try {
 *   await backend.getVolume("missing");
 * } catch (err) {
 *   if (!(err instanceof MicrosandboxError)) throw err;
 *   code = err.code;
 * }
 * assert.equal(code, "VolumeNotFound");
 *
 * backend.close();
 * await Deno.remove(home, { recursive: true });
 * ```
 */
export class MicrosandboxError extends Error {
  /**
   * Stable identifier of the error class, the same for every instance of a
   * class.
   *
   * @example Read the code
   * ```ts
   * import assert from "node:assert/strict";
   * import { InvalidConfigError, parseSize } from "@msb/volumes";
   *
   * assert.throws(
   *   () => parseSize("1.5G"),
   *   (err) => err instanceof InvalidConfigError && err.code === "InvalidConfig",
   * );
   * ```
   */
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
 * @example Create one and read its code
 * ```ts
 * import assert from "node:assert/strict";
 * import { VolumeAlreadyExistsError } from "@msb/volumes";
 *
 * const err = new VolumeAlreadyExistsError('Volume "data" already exists.');
 * assert.equal(err.code, "VolumeAlreadyExists");
 * ```
 */
export class VolumeAlreadyExistsError extends MicrosandboxError {
  /**
   * Creates the error with the code `VolumeAlreadyExists`.
   *
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
 * @example Create one and read its code
 * ```ts
 * import assert from "node:assert/strict";
 * import { VolumeNotFoundError } from "@msb/volumes";
 *
 * const err = new VolumeNotFoundError('Volume "data" not found.');
 * assert.equal(err.code, "VolumeNotFound");
 * ```
 */
export class VolumeNotFoundError extends MicrosandboxError {
  /**
   * Creates the error with the code `VolumeNotFound`.
   *
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
 * @example Create one and read its code
 * ```ts
 * import assert from "node:assert/strict";
 * import { VolumeInUseError } from "@msb/volumes";
 *
 * const err = new VolumeInUseError('Volume "data" is in use.');
 * assert.equal(err.code, "VolumeInUse");
 * ```
 */
export class VolumeInUseError extends MicrosandboxError {
  /**
   * Creates the error with the code `VolumeInUse`.
   *
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
 * @example Create one and read its code
 * ```ts
 * import assert from "node:assert/strict";
 * import { InvalidConfigError } from "@msb/volumes";
 *
 * const err = new InvalidConfigError("Invalid size 0: expected at least 8 MiB.");
 * assert.equal(err.code, "InvalidConfig");
 * ```
 */
export class InvalidConfigError extends MicrosandboxError {
  /**
   * Creates the error with the code `InvalidConfig`.
   *
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
 * @example Create one and read its code
 * ```ts
 * import assert from "node:assert/strict";
 * import { InvalidPathError } from "@msb/volumes";
 *
 * const err = new InvalidPathError('Invalid path "a\\0b" in volume "data".');
 * assert.equal(err.code, "InvalidPath");
 * ```
 */
export class InvalidPathError extends MicrosandboxError {
  /**
   * Creates the error with the code `InvalidPath`.
   *
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
 * @example Create one and read its code
 * ```ts
 * import assert from "node:assert/strict";
 * import { PathNotFoundError } from "@msb/volumes";
 *
 * const err = new PathNotFoundError('Path "a.txt" not found in volume "data".');
 * assert.equal(err.code, "PathNotFound");
 * ```
 */
export class PathNotFoundError extends MicrosandboxError {
  /**
   * Creates the error with the code `PathNotFound`.
   *
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
 * @example Create one and read its code
 * ```ts
 * import assert from "node:assert/strict";
 * import { PathAlreadyExistsError } from "@msb/volumes";
 *
 * const err = new PathAlreadyExistsError('Path "a" already exists in volume "data".');
 * assert.equal(err.code, "PathAlreadyExists");
 * ```
 */
export class PathAlreadyExistsError extends MicrosandboxError {
  /**
   * Creates the error with the code `PathAlreadyExists`.
   *
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
 * @example Create one and read its code
 * ```ts
 * import assert from "node:assert/strict";
 * import { NotADirectoryError } from "@msb/volumes";
 *
 * const err = new NotADirectoryError('Path "a.txt" in volume "data" is not a directory.');
 * assert.equal(err.code, "NotADirectory");
 * ```
 */
export class NotADirectoryError extends MicrosandboxError {
  /**
   * Creates the error with the code `NotADirectory`.
   *
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
 * @example Create one and read its code
 * ```ts
 * import assert from "node:assert/strict";
 * import { IsADirectoryError } from "@msb/volumes";
 *
 * const err = new IsADirectoryError('Path "logs" in volume "data" is a directory.');
 * assert.equal(err.code, "IsADirectory");
 * ```
 */
export class IsADirectoryError extends MicrosandboxError {
  /**
   * Creates the error with the code `IsADirectory`.
   *
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
 * @example Create one and read its code
 * ```ts
 * import assert from "node:assert/strict";
 * import { UnsupportedError } from "@msb/volumes";
 *
 * const err = new UnsupportedError("CloudBackend does not support list.");
 * assert.equal(err.code, "Unsupported");
 * ```
 */
export class UnsupportedError extends MicrosandboxError {
  /**
   * Creates the error with the code `Unsupported`.
   *
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
 * @example Create one and read its code
 * ```ts
 * import assert from "node:assert/strict";
 * import { BusyError } from "@msb/volumes";
 *
 * const err = new BusyError("Database /tmp/msb.db is busy.");
 * assert.equal(err.code, "Busy");
 * ```
 */
export class BusyError extends MicrosandboxError {
  /**
   * Creates the error with the code `Busy`.
   *
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
 * @example Create one and read its code
 * ```ts
 * import assert from "node:assert/strict";
 * import { DatabaseError } from "@msb/volumes";
 *
 * const err = new DatabaseError("Database /tmp/msb.db is not an SQLite file.");
 * assert.equal(err.code, "Database");
 * ```
 */
export class DatabaseError extends MicrosandboxError {
  /**
   * Creates the error with the code `Database`.
   *
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
 * @example Create one and read its code
 * ```ts
 * import assert from "node:assert/strict";
 * import { PermissionDeniedError } from "@msb/volumes";
 *
 * const err = new PermissionDeniedError("Read access denied: run with --allow-read.");
 * assert.equal(err.code, "PermissionDenied");
 * ```
 */
export class PermissionDeniedError extends MicrosandboxError {
  /**
   * Creates the error with the code `PermissionDenied`.
   *
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
 * @example Create one and read its code
 * ```ts
 * import assert from "node:assert/strict";
 * import { IoError } from "@msb/volumes";
 *
 * const err = new IoError("Writing /tmp/disk.raw failed: no space left on device.");
 * assert.equal(err.code, "Io");
 * ```
 */
export class IoError extends MicrosandboxError {
  /**
   * Creates the error with the code `Io`.
   *
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
 * @example Create one and read its code
 * ```ts
 * import assert from "node:assert/strict";
 * import { InternalError } from "@msb/volumes";
 *
 * const err = new InternalError("The ext4 formatter returned code 99.");
 * assert.equal(err.code, "Internal");
 * ```
 */
export class InternalError extends MicrosandboxError {
  /**
   * Creates the error with the code `Internal`.
   *
   * @param message Sentence that describes the broken invariant.
   * @param options Standard error options, such as `cause`.
   */
  constructor(message: string, options?: ErrorOptions) {
    super("Internal", message, options);
  }
}
