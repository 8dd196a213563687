// Private helpers of VolumeFs: the request context that error messages name,
// and the mapping from Deno errors to the module's error classes.

import {
  IoError,
  IsADirectoryError,
  MicrosandboxError,
  NotADirectoryError,
  PathAlreadyExistsError,
  PathNotFoundError,
  PermissionDeniedError,
} from "./errors.ts";
import { quote } from "./_fs_path.ts";

/** Public method of VolumeFs, used in messages. */
export type FsOperation =
  | "read"
  | "readToString"
  | "readStream"
  | "write"
  | "writeStream"
  | "list"
  | "mkdir"
  | "removeDir"
  | "remove"
  | "copy"
  | "rename"
  | "stat"
  | "exists";

/** One call of a VolumeFs method on one path argument. */
export interface FsRequest {
  /** Name of the volume, for messages. */
  readonly volumeName: string;
  /** Root directory as given to VolumeFs, for permission flag hints. */
  readonly root: string;
  /** Path argument as the caller wrote it. */
  readonly path: string;
  /** Method that was called. */
  readonly operation: FsOperation;
  /** Second path argument of `rename`, named in messages about the move. */
  readonly destination?: string;
}

const VERBS: Record<FsOperation, string> = {
  read: "read",
  readToString: "read",
  readStream: "read",
  write: "write",
  writeStream: "write",
  list: "list",
  mkdir: "create directory",
  removeDir: "remove directory",
  remove: "remove",
  copy: "copy",
  rename: "rename",
  stat: "inspect",
  exists: "inspect",
};

const READ_ONLY_OPERATIONS: ReadonlySet<FsOperation> = new Set([
  "read",
  "readToString",
  "readStream",
  "list",
  "stat",
  "exists",
]);

/** Formats `path "p" in volume "v"`, or `path "p" to "q" in volume "v"`. */
export function describePath(request: FsRequest): string {
  const destination = request.destination === undefined
    ? ""
    : ` to ${quote(request.destination)}`;
  return `path ${quote(request.path)}${destination} in volume ` +
    quote(request.volumeName);
}

/**
 * Converts an error thrown by a Deno file system API into the module's error
 * class for that failure. Errors of the module pass through unchanged.
 */
export function mapFsError(err: unknown, request: FsRequest): Error {
  if (err instanceof MicrosandboxError) return err;

  const path = quote(request.path);
  const volume = quote(request.volumeName);
  const options = { cause: err };
  if (err instanceof Deno.errors.NotFound) {
    return new PathNotFoundError(
      `Path ${path} not found in volume ${volume}.`,
      options,
    );
  }
  if (err instanceof Deno.errors.AlreadyExists) {
    return new PathAlreadyExistsError(
      `Path ${path} already exists in volume ${volume}.`,
      options,
    );
  }
  if (err instanceof Deno.errors.NotADirectory) {
    return new NotADirectoryError(
      `Path ${path} in volume ${volume} is not a directory, ` +
        "or one of its parents is not.",
      options,
    );
  }
  if (err instanceof Deno.errors.IsADirectory) {
    return new IsADirectoryError(
      `Path ${path} in volume ${volume} is a directory.`,
      options,
    );
  }

  const verb = VERBS[request.operation];
  if (err instanceof Deno.errors.NotCapable) {
    const flag = permissionFlag(err.message, request.operation);
    return new PermissionDeniedError(
      `Deno denied the access needed to ${verb} ${describePath(request)}: ` +
        `run with ${flag}=${request.root} or ${flag}.`,
      options,
    );
  }
  const detail = err instanceof Error ? err.message : String(err);
  return new IoError(
    `Failed to ${verb} ${describePath(request)}: ${detail}`,
    options,
  );
}

/**
 * Creates the error raised when a check before or after a system call finds
 * that another process changed the directory tree in between.
 */
export function changedDuringCall(
  request: FsRequest,
  detail: string,
): IoError {
  return new IoError(
    `Failed to ${VERBS[request.operation]} ${describePath(request)}: ` +
      `${detail}, because another process changed the volume during the ` +
      "call. Retry when nothing else changes that directory.",
  );
}

// Prefers the flag that Deno names in its message, because some operations
// need both read and write access.
function permissionFlag(message: string, operation: FsOperation): string {
  if (message.includes("--allow-write")) return "--allow-write";
  if (message.includes("--allow-read")) return "--allow-read";
  return READ_ONLY_OPERATIONS.has(operation) ? "--allow-read" : "--allow-write";
}
