/**
 * Shared test helpers: temporary homes, a CLI runner and snapshots of a
 * home's state on disk and in the database.
 *
 * @module
 */

import { DatabaseSync } from "node:sqlite";
import { LocalBackend } from "../src/backend/local.ts";
import { type CommandResult, runCommand } from "./_tools.ts";

/** Path of the CLI entry point. */
export const CLI_PATH = new URL("../src/cli/main.ts", import.meta.url).pathname;

/** Permissions the CLI needs, as the README lists them. */
export const CLI_PERMISSIONS = [
  "--allow-read",
  "--allow-write",
  "--allow-env=MSB_HOME,HOME",
];

/** A temporary home and a backend on it; dispose to delete both. */
export interface TempHome extends AsyncDisposable {
  /** Home directory. */
  readonly home: string;
  /** Backend on the home. */
  readonly backend: LocalBackend;
}

/** Makes a temporary home, removed when disposed. */
export async function tempHome(prefix = "msb-test-"): Promise<TempHome> {
  const home = await Deno.makeTempDir({ prefix });
  const backend = new LocalBackend({ home });
  return {
    home,
    backend,
    async [Symbol.asyncDispose]() {
      backend.close();
      await Deno.remove(home, { recursive: true });
    },
  };
}

/** What a CLI run printed and returned. */
export type CliResult = CommandResult;

/** Runs the CLI as a child process with `MSB_HOME` set to `home`. */
export async function runCli(
  home: string,
  args: string[],
  permissions: string[] = CLI_PERMISSIONS,
): Promise<CliResult> {
  return await runCommand(Deno.execPath(), {
    args: ["run", "--quiet", ...permissions, CLI_PATH, ...args],
    env: { MSB_HOME: home, NO_COLOR: "1" },
  });
}

/** Path of the child process script of the concurrency and crash tests. */
const CHILD_PATH = new URL("./_child.ts", import.meta.url).pathname;

/**
 * Starts tests/_child.ts with the CLI's permissions on `home`; see that
 * file for its commands. Standard output is piped unless `stdout` says
 * otherwise.
 */
export function spawnChild(
  home: string,
  args: string[],
  stdout: "piped" | "null" = "piped",
): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      "--allow-read",
      "--allow-write",
      "--allow-env",
      CHILD_PATH,
      ...args,
    ],
    env: { MSB_HOME: home },
    stdout,
    stderr: stdout,
  }).spawn();
}

/** Entries of `<home>/volumes`, sorted, without the locks directory. */
export function volumeEntries(home: string): string[] {
  try {
    return [...Deno.readDirSync(`${home}/volumes`)]
      .map((entry) => entry.name)
      .filter((name) => name !== ".locks")
      .sort();
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return [];
    throw err;
  }
}

/** Names in the `volume` table, sorted; empty when there is no database. */
export function volumeRows(home: string): string[] {
  const path = `${home}/db/msb.db`;
  try {
    Deno.statSync(path);
  } catch {
    return [];
  }
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return db.prepare("SELECT name FROM volume ORDER BY name").all().map((
      row,
    ) => String(row.name));
  } finally {
    db.close();
  }
}

/** Returns a snapshot of everything a home contains: entries and rows. */
export function snapshot(home: string): { entries: string[]; rows: string[] } {
  return { entries: volumeEntries(home), rows: volumeRows(home) };
}
