/**
 * `deno bench` of `Volume.list()` on a home with 1,000 `dir` volumes, with
 * a bare `SELECT` of the same rows through `node:sqlite` as the baseline.
 *
 * @module
 */

import { DatabaseSync } from "node:sqlite";
import { LocalBackend, setDefaultBackend, Volume } from "../mod.ts";
import { seedVolumes } from "../scripts/bench/seed.ts";
import { makeTempDirRemovedAtExit } from "./_temp.ts";

const COUNT = 1_000;
const home = await makeTempDirRemovedAtExit("msb-deno-bench-list-");
seedVolumes(home, COUNT);
setDefaultBackend(new LocalBackend({ home }));
const db = new DatabaseSync(`${home}/db/msb.db`, { readOnly: true });
const select = db.prepare(
  "SELECT id, name, kind, quota_mib, capacity_bytes, disk_format, " +
    "disk_fstype, labels, created_at FROM volume " +
    "ORDER BY created_at DESC, id DESC",
);

Deno.bench({
  name: "Volume.list() 1,000 volumes",
  group: "list 1,000 volumes",
  async fn() {
    const volumes = await Volume.list();
    if (volumes.length !== COUNT) {
      throw new Error(`Volume.list() returned ${volumes.length} volumes.`);
    }
  },
});

Deno.bench({
  name: "bare SELECT 1,000 rows",
  group: "list 1,000 volumes",
  baseline: true,
  fn() {
    select.all();
  },
});
