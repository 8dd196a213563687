/**
 * Advisory locks (`flock`) that order processes sharing one home.
 *
 * - A name lock, exclusive, serialises create, remove and prune of one name.
 *   Operations on different names take different lock files, so across
 *   processes they wait only for SQLite's write lock.
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
  /**
   * Deletes the lock file, then releases the lock. Use it when the name no
   * longer exists, so that lock files do not pile up.
   */
  releaseAndDelete(): void;
}

/** Waits for the exclusive lock on `path`, creating the lock file if needed. */
export async function lockName(path: string): Promise<NameLock> {
  return (await acquireName(path, true))!;
}

/**
 * Takes the exclusive lock on `path` if no other holder has it.
 *
 * @returns The lock, or `null` when another holder has it.
 */
export async function tryLockName(path: string): Promise<NameLock | null> {
  return await acquireName(path, false);
}

/**
 * Reports whether another process holds the lock on `path`, without
 * creating the file when it is missing.
 */
export async function isNameLocked(path: string): Promise<boolean> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw describeIoError(err, `open lock file ${path}`);
  }
  try {
    return !(await file.tryLock(true));
  } catch (err) {
    throw describeIoError(err, `lock ${path}`);
  } finally {
    file.close();
  }
}

/**
 * Locks the file at `path`. A holder may delete the file before it
 * releases the lock, so a waiter can end up holding the lock of a deleted
 * file: it then checks that the path still leads to the file it locked,
 * and starts over when it does not.
 */
async function acquireName(
  path: string,
  wait: boolean,
): Promise<NameLock | null> {
  for (;;) {
    // Synchronous calls: an uncontended lock costs a few µs this way, where
    // each awaited call costs tens of µs.
    let file: Deno.FsFile;
    try {
      file = Deno.openSync(path, { read: true, write: true, create: true });
    } catch (err) {
      throw describeIoError(err, `open lock file ${path}`);
    }
    try {
      if (!file.tryLockSync(true)) {
        if (!wait) {
          file.close();
          return null;
        }
        await file.lock(true);
      }
      if (isSameFile(file, path)) return nameLock(file, path);
    } catch (err) {
      file.close();
      throw describeIoError(err, `lock ${path}`);
    }
    file.close();
  }
}

function isSameFile(file: Deno.FsFile, path: string): boolean {
  const locked = file.statSync();
  try {
    const current = Deno.statSync(path);
    return current.ino === locked.ino && current.dev === locked.dev;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  }
}

function nameLock(file: Deno.FsFile, path: string): NameLock {
  let isHeld = true;
  const release = () => {
    if (!isHeld) return;
    isHeld = false;
    // Closing the file drops its flock.
    file.close();
  };
  return {
    release,
    [Symbol.dispose]: release,
    releaseAndDelete: () => {
      // Once released, the path may lead to another holder's file.
      if (!isHeld) return;
      try {
        Deno.removeSync(path);
      } catch {
        // A lock file that stays behind is harmless: the next holder uses it.
      }
      release();
    },
  };
}

/**
 * Takes a volume lock on `target`, the image or directory of volume `name`.
 * Once the lock is held, it checks that `target` still leads to the locked
 * file and that `stillExists` returns true, because the volume may have
 * been removed while this waited.
 *
 * @throws {VolumeInUseError} If a conflicting holder has it and `wait` is
 * false.
 * @throws {VolumeNotFoundError} If the target does not exist, or the
 * volume was removed while this waited.
 */
export async function lockVolumeTarget(
  name: string,
  target: string,
  exclusive: boolean,
  wait: boolean,
  stillExists: () => boolean = () => true,
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
    if (!isSameFile(file, target) || !stillExists()) {
      throw new VolumeNotFoundError(
        `Volume ${
          JSON.stringify(name)
        } was removed while waiting for its lock.`,
      );
    }
  } catch (err) {
    file.close();
    throw err instanceof VolumeInUseError || err instanceof VolumeNotFoundError
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

function closingLock(
  file: Deno.FsFile,
): { release(): void; [Symbol.dispose](): void } {
  let isHeld = true;
  const release = () => {
    if (!isHeld) return;
    isHeld = false;
    // Closing the file drops its flock.
    file.close();
  };
  return { release, [Symbol.dispose]: release };
}
