// deno-lint-ignore-file no-console
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import {
  DatabaseError,
  InvalidConfigError,
  LocalBackend,
  PermissionDeniedError,
  type PruneOptions,
  VolumeAlreadyExistsError,
  VolumeNotFoundError,
} from "../mod.ts";
import { runCli, snapshot, tempHome } from "./_helpers.ts";
import { runTool } from "./_tools.ts";

/** Lists every path under `dir`, relative and sorted. */
function tree(dir: string): string[] {
  const found: string[] = [];
  const walk = (path: string, prefix: string) => {
    for (const entry of Deno.readDirSync(path)) {
      found.push(`${prefix}${entry.name}`);
      if (entry.isDirectory) {
        walk(`${path}/${entry.name}`, `${prefix}${entry.name}/`);
      }
    }
  };
  walk(dir, "");
  return found.sort();
}

Deno.test("reading a new home creates nothing", async () => {
  await using temp = await tempHome();
  assert.deepEqual((await temp.backend.scanVolumes()).volumes, []);
  await assert.rejects(temp.backend.getVolume("nope"), VolumeNotFoundError);
  await assert.rejects(temp.backend.removeVolume("nope"), VolumeNotFoundError);
  await assert.rejects(temp.backend.lockVolume("nope"), VolumeNotFoundError);
  await temp.backend.prune({ dryRun: true });
  assert.deepEqual(tree(temp.home), []);
});

/**
 * Writes a database as an older microsandbox leaves it: rollback journal,
 * and a `volume` table without the kind and disk columns.
 *
 * @returns The database path.
 */
function writeOldDatabase(home: string): string {
  Deno.mkdirSync(`${home}/db`);
  const path = `${home}/db/msb.db`;
  const db = new DatabaseSync(path);
  db.exec("PRAGMA journal_mode = DELETE");
  db.exec(`CREATE TABLE volume (
    id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE NOT NULL,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL)`);
  db.close();
  return path;
}

Deno.test("reading keeps the journal mode", async () => {
  await using temp = await tempHome();
  const path = writeOldDatabase(temp.home);
  await temp.backend.scanVolumes();
  await assert.rejects(temp.backend.getVolume("x"), VolumeNotFoundError);
  temp.backend.close();
  const check = new DatabaseSync(path, { readOnly: true });
  const mode = check.prepare("PRAGMA journal_mode").get()!;
  const tables = check.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
  ).all().map((row) => row.name);
  check.close();
  assert.equal(mode.journal_mode, "delete");
  assert.deepEqual(tables, ["sqlite_sequence", "volume"]);
});

Deno.test("remove deletes its lock file", async () => {
  await using temp = await tempHome();
  await temp.backend.createVolume({ name: "tidy" });
  await temp.backend.removeVolume("tidy");
  await assert.rejects(temp.backend.removeVolume("never"), VolumeNotFoundError);
  assert.deepEqual(tree(`${temp.home}/volumes`), [".locks"]);
});

Deno.test("failed remove puts the row back", async () => {
  await using temp = await tempHome();
  await temp.backend.createVolume({ name: "stuck", labels: [["k", "v"]] });
  const before = await temp.backend.getVolume("stuck");
  // An immutable volumes directory makes the rename fail, even for root.
  const immutable = await runTool("chattr", ["+i", `${temp.home}/volumes`]);
  if (immutable === null || immutable.code !== 0) {
    console.log(
      `failed remove test skipped: chattr +i failed: ${
        immutable?.output ?? "chattr is not installed"
      }`,
    );
    return;
  }
  try {
    await assert.rejects(
      temp.backend.removeVolume("stuck"),
      PermissionDeniedError,
    );
  } finally {
    await runTool("chattr", ["-i", `${temp.home}/volumes`]);
  }
  const after = await temp.backend.getVolume("stuck");
  assert.deepEqual(after.labels, before.labels);
  assert.equal(after.createdAt.getTime(), before.createdAt.getTime());
  assert.deepEqual((await temp.backend.scanVolumes()).leftovers, []);
  await temp.backend.removeVolume("stuck");
  assert.deepEqual(snapshot(temp.home), { entries: [], rows: [] });
});

