/**
 * Translation of Deno's file system errors into the module's error classes.
 *
 * @module
 */

import { IoError, MicrosandboxError, PermissionDeniedError } from "./errors.ts";

/**
 * Converts an error from a Deno API into a module error whose message states
 * what failed. A Deno permission denial names the `--allow-*` flag to add;
 * errors that are already module errors pass through unchanged.
 *
 * @param err Error that a Deno API threw.
 * @param action What was attempted, completing "Cannot ...", such as
 * `create directory /x`.
 * @returns The module error to throw.
 */
export function describeIoError(
  err: unknown,
  action: string,
): MicrosandboxError {
  if (err instanceof MicrosandboxError) return err;
  const detail = err instanceof Error ? err.message : String(err);
  if (err instanceof Deno.errors.NotCapable) {
    const flag = /--allow-[a-z-]+/.exec(detail)?.[0];
    return new PermissionDeniedError(
      `Cannot ${action}: Deno denied the permission${
        flag === undefined ? "" : `, so run with ${flag}`
      } (${detail}).`,
      { cause: err },
    );
  }
  if (err instanceof Deno.errors.PermissionDenied) {
    return new PermissionDeniedError(
      `Cannot ${action}: the operating system denied access (${detail}). Check the owner, mode and attributes (lsattr) of the path.`,
      { cause: err },
    );
  }
  if ((err as { code?: string })?.code === "ENOSPC") {
    return new IoError(
      `Cannot ${action}: no space left on device. Free some space and retry.`,
      { cause: err },
    );
  }
  return new IoError(`Cannot ${action}: ${detail}.`, { cause: err });
}
