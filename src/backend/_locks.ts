/**
 * Advisory locks (`flock`) that order processes sharing one home.
 *
 * - A name lock, exclusive, serialises create, remove and prune of one name.
 *   Operations on different names take different files and never wait for
 *   each other.
 * - A volume lock, shared by the processes that use a volume, makes remove
 *   fail with {@linkcode VolumeInUseError} unless forced. It is taken on the
 *   image of a disk volume and on the directory of a dir volume.
 *
 * The kernel drops a process's locks when it exits, so a crash never leaves
 * a stale lock.
 *
 * @module
 */

import { describeIoError } from "../_io.ts";
import { VolumeInUseError, VolumeNotFoundError } from "../errors.ts";
import type { VolumeLock } from "./types.ts";

/** An exclusive lock on a name; release it with `using`. */
export interface NameLock extends Disposable {
  /** Releases the lock and closes its file. */
  release(): void;
}

/** Waits for the exclusive lock on `path`, creating the lock file if needed. */
export async function lockName(path: string): Promise<NameLock> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true, write: true, create: true });
  } catch (err) {
    throw describeIoError(err, `open lock file ${path}`);
  }
  try {
    await file.lock(true);
  } catch (err) {
    file.close();
    throw describeIoError(err, `lock ${path}`);
  }
  return closingLock(file);
}

/**
 * Takes the exclusive lock on `path` if no other holder has it.
 *
 * @returns The lock, or `null` when another holder has it.
 */
export async function tryLockName(path: string): Promise<NameLock | null> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true, write: true, create: true });
  } catch (err) {
    throw describeIoError(err, `open lock file ${path}`);
  }
  try {
    if (await file.tryLock(true)) return closingLock(file);
  } catch (err) {
    file.close();
    throw describeIoError(err, `lock ${path}`);
  }
  file.close();
  return null;
}

/**
 * Takes a volume lock on `target`, the image or directory of volume `name`.
 *
 * @throws {VolumeInUseError} If a conflicting holder has it and `wait` is
 * false.
 * @throws {VolumeNotFoundError} If the target does not exist.
 */
export async function lockVolumeTarget(
  name: string,
  target: string,
  exclusive: boolean,
  wait: boolean,
): Promise<VolumeLock> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(target, { read: true });
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new VolumeNotFoundError(
        `Volume ${JSON.stringify(name)} not found: ${target} is missing.`,
        { cause: err },
      );
    }
    throw describeIoError(err, `open ${target} to lock volume "${name}"`);
  }
  try {
    if (wait) {
      await file.lock(exclusive);
    } else if (!(await file.tryLock(exclusive))) {
      throw new VolumeInUseError(
        `Volume ${JSON.stringify(name)} is in use: another holder has ${
          exclusive ? "a" : "an exclusive"
        } lock on ${target}. Stop the sandbox that uses it, or wait.`,
      );
    }
  } catch (err) {
    file.close();
    throw err instanceof VolumeInUseError
      ? err
      : describeIoError(err, `lock ${target}`);
  }
  const lock = closingLock(file);
  return {
    name,
    exclusive,
    release: lock.release,
    [Symbol.dispose]: lock.release,
    [Symbol.asyncDispose]: () => {
      lock.release();
      return Promise.resolve();
    },
  };
}

function closingLock(file: Deno.FsFile): NameLock {
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    // Closing the file drops its flock.
    file.close();
  };
  return { release, [Symbol.dispose]: release };
}