Deno.test("lock waiter fails when the volume is removed", async () => {
  await using temp = await tempHome();
  await temp.backend.createVolume({ name: "gone", kind: "disk", sizeMib: 8 });
  const holder = await temp.backend.lockVolume("gone", { exclusive: true });
  const waiter = temp.backend.lockVolume("gone", { wait: true });
  await temp.backend.removeVolume("gone", { force: true });
  holder.release();
  await assert.rejects(waiter, (err: Error) => {
    assert.ok(err instanceof VolumeNotFoundError, String(err));
    assert.match(err.message, /removed while waiting/);
    return true;
  });
});

Deno.test("rows with unsafe names are ignored", async () => {
  await using temp = await tempHome();
  await temp.backend.createVolume({ name: "fine" });
  const outside = `${temp.home}/outside`;
  await Deno.mkdir(outside);
  const db = new DatabaseSync(`${temp.home}/db/msb.db`);
  for (const name of ["../../outside/evil", ".locks", "a/b"]) {
    db.prepare(
      `INSERT INTO volume (name, created_at, updated_at)
       VALUES (?, '2025-01-01 00:00:00.000000', '2025-01-01 00:00:00.000000')`,
    ).run(name);
  }
  db.close();
  const treeBefore = tree(temp.home);
  const scan = await temp.backend.scanVolumes();
  assert.deepEqual(scan.volumes.map((volume) => volume.name), ["fine"]);
  assert.deepEqual(scan.leftovers.map((leftover) => leftover.kind), [
    "invalid-row",
    "invalid-row",
    "invalid-row",
  ]);
  assert.ok(scan.leftovers.every((leftover) => !leftover.prunable));
  await temp.backend.prune({ dryRun: true, labels: [["any", null]] });
  await temp.backend.prune();
  assert.deepEqual(tree(temp.home), treeBefore);
  assert.deepEqual(tree(outside), []);
});

Deno.test("LocalBackend rejects bad options", async () => {
  await using temp = await tempHome();
  await temp.backend.createVolume({ name: "kept" });
  const bad: unknown[] = [
    { home: temp.home, busyTimeoutMs: "5000; DELETE FROM volume" },
    { home: temp.home, busyTimeoutMs: NaN },
    { home: temp.home, busyTimeoutMs: -1 },
    { home: temp.home, busyTimeoutMs: 1.5 },
    { home: 5 },
    null,
  ];
  for (const options of bad) {
    assert.throws(
      () =>
        new LocalBackend(
          options as ConstructorParameters<typeof LocalBackend>[0],
        ),
      InvalidConfigError,
      JSON.stringify(options),
    );
  }
  assert.deepEqual(snapshot(temp.home).rows, ["kept"]);
});

Deno.test("prune rejects bad options", async () => {
  await using temp = await tempHome();
  await temp.backend.createVolume({ name: "kept", labels: [["k", "v"]] });
  const bad: unknown[] = [
    { labels: "k" },
    { labels: [["k"]] },
    { labels: [["", null]] },
    { labels: [[1, "v"]] },
    "all",
  ];
  for (const options of bad) {
    await assert.rejects(
      temp.backend.prune(options as PruneOptions),
      InvalidConfigError,
      JSON.stringify(options),
    );
  }
  const report = await temp.backend.prune(null as unknown as PruneOptions);
  assert.deepEqual(report.volumes, []);
  assert.deepEqual(snapshot(temp.home).rows, ["kept"]);
});

Deno.test("prune reports volumes kept in use", async () => {
  await using temp = await tempHome();
  await temp.backend.createVolume({ name: "busy", labels: [["tmp", ""]] });
  await temp.backend.createVolume({ name: "idle", labels: [["tmp", ""]] });
  using _lock = await temp.backend.lockVolume("busy");
  const preview = await temp.backend.prune({
    dryRun: true,
    labels: [["tmp", null]],
  });
  assert.deepEqual(preview.volumes, ["idle"]);
  assert.deepEqual(preview.inUse, ["busy"]);
  const report = await temp.backend.prune({ labels: [["tmp", null]] });
  assert.deepEqual(report.volumes, ["idle"]);
  assert.deepEqual(report.inUse, ["busy"]);
  assert.deepEqual(snapshot(temp.home).rows, ["busy"]);
});

