// Private helpers of VolumeFs: symlink resolution confined to the volume
// root, and the checks that a host path still resolves inside it.

import {
  InvalidPathError,
  NotADirectoryError,
  PathNotFoundError,
} from "./errors.ts";
import {
  changedDuringCall,
  describePath,
  type FsRequest,
  mapFsError,
} from "./_fs_errors.ts";
import {
  formatSegments,
  isInsideRoot,
  joinHostPath,
  quote,
} from "./_fs_path.ts";

/**
 * Maximum number of symlinks followed while resolving one path, the value of
 * `MAXSYMLINKS` in Linux.
 */
export const MAX_SYMLINK_HOPS = 40;

// Maximum number of times one missing directory is created and looked at
// again, which bounds the loop when another process keeps removing it.
const MAX_CREATE_ATTEMPTS = 8;

/** A request together with the canonical host path of the volume root. */
export interface FsContext extends FsRequest {
  /** Root directory after `Deno.realPath`, free of symlinks. */
  readonly realRoot: string;
}

/** Symlink followed while resolving a path, kept for error messages. */
export interface FollowedSymlink {
  /** Volume path of the link itself. */
  readonly path: string;
  /** Target as stored in the link. */
  readonly target: string;
}

/** Result of resolving a request path inside the volume. */
export interface Location {
  /** Volume segments of the location, with every followed symlink replaced. */
  readonly segments: readonly string[];
  /** Real root joined with `segments`. */
  readonly hostPath: string;
  /** `lstat` of the location, or `null` when nothing exists there. */
  readonly info: Deno.FileInfo | null;
  /** Last symlink followed on the way, if any. */
  readonly symlink: FollowedSymlink | null;
}

/** Options of {@linkcode resolve} for the final and the missing components. */
export interface ResolveOptions {
  /** Follow a symlink in the final component instead of returning it. */
  readonly followFinal: boolean;
  /**
   * Create missing directories, the final component included. Only
   * components written in the request are created, never components that
   * come from a symlink target.
   */
  readonly create: boolean;
}

interface PendingSegment {
  readonly name: string;
  readonly fromSymlink: boolean;
}

/**
 * Resolves the volume root to its real path and checks that it is a
 * directory.
 *
 * @throws {PathNotFoundError} If the root directory does not exist.
 * @throws {NotADirectoryError} If the root is not a directory.
 */
export async function openContext(request: FsRequest): Promise<FsContext> {
  let realRoot: string;
  let info: Deno.FileInfo;
  try {
    realRoot = await Deno.realPath(request.root);
    info = await Deno.stat(realRoot);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new PathNotFoundError(
        `Root directory ${quote(request.root)} of volume ` +
          `${quote(request.volumeName)} not found.`,
        { cause: err },
      );
    }
    throw mapFsError(err, request);
  }
  if (!info.isDirectory) {
    throw new NotADirectoryError(
      `Root ${quote(request.root)} of volume ${quote(request.volumeName)} ` +
        "is not a directory.",
    );
  }
  return { ...request, realRoot };
}

/**
 * Resolves request segments one component at a time with `lstat` and
 * `readLink`, so that no symlink is followed out of the root.
 *
 * A relative symlink target is resolved against the directory that contains
 * the link, and an absolute target against the volume root. A `..` in a
 * target that climbs above the root is rejected. Every intermediate
 * component must be a directory after its symlinks are followed.
 *
 * @throws {InvalidPathError} If a symlink leads above the root, or more than
 * {@linkcode MAX_SYMLINK_HOPS} symlinks are followed.
 * @throws {NotADirectoryError} If an intermediate component is not a
 * directory.
 * @throws {PathNotFoundError} If an intermediate component is missing, or the
 * final one when `options.create` is set and it is named by a symlink.
 */
export async function resolve(
  context: FsContext,
  segments: readonly string[],
  options: ResolveOptions,
): Promise<Location> {
  const pending: PendingSegment[] = segments
    .map((name) => ({ name, fromSymlink: false }))
    .reverse();
  const done: string[] = [];
  let symlink: FollowedSymlink | null = null;
  let hops = 0;
  let createAttempts = 0;

  while (pending.length > 0) {
    const next = pending.pop()!;
    const isFinal = pending.length === 0;

    // Request paths are normalized, so ".." only comes from symlink targets.
    if (next.name === "..") {
      if (done.length === 0) throw symlinkLeadsOutside(context, symlink!);
      done.pop();
      continue;
    }

    const hostPath = joinHostPath(context.realRoot, [...done, next.name]);
    const info = await lstatOrNull(context, hostPath);

    if (info === null) {
      const missing = [...done, next.name];
      if (isFinal && !options.create) {
        return { segments: missing, hostPath, info: null, symlink };
      }
      if (!options.create || next.fromSymlink) {
        throw notFoundError(context, missing, symlink);
      }
      createAttempts++;
      if (createAttempts > MAX_CREATE_ATTEMPTS) {
        throw changedDuringCall(
          context,
          `directory ${quote(formatSegments(missing))} kept disappearing`,
        );
      }
      await createDirectory(context, hostPath, missing);
      // Look at the new directory again, because another process may have
      // put something else there in the meantime.
      pending.push(next);
      continue;
    }

    if (info.isSymlink && (!isFinal || options.followFinal)) {
      hops++;
      if (hops > MAX_SYMLINK_HOPS) throw tooManySymlinks(context);
      const target = await readLink(context, hostPath);
      symlink = { path: formatSegments([...done, next.name]), target };
      if (target.startsWith("/")) done.length = 0;
      const parts = target.split("/").filter((part) =>
        part !== "" && part !== "."
      );
      for (let i = parts.length - 1; i >= 0; i--) {
        pending.push({ name: parts[i], fromSymlink: true });
      }
      continue;
    }

    done.push(next.name);
    if (isFinal) return { segments: done, hostPath, info, symlink };
    if (!info.isDirectory) {
      throw new NotADirectoryError(
        `Path ${quote(context.path)} in volume ${quote(context.volumeName)} ` +
          `is invalid: ${quote(formatSegments(done))} is not a directory.`,
      );
    }
  }

  // The request named the root, or the last symlink pointed at a directory
  // already resolved, such as "." or "..".
  const hostPath = joinHostPath(context.realRoot, done);
  const info = await lstatOrNull(context, hostPath);
  return { segments: done, hostPath, info, symlink };
}

