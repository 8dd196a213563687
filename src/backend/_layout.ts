/**
 * The file layout of a local home, and the names of the temporary entries
 * that create and remove use.
 *
 * ```
 * <home>/db/msb.db                      metadata, shared with microsandbox
 * <home>/volumes/<name>/                a volume: its files, or disk.raw
 * <home>/volumes/.staging-<name>-<hex>  a volume being created
 * <home>/volumes/.removing-<name>-<hex> a volume being deleted
 * <home>/volumes/.locks/<name>.lock     serialises create and remove
 * ```
 *
 * Entries that start with `.` cannot clash with volume names, which start
 * with a letter or digit.
 *
 * @module
 */

import { describeIoError } from "../_io.ts";
import { InvalidConfigError } from "../errors.ts";

/** File name of the image inside a disk volume's directory. */
export const DISK_FILE_NAME = "disk.raw";

const STAGING_PREFIX = ".staging-";
const REMOVING_PREFIX = ".removing-";
const LOCKS_DIR = ".locks";
const SUFFIX_PATTERN = /^(.+)-[0-9a-f]{16}$/;

/** Paths of one home. */
export class HomeLayout {
  /** Absolute home directory. */
  readonly home: string;
  /** Directory that contains the volumes. */
  readonly volumesDir: string;
  /** Path of the metadata database. */
  readonly databasePath: string;
  /** Directory of the per-name lock files. */
  readonly locksDir: string;

  /** Lays out the paths under `home`. */
  constructor(home: string) {
    this.home = home;
    this.volumesDir = `${home}/volumes`;
    this.databasePath = `${home}/db/msb.db`;
    this.locksDir = `${this.volumesDir}/${LOCKS_DIR}`;
  }

  /** Directory of the volume `name`. */
  volumeDir(name: string): string {
    return `${this.volumesDir}/${name}`;
  }

  /** Image path of the disk volume `name`. */
  diskPath(name: string): string {
    return `${this.volumeDir(name)}/${DISK_FILE_NAME}`;
  }

  /** Lock file that serialises create and remove of `name`. */
  lockPath(name: string): string {
    return `${this.locksDir}/${name}.lock`;
  }

  /** Returns a new staging directory path for creating `name`. */
  stagingDir(name: string): string {
    return `${this.volumesDir}/${STAGING_PREFIX}${name}-${randomHex()}`;
  }

  /** Returns a new path to move the volume `name` to while deleting it. */
  removingDir(name: string): string {
    return `${this.volumesDir}/${REMOVING_PREFIX}${name}-${randomHex()}`;
  }

  /** Creates the volumes and locks directories when they are missing. */
  ensureDirs(): void {
    try {
      Deno.mkdirSync(this.locksDir, { recursive: true });
    } catch (err) {
      throw describeIoError(err, `create directory ${this.locksDir}`);
    }
  }
}

/** Role of an entry of the volumes directory, judged by its name. */
export type EntryRole =
  | { role: "volume"; name: string }
  | { role: "staging"; name: string }
  | { role: "removing"; name: string }
  | { role: "locks" }
  | { role: "unknown" };

/** Classifies an entry of the volumes directory by its name. */
export function classifyEntry(
  entryName: string,
  isValidName: (name: string) => boolean,
): EntryRole {
  if (entryName === LOCKS_DIR) return { role: "locks" };
  for (
    const [prefix, role] of [
      [STAGING_PREFIX, "staging"],
      [REMOVING_PREFIX, "removing"],
    ] as const
  ) {
    if (entryName.startsWith(prefix)) {
      const match = SUFFIX_PATTERN.exec(entryName.slice(prefix.length));
      if (match !== null && isValidName(match[1])) {
        return { role, name: match[1] };
      }
      return { role: "unknown" };
    }
  }
  return isValidName(entryName)
    ? { role: "volume", name: entryName }
    : { role: "unknown" };
}

/**
 * Resolves the home directory: the explicit option, else `$MSB_HOME`, else
 * `~/.microsandbox`. A relative path is taken from the working directory.
 */
export function resolveHome(home?: string): string {
  let path = home;
  if (path === undefined || path === "") {
    const fromEnv = readEnv("MSB_HOME");
    if (fromEnv !== undefined && fromEnv !== "") {
      path = fromEnv;
    } else {
      const userHome = readEnv("HOME");
      if (userHome === undefined || userHome === "") {
        throw new InvalidConfigError(
          "Cannot find the microsandbox home: neither MSB_HOME nor HOME is set. Set MSB_HOME or pass the home option.",
        );
      }
      path = `${userHome}/.microsandbox`;
    }
  }
  if (!path.startsWith("/")) path = `${Deno.cwd()}/${path}`;
  return path.replace(/\/+$/, "") || "/";
}

function readEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch (err) {
    throw describeIoError(err, `read the environment variable ${name}`);
  }
}

function randomHex(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join(
    "",
  );
}