Deno.test("odd rows from other tools read safely", async () => {
  await using temp = await tempHome();
  await temp.backend.createVolume({ name: "seed" });
  const db = new DatabaseSync(`${temp.home}/db/msb.db`);
  const rows: Array<[string, string, string]> = [
    ["rollover", "2024-02-30 10:00:00.000000", "[]"],
    ["garbage", "9999-99-99 99:99:99.999999", "[]"],
    ["words", "yesterday", '{"n": 5, "o": {"a": 1}, "s": "x"}'],
    ["offset", "2030-01-01T05:00:00+05:00", "not json"],
  ];
  for (const [name, createdAt, labels] of rows) {
    await Deno.mkdir(`${temp.home}/volumes/${name}`);
    db.prepare(
      `INSERT INTO volume (name, labels, created_at, updated_at)
       VALUES (?, ?, ?, ?)`,
    ).run(name, labels, createdAt, createdAt);
  }
  db.close();
  const { volumes } = await temp.backend.scanVolumes();
  const byName = new Map(volumes.map((volume) => [volume.name, volume]));
  assert.equal(byName.get("rollover")!.createdAt.getTime(), 0);
  assert.equal(byName.get("garbage")!.createdAt.getTime(), 0);
  assert.equal(byName.get("words")!.createdAt.getTime(), 0);
  assert.deepEqual(byName.get("words")!.labels, [
    ["n", "5"],
    ["o", '{"a":1}'],
    ["s", "x"],
  ]);
  assert.equal(
    byName.get("offset")!.createdAt.toISOString(),
    "2030-01-01T00:00:00.000Z",
  );
  assert.deepEqual(byName.get("offset")!.labels, []);
  // Newest first by parsed time: the 2030 row leads, unreadable ones trail.
  assert.equal(volumes[0].name, "offset");
  assert.equal(volumes[1].name, "seed");
});