/**
 * Checks with `Deno.realPath` that a host path resolves inside the root at
 * this moment.
 *
 * @throws {IoError} If it resolves outside, which means that another process
 * replaced a directory with a symlink after it was checked.
 */
export async function assertInsideRoot(
  context: FsContext,
  hostPath: string,
  description: string,
): Promise<void> {
  let realPath: string;
  try {
    realPath = await Deno.realPath(hostPath);
  } catch (err) {
    throw mapFsError(err, context);
  }
  if (!isInsideRoot(context.realRoot, realPath)) {
    throw changedDuringCall(
      context,
      `${description} resolved to ${quote(realPath)}, outside the volume`,
    );
  }
}

/** Returns whether two `stat` results describe the same file. */
export function isSameFile(a: Deno.FileInfo, b: Deno.FileInfo): boolean {
  // NOTE: `ino` is null on Windows, where this compares only the device.
  return a.dev === b.dev && a.ino === b.ino;
}

/** Runs `Deno.lstat`, returning `null` when nothing exists at the path. */
export async function lstatOrNull(
  context: FsRequest,
  hostPath: string,
): Promise<Deno.FileInfo | null> {
  try {
    return await Deno.lstat(hostPath);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    throw mapFsError(err, context);
  }
}

/** Creates the error for a missing location, naming the symlink followed. */
export function notFoundError(
  context: FsRequest,
  missing: readonly string[],
  symlink: FollowedSymlink | null,
): PathNotFoundError {
  const base = `Path ${quote(context.path)} not found in volume ` +
    quote(context.volumeName);
  if (symlink === null) return new PathNotFoundError(`${base}.`);
  const absolute = symlink.target.startsWith("/")
    ? " (absolute symlink targets are resolved against the volume root)"
    : "";
  return new PathNotFoundError(
    `${base}: symlink ${quote(symlink.path)} points to ` +
      `${quote(symlink.target)}, and ${quote(formatSegments(missing))} ` +
      `does not exist in the volume${absolute}.`,
  );
}

async function readLink(context: FsContext, hostPath: string): Promise<string> {
  try {
    return await Deno.readLink(hostPath);
  } catch (err) {
    throw mapFsError(err, context);
  }
}

// Creates one directory without `recursive`, so that each parent was checked
// by `resolve`, then checks that it landed inside the root.
//
// NOTE: If the check fails, the new empty directory is left where it landed.
// Removing it by path could remove an empty directory of the same name that
// another process put there after another swap.
async function createDirectory(
  context: FsContext,
  hostPath: string,
  segments: readonly string[],
): Promise<void> {
  try {
    await Deno.mkdir(hostPath);
  } catch (err) {
    // Another process created it first, and `resolve` looks at it again.
    if (err instanceof Deno.errors.AlreadyExists) return;
    throw mapFsError(err, context);
  }
  await assertInsideRoot(
    context,
    hostPath,
    `new directory ${quote(formatSegments(segments))}`,
  );
}

function symlinkLeadsOutside(
  context: FsRequest,
  symlink: FollowedSymlink,
): InvalidPathError {
  return new InvalidPathError(
    `Invalid ${describePath(context)}: symlink ${quote(symlink.path)} ` +
      `points to ${quote(symlink.target)}, which leads above the volume root.`,
  );
}

function tooManySymlinks(context: FsRequest): InvalidPathError {
  return new InvalidPathError(
    `Invalid ${describePath(context)}: resolving it follows more than ` +
      `${MAX_SYMLINK_HOPS} symlinks, so it probably contains a symlink loop.`,
  );
}

/** Parent directory of a request path, and the final segment. */
export interface ParentLocation {
  /** Resolved parent directory, which exists. */
  readonly directory: Location & { readonly info: Deno.FileInfo };
  /** Final segment of the request. */
  readonly name: string;
  /** Host path of the final segment inside `directory`. */
  readonly hostPath: string;
}

/**
 * Resolves the parent of non-empty request segments, following symlinks,
 * and optionally creating missing directories.
 *
 * @throws {PathNotFoundError} If the parent does not exist and `create` is
 * false.
 * @throws {NotADirectoryError} If the parent is not a directory.
 */
export async function resolveParent(
  context: FsContext,
  segments: readonly string[],
  create: boolean,
): Promise<ParentLocation> {
  const name = segments[segments.length - 1];
  const directory = await resolve(context, segments.slice(0, -1), {
    followFinal: true,
    create,
  });
  const info = directory.info;
  if (info === null) {
    throw notFoundError(context, directory.segments, directory.symlink);
  }
  if (!info.isDirectory) {
    throw new NotADirectoryError(
      `Path ${quote(context.path)} in volume ${quote(context.volumeName)} ` +
        `is invalid: ${quote(formatSegments(directory.segments))} is not a ` +
        "directory.",
    );
  }
  return {
    directory: { ...directory, info },
    name,
    hostPath: joinHostPath(directory.hostPath, [name]),
  };
}
