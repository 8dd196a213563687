/**
 * Fills a home with many `dir` volumes at once, for benchmarks of listing.
 *
 * @module
 */

import { DatabaseSync } from "node:sqlite";
import { formatTimestamp, Store } from "../../src/store.ts";

/** Name of the `index`-th seeded volume: `bench-00000`, `bench-00001`, …. */
export function seededName(index: number): string {
  return `bench-${String(index).padStart(5, "0")}`;
}

/**
 * Inserts `count` `dir` volumes into the home's database in one
 * transaction and makes each volume's directory, as a real volume has.
 * Each row has the label `owner=bench` and a creation time one second after
 * the previous row's.
 *
 * Needs `--allow-read` and `--allow-write` on the home.
 *
 * @param home Home directory; its database and table are created when
 * missing.
 * @param count Number of volumes.
 * @returns The volume names, in insertion order.
 */
export function seedVolumes(home: string, count: number): string[] {
  const databasePath = `${home}/db/msb.db`;
  // The store creates the table with the layout that microsandbox uses.
  Store.openForWrite(databasePath).close();
  Deno.mkdirSync(`${home}/volumes`, { recursive: true });
  const names: string[] = [];
  const db = new DatabaseSync(databasePath);
  try {
    const insert = db.prepare(
      "INSERT INTO volume (name, kind, labels, created_at, updated_at) " +
        "VALUES (?, 'dir', ?, ?, ?)",
    );
    const labels = JSON.stringify([["owner", "bench"]]);
    const start = Date.UTC(2024, 0, 1);
    db.exec("BEGIN");
    try {
      for (let index = 0; index < count; index++) {
        const name = seededName(index);
        const created = formatTimestamp(new Date(start + index * 1000));
        insert.run(name, labels, created, created);
        Deno.mkdirSync(`${home}/volumes/${name}`);
        names.push(name);
      }
      db.exec("COMMIT");
    } catch (err) {
      db.exec("ROLLBACK");
      throw err;
    }
  } finally {
    db.close();
  }
  return names;
}