Deno.test("unreadable guest directory blocks nothing", async () => {
  // Root reads every directory, so the case needs another user.
  const script = new URL("./_child.ts", import.meta.url).pathname;
  const home = await Deno.makeTempDir({ prefix: "msb-nobody-" });
  try {
    await Deno.chmod(home, 0o777);
    const run = async (args: string[]) => {
      const output = await new Deno.Command("runuser", {
        args: [
          "-u",
          "nobody",
          "--",
          "env",
          `MSB_HOME=${home}`,
          "HOME=/tmp",
          `DENO_DIR=${home}/.deno`,
          Deno.execPath(),
          "run",
          "--quiet",
          "--allow-read",
          "--allow-write",
          "--allow-env",
          script,
          ...args,
        ],
        stdout: "piped",
        stderr: "piped",
      }).output();
      return new TextDecoder().decode(output.stdout).trim();
    };
    let created: string;
    try {
      created = await run(["create", "guest"]);
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
      console.log("unreadable directory test skipped: runuser is missing");
      return;
    }
    if (Deno.uid() !== 0 || created !== '{"ok":true}') {
      console.log(`unreadable directory test skipped: ${created}`);
      return;
    }
    // What a sandbox can leave: a directory its owner cannot read.
    const locked = `${home}/volumes/guest/secret`;
    await Deno.mkdir(`${locked}/deeper`, { recursive: true });
    await Deno.writeTextFile(`${locked}/deeper/file`, "x");
    await new Deno.Command("chown", {
      args: ["-R", "nobody", `${home}/volumes/guest/secret`],
    }).output();
    await Deno.chmod(locked, 0o000);
    assert.equal(await run(["list"]), '{"ok":true,"names":["guest"]}');
    assert.equal(await run(["remove", "guest"]), '{"ok":true}');
    assert.deepEqual(snapshot(home), { entries: [], rows: [] });
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

/** Writes a row of the module's intent table, as a killed process leaves. */
function writeIntent(
  home: string,
  name: string,
  operation: string,
  directoryId: string,
): void {
  const db = new DatabaseSync(`${home}/db/msb.db`);
  db.prepare(
    `INSERT OR REPLACE INTO msb_volumes_intent
     (name, operation, directory_id, started_at)
     VALUES (?, ?, ?, '2025-01-01 00:00:00.000000')`,
  ).run(name, operation, directoryId);
  db.close();
}

Deno.test("stale intents never reach new directories", async () => {
  await using temp = await tempHome();
  await temp.backend.createVolume({ name: "seed" });
  for (const [name, operation] of [["old", "create"], ["gone", "remove"]]) {
    // A directory that took the name after the intent was recorded, as
    // after restoring a database backup.
    await Deno.mkdir(`${temp.home}/volumes/${name}`);
    await Deno.writeTextFile(`${temp.home}/volumes/${name}/data`, "keep");
    writeIntent(temp.home, name, operation, "1:1");
  }
  await Deno.mkdir(`${temp.home}/volumes/other`);
  const otherInfo = Deno.lstatSync(`${temp.home}/volumes/other`);
  writeIntent(
    temp.home,
    "other",
    "adopt",
    `${otherInfo.dev}:${otherInfo.ino}`,
  );

  const scan = await temp.backend.scanVolumes();
  const kinds = new Map(
    scan.leftovers.map((leftover) => [leftover.name, leftover.kind]),
  );
  assert.equal(kinds.get("old"), "directory-without-row");
  assert.equal(kinds.get("gone"), "directory-without-row");
  assert.equal(kinds.get("other"), "directory-without-row");
  await temp.backend.prune();
  for (const name of ["old", "gone"]) {
    assert.equal(
      await Deno.readTextFile(`${temp.home}/volumes/${name}/data`),
      "keep",
    );
  }
  assert.ok(Deno.statSync(`${temp.home}/volumes/other`).isDirectory);
});

Deno.test("matching intent makes a directory prunable", async () => {
  await using temp = await tempHome();
  await temp.backend.createVolume({ name: "seed" });
  await Deno.mkdir(`${temp.home}/volumes/half`);
  const info = Deno.lstatSync(`${temp.home}/volumes/half`);
  writeIntent(temp.home, "half", "create", `${info.dev}:${info.ino}`);
  const scan = await temp.backend.scanVolumes();
  assert.deepEqual(scan.leftovers.map((leftover) => leftover.kind), [
    "interrupted-create",
  ]);
  const report = await temp.backend.prune();
  assert.equal(report.leftovers.length, 1);
  assert.deepEqual(snapshot(temp.home), { entries: ["seed"], rows: ["seed"] });
});

Deno.test("missing volumes directory keeps rows", async () => {
  await using temp = await tempHome();
  await temp.backend.createVolume({ name: "a", labels: [["k", "v"]] });
  await temp.backend.createVolume({ name: "b" });
  await Deno.rename(`${temp.home}/volumes`, `${temp.home}/unmounted`);
  const scan = await temp.backend.scanVolumes();
  assert.equal(scan.leftovers.length, 2);
  for (const leftover of scan.leftovers) {
    assert.equal(leftover.kind, "row-without-directory");
    assert.equal(leftover.prunable, false);
    assert.match(leftover.description, /whole volumes directory .* is missing/);
  }
  await temp.backend.prune();
  await Deno.remove(`${temp.home}/volumes`, { recursive: true }).catch(
    () => {},
  );
  await Deno.rename(`${temp.home}/unmounted`, `${temp.home}/volumes`);
  const back = await temp.backend.scanVolumes();
  assert.deepEqual(back.volumes.map((volume) => volume.name), ["b", "a"]);
  assert.deepEqual(back.volumes[1].labels, [["k", "v"]]);
});

Deno.test("cli folds the log into the database", async () => {
  await using temp = await tempHome();
  const result = await runCli(temp.home, ["create", "kept"]);
  assert.equal(result.code, 0, result.stderr);
  // A copy of the database file alone contains the row.
  const copy = `${temp.home}/copy.db`;
  await Deno.copyFile(`${temp.home}/db/msb.db`, copy);
  const db = new DatabaseSync(copy, { readOnly: true });
  const rows = db.prepare("SELECT name FROM volume").all();
  db.close();
  assert.deepEqual(rows.map((row) => row.name), ["kept"]);
});

Deno.test("read-only database gains no side files", async () => {
  await using temp = await tempHome();
  await temp.backend.createVolume({ name: "ro" });
  temp.backend.close();
  const dbDir = `${temp.home}/db`;
  await Deno.chmod(`${dbDir}/msb.db`, 0o444);
  const reader = new LocalBackend({ home: temp.home });
  try {
    const { volumes } = await reader.scanVolumes();
    assert.deepEqual(volumes.map((volume) => volume.name), ["ro"]);
  } finally {
    reader.close();
  }
  assert.deepEqual(tree(dbDir), ["msb.db"]);
  await Deno.chmod(`${dbDir}/msb.db`, 0o644);
  const writer = new LocalBackend({ home: temp.home });
  try {
    await writer.createVolume({ name: "after" });
  } finally {
    writer.close();
  }
  assert.deepEqual(snapshot(temp.home).rows, ["after", "ro"]);
});

Deno.test("prune goes on past a stuck leftover", async () => {
  await using temp = await tempHome();
  await temp.backend.createVolume({ name: "seed" });
  const volumes = `${temp.home}/volumes`;
  for (const name of ["a", "b", "c"]) {
    await Deno.mkdir(`${volumes}/.staging-${name}-0123456789abcdef`);
  }
  const stuck = `${volumes}/.staging-b-0123456789abcdef/stuck`;
  await Deno.writeTextFile(stuck, "x");
  const immutable = await runTool("chattr", ["+i", stuck]);
  if (immutable === null || immutable.code !== 0) {
    console.log(
      `prune test skipped: chattr +i failed: ${
        immutable?.output ?? "chattr is not installed"
      }`,
    );
    return;
  }
  let report;
  try {
    report = await temp.backend.prune();
  } finally {
    await runTool("chattr", ["-i", stuck]);
  }
  assert.deepEqual(report.leftovers.map((leftover) => leftover.name), [
    "a",
    "c",
  ]);
  assert.equal(report.errors.length, 1);
  assert.match(report.errors[0], /staging-b-0123456789abcdef/);
  assert.deepEqual(snapshot(temp.home).entries, [
    ".staging-b-0123456789abcdef",
    "seed",
  ]);
});

Deno.test("failed create leaves no lock file", async () => {
  await using temp = await tempHome();
  await temp.backend.createVolume({ name: "seed" });
  await Deno.mkdir(`${temp.home}/volumes/stray`);
  await assert.rejects(
    temp.backend.createVolume({ name: "stray" }),
    VolumeAlreadyExistsError,
  );
  await assert.rejects(
    temp.backend.createVolume({ name: "seed" }),
    VolumeAlreadyExistsError,
  );
  assert.deepEqual(tree(`${temp.home}/volumes/.locks`), ["seed.lock"]);
});

Deno.test("database that is a FIFO is rejected", async () => {
  await using temp = await tempHome();
  await Deno.mkdir(`${temp.home}/db`);
  const fifo = await runTool("mkfifo", [`${temp.home}/db/msb.db`]);
  if (fifo === null || fifo.code !== 0) {
    console.log("FIFO test skipped: mkfifo failed");
    return;
  }
  await assert.rejects(temp.backend.scanVolumes(), (err: Error) => {
    assert.ok(err instanceof DatabaseError, String(err));
    assert.match(err.message, /not a regular file/);
    return true;
  });
});

Deno.test("rejected disk create leaves an old database alone", async () => {
  await using temp = await tempHome();
  const path = writeOldDatabase(temp.home);
  const before = await Deno.readFile(path);
  await assert.rejects(
    temp.backend.createVolume({ name: "img", kind: "disk", sizeMib: 8 }),
    DatabaseError,
  );
  temp.backend.close();
  assert.deepEqual(await Deno.readFile(path), before);
  assert.deepEqual(tree(`${temp.home}/db`), ["msb.db"]);
});
