/**
 * `deno bench` of creating and removing one `dir` volume, with `mkdir` +
 * a bare `INSERT` then `rmdir` + a bare `DELETE` on a database of the same
 * layout (WAL) as the baseline.
 *
 * @module
 */

import { DatabaseSync } from "node:sqlite";
import { LocalBackend, setDefaultBackend, Volume } from "../mod.ts";
import { Store } from "../src/store.ts";
import { makeTempDirRemovedAtExit } from "./_temp.ts";

const home = await makeTempDirRemovedAtExit("msb-deno-bench-volume-");
const referenceHome = await makeTempDirRemovedAtExit(
  "msb-deno-bench-volume-ref-",
);
setDefaultBackend(new LocalBackend({ home }));
// The store makes the table and switches the file to WAL.
Store.openForWrite(`${referenceHome}/db/msb.db`).close();
Deno.mkdirSync(`${referenceHome}/volumes`);
const db = new DatabaseSync(`${referenceHome}/db/msb.db`);
const insert = db.prepare(
  "INSERT INTO volume (name, kind, labels, created_at, updated_at) " +
    "VALUES (?, 'dir', '[]', ?, ?)",
);
const remove = db.prepare("DELETE FROM volume WHERE name = ?");

Deno.bench({
  name: "create + remove dir volume",
  group: "create and remove one dir volume",
  async fn() {
    await Volume.builder("bench").create();
    await Volume.remove("bench");
  },
});

Deno.bench({
  name: "mkdir + INSERT + rmdir + DELETE",
  group: "create and remove one dir volume",
  baseline: true,
  fn() {
    const dir = `${referenceHome}/volumes/bench`;
    Deno.mkdirSync(dir);
    const now = new Date().toISOString();
    insert.run("bench", now, now);
    Deno.removeSync(dir);
    remove.run("bench");
  },
});
