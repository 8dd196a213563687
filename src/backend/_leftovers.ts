/**
 * Classification of what a scan of a home finds besides complete volumes,
 * and the sentence that `ls` prints for each.
 *
 * @module
 */

import type { IntentOperation } from "../store.ts";
import type { EntryRole } from "./_layout.ts";
import type { Leftover } from "./types.ts";

/** Facts that a scan gathers about an entry of the volumes directory. */
export interface EntryFacts {
  /** Full path of the entry. */
  readonly path: string;
  /** Role of the entry judged by its name. */
  readonly role: EntryRole;
  /** Whether a row has the volume name of the entry. */
  readonly hasRow: boolean;
  /**
   * Operation recorded as running or interrupted on this very directory:
   * the recorded device and inode match the entry's.
   */
  readonly intent: IntentOperation | undefined;
  /** Whether another process holds the name lock now. */
  readonly inProgress: boolean;
}

/** Returns the leftover that an entry is, or `null` for a complete volume. */
export function judgeEntry(facts: EntryFacts): Leftover | null {
  const { path, role, inProgress } = facts;
  switch (role.role) {
    case "locks":
      return null;
    case "staging":
      return {
        kind: "staging-directory",
        name: role.name,
        path,
        prunable: true,
        inProgress,
        description: inProgress
          ? `${path} is a volume that another process is creating now.`
          : `${path} is a volume whose creation was interrupted.`,
      };
    case "removing":
      return {
        kind: "removing-directory",
        name: role.name,
        path,
        prunable: true,
        inProgress,
        description: inProgress
          ? `${path} is a volume that another process is removing now.`
          : `${path} is a volume whose removal was interrupted.`,
      };
    case "volume":
      if (facts.hasRow) return null;
      if (facts.intent === "create") {
        return {
          kind: "interrupted-create",
          name: role.name,
          path,
          prunable: true,
          inProgress,
          description: inProgress
            ? `${path} is a volume that another process is creating now.`
            : `${path} is a volume whose creation stopped before it was recorded.`,
        };
      }
      if (facts.intent === "remove") {
        return {
          kind: "interrupted-remove",
          name: role.name,
          path,
          prunable: true,
          inProgress,
          description: inProgress
            ? `${path} is a volume that another process is removing now.`
            : `${path} is a volume whose removal was interrupted after its row was deleted.`,
        };
      }
      return {
        kind: "directory-without-row",
        name: role.name,
        path,
        prunable: false,
        inProgress,
        description:
          `${path} has no database row and no record of an interrupted operation, as when the database was replaced. It is kept because it may hold data: restore the database, or move or delete the directory by hand.`,
      };
    case "unknown":
      return {
        kind: "unknown-entry",
        name: null,
        path,
        prunable: false,
        inProgress: false,
        description:
          `${path} is not a volume: its name does not follow the volume name rules. It is left alone.`,
      };
  }
}

/**
 * Returns the leftover for a row whose directory is missing. When the whole
 * volumes directory is missing, as on a disk that is not mounted, the row
 * is kept: its data may come back.
 */
export function rowWithoutDirectory(
  name: string,
  dir: string,
  inProgress: boolean,
  volumesDirMissing: boolean,
): Leftover {
  if (volumesDirMissing) {
    return {
      kind: "row-without-directory",
      name,
      path: null,
      prunable: false,
      inProgress,
      description: `Volume ${
        JSON.stringify(name)
      } has a database row, but the whole volumes directory ${
        dir.slice(0, dir.lastIndexOf("/"))
      } is missing. The row is kept: mount or restore that directory.`,
    };
  }
  return {
    kind: "row-without-directory",
    name,
    path: null,
    prunable: true,
    inProgress,
    description: `Volume ${
      JSON.stringify(name)
    } has a database row but no directory ${dir}; its data is gone.`,
  };
}

/** Returns the leftover for a row whose name breaks the name rules. */
export function invalidRow(name: string, database: string): Leftover {
  return {
    kind: "invalid-row",
    name: null,
    path: null,
    prunable: false,
    inProgress: false,
    description: `Database ${database} has a volume row named ${
      JSON.stringify(name)
    }, which breaks the volume name rules, so it is ignored and kept. Another tool wrote it.`,
  };
}
