/**
 * Shared test helpers: temporary homes, a CLI runner and snapshots of a
 * home's state on disk and in the database.
 *
 * @module
 */

import { DatabaseSync } from "node:sqlite";
import { LocalBackend } from "../src/backend/local.ts";

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
export interface CliResult {
  /** Exit status. */
  readonly code: number;
  /** Standard output. */
  readonly stdout: string;
  /** Standard error. */
  readonly stderr: string;
}

/** Runs the CLI as a child process with `MSB_HOME` set to `home`. */
export async function runCli(
  home: string,
  args: string[],
  permissions: string[] = CLI_PERMISSIONS,
): Promise<CliResult> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", ...permissions, CLI_PATH, ...args],
    env: { MSB_HOME: home, NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
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
