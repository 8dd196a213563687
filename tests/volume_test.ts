import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import {
  CloudBackend,
  DatabaseError,
  getDefaultBackend,
  LocalBackend,
  setDefaultBackend,
  UnsupportedError,
  Volume,
  VolumeAlreadyExistsError,
  VolumeNotFoundError,
} from "../mod.ts";
import { snapshot, tempHome, volumeEntries } from "./_helpers.ts";

const MIB = 1024 * 1024;

/** Runs `body` with the default backend on a fresh temporary home. */
async function withDefaultHome(
  body: (home: string, backend: LocalBackend) => Promise<void>,
): Promise<void> {
  await using temp = await tempHome();
  setDefaultBackend(temp.backend);
  try {
    await body(temp.home, temp.backend);
  } finally {
    setDefaultBackend(null);
  }
}

Deno.test("Volume.builder().create() makes a dir volume", async () => {
  await withDefaultHome(async (home) => {
    const volume = await Volume.builder("data").create();
    assert.equal(volume.name, "data");
    assert.equal(volume.kind, "dir");
    assert.equal(volume.path, `${home}/volumes/data`);
    assert.equal(volume.capacityBytes, null);
    assert.equal(volume.quotaMib, null);
    assert.equal(volume.diskFormat, null);
    assert.equal(volume.diskFstype, null);
    assert.equal(volume.diskPath, null);
    assert.equal(volume.backendKind, "local");
    assert.ok(Deno.statSync(volume.path).isDirectory);
    assert.deepEqual(snapshot(home), { entries: ["data"], rows: ["data"] });
  });
});

Deno.test("Volume.get() returns every field", async () => {
  await withDefaultHome(async (home) => {
    const before = Date.now();
    await Volume.builder("logs").quota(512).label("team", "ml").create();
    const handle = await Volume.get("logs");
    assert.equal(handle.name, "logs");
    assert.equal(handle.kind, "dir");
    assert.equal(handle.path, `${home}/volumes/logs`);
    assert.equal(handle.quotaMib, 512);
    assert.equal(handle.capacityBytes, 512 * MIB);
    assert.deepEqual(handle.labels, [["team", "ml"]]);
    assert.equal(handle.backendKind, "local");
    assert.ok(handle.createdAt instanceof Date);
    assert.ok(handle.createdAt.getTime() >= before - 1000);
    assert.ok(handle.createdAt.getTime() <= Date.now() + 1000);
    assert.ok(handle.usedBytes >= 0);
  });
});

Deno.test("Volume labels round trip", async () => {
  await withDefaultHome(async () => {
    const labels: Array<[string, string]> = [
      ["owner", ""],
      ["a", "b=c"],
      ["unicode", "żółw 🐢"],
      ["spaces", "two words"],
    ];
    let builder = Volume.builder("lab");
    for (const [key, value] of labels) builder = builder.label(key, value);
    const created = await builder.create();
    assert.deepEqual(created.labels, labels);
    assert.deepEqual((await Volume.get("lab")).labels, labels);
    assert.deepEqual((await Volume.list())[0].labels, labels);
  });
});

Deno.test("Volume.list() returns newest first", async () => {
  await withDefaultHome(async () => {
    for (const name of ["first", "second", "third"]) {
      await Volume.builder(name).create();
    }
    assert.deepEqual((await Volume.list()).map((handle) => handle.name), [
      "third",
      "second",
      "first",
    ]);
  });
});

Deno.test("Volume.list() is empty on a new home", async () => {
  await withDefaultHome(async () => {
    assert.deepEqual(await Volume.list(), []);
  });
});

Deno.test("Volume.remove() deletes row and directory", async () => {
  await withDefaultHome(async (home) => {
    const volume = await Volume.builder("gone").create();
    await Deno.writeTextFile(`${volume.path}/file.txt`, "data");
    await Volume.remove("gone");
    assert.deepEqual(snapshot(home), { entries: [], rows: [] });
    await assert.rejects(Volume.get("gone"), VolumeNotFoundError);
    await assert.rejects(Volume.remove("gone"), VolumeNotFoundError);
  });
});

Deno.test("VolumeHandle.remove() removes the volume", async () => {
  await withDefaultHome(async (home) => {
    await Volume.builder("h").create();
    const handle = await Volume.get("h");
    await handle.remove();
    assert.deepEqual(snapshot(home), { entries: [], rows: [] });
  });
});

Deno.test("Volume create rejects a taken name", async () => {
  await withDefaultHome(async (home) => {
    const volume = await Volume.builder("dup").create();
    await Deno.writeTextFile(`${volume.path}/keep.txt`, "keep");
    await assert.rejects(
      Volume.builder("dup").create(),
      (err: Error) => {
        assert.ok(err instanceof VolumeAlreadyExistsError);
        assert.match(err.message, /"dup"/);
        return true;
      },
    );
    assert.equal(await Deno.readTextFile(`${volume.path}/keep.txt`), "keep");
    assert.deepEqual(snapshot(home), { entries: ["dup"], rows: ["dup"] });
  });
});

Deno.test("Volume.create() accepts a plain config", async () => {
  await withDefaultHome(async () => {
    const config = Volume.builder("plain").quota(64).label("k", "v").build();
    const volume = await Volume.create(config);
    assert.equal(volume.quotaMib, 64);
    assert.equal(volume.capacityBytes, 64 * MIB);
    assert.deepEqual(volume.labels, [["k", "v"]]);
  });
});

Deno.test("VolumeHandle.usedBytes counts allocated blocks", async () => {
  await withDefaultHome(async () => {
    const volume = await Volume.builder("used").create();
    const empty = (await Volume.get("used")).usedBytes;

    await Deno.writeFile(`${volume.path}/one-mib`, new Uint8Array(MIB).fill(1));
    const withFile = (await Volume.get("used")).usedBytes;
    assert.ok(withFile - empty >= MIB, `grew by ${withFile - empty}`);

    // A sparse 10 GiB file adds almost nothing.
    const sparse = await Deno.open(`${volume.path}/sparse`, {
      write: true,
      create: true,
    });
    await sparse.truncate(10 * 1024 * MIB);
    sparse.close();
    const withSparse = (await Volume.get("used")).usedBytes;
    assert.ok(
      withSparse - withFile < MIB,
      `sparse added ${withSparse - withFile}`,
    );

    // A hard link is counted once.
    await Deno.link(`${volume.path}/one-mib`, `${volume.path}/link`);
    const withLink = (await Volume.get("used")).usedBytes;
    assert.equal(withLink, withSparse);
  });
});

Deno.test("VolumeHandle.usedBytes does not follow symlinks", async () => {
  await withDefaultHome(async (home) => {
    const volume = await Volume.builder("links").create();
    const before = (await Volume.get("links")).usedBytes;
    await Deno.writeFile(`${home}/outside`, new Uint8Array(4 * MIB).fill(7));
    await Deno.mkdir(`${home}/outside-dir`);
    await Deno.writeFile(
      `${home}/outside-dir/big`,
      new Uint8Array(4 * MIB).fill(7),
    );
    await Deno.symlink(`${home}/outside`, `${volume.path}/file-link`);
    await Deno.symlink(`${home}/outside-dir`, `${volume.path}/dir-link`);
    const after = (await Volume.get("links")).usedBytes;
    assert.ok(after - before < MIB, `links added ${after - before}`);
  });
});

Deno.test("Volume objects keep their backend", async () => {
  await using first = await tempHome();
  await using second = await tempHome();
  setDefaultBackend(first.backend);
  try {
    const volume = await Volume.builder("kept").create();
    const handle = await Volume.get("kept");
    setDefaultBackend(second.backend);
    assert.deepEqual(await Volume.list(), []);
    assert.equal(volume.path, `${first.home}/volumes/kept`);
    await handle.remove();
    assert.deepEqual(snapshot(first.home), { entries: [], rows: [] });
  } finally {
    setDefaultBackend(null);
  }
});

Deno.test("default backend uses MSB_HOME", async () => {
  await using temp = await tempHome();
  const saved = Deno.env.get("MSB_HOME");
  Deno.env.set("MSB_HOME", temp.home);
  setDefaultBackend(null);
  try {
    const backend = getDefaultBackend();
    assert.ok(backend instanceof LocalBackend);
    assert.equal(backend.home, temp.home);
    await Volume.builder("env").create();
    assert.deepEqual(snapshot(temp.home).rows, ["env"]);
    backend.close();
  } finally {
    setDefaultBackend(null);
    if (saved === undefined) Deno.env.delete("MSB_HOME");
    else Deno.env.set("MSB_HOME", saved);
  }
});

Deno.test("LocalBackend resolves a relative home", () => {
  const backend = new LocalBackend({ home: "rel/home/" });
  assert.equal(backend.home, `${Deno.cwd()}/rel/home`);
});

Deno.test("CloudBackend rejects every operation", async () => {
  const cloud = new CloudBackend();
  const operations: Array<[string, () => Promise<unknown>]> = [
    ["create", () => cloud.createVolume({ name: "a" })],
    ["get", () => cloud.getVolume("a")],
    ["list", () => cloud.scanVolumes()],
    ["remove", () => cloud.removeVolume("a")],
    ["lock", () => cloud.lockVolume("a")],
    ["prune", () => cloud.prune()],
  ];
  for (const [operation, call] of operations) {
    await assert.rejects(call(), (err: Error) => {
      assert.ok(err instanceof UnsupportedError, operation);
      assert.match(err.message, new RegExp(`support ${operation}:`));
      return true;
    });
  }
  setDefaultBackend(cloud);
  try {
    await assert.rejects(Volume.list(), UnsupportedError);
    await assert.rejects(Volume.builder("a").create(), UnsupportedError);
  } finally {
    setDefaultBackend(null);
  }
});

const MICROSANDBOX_TABLE = `CREATE TABLE volume (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT UNIQUE NOT NULL,
  kind TEXT NOT NULL DEFAULT 'dir',
  quota_mib INTEGER,
  size_bytes BIGINT,
  capacity_bytes BIGINT,
  disk_format TEXT,
  disk_fstype TEXT,
  labels TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
)`;

function schemaOf(path: string): string {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return db.prepare(
      "SELECT sql FROM sqlite_master WHERE name = 'volume'",
    ).get()!.sql as string;
  } finally {
    db.close();
  }
}

Deno.test("LocalBackend reads an existing microsandbox table", async () => {
  await using temp = await tempHome();
  await Deno.mkdir(`${temp.home}/db`);
  await Deno.mkdir(`${temp.home}/volumes/existing`, { recursive: true });
  const path = `${temp.home}/db/msb.db`;
  const db = new DatabaseSync(path);
  db.exec(MICROSANDBOX_TABLE);
  db.prepare(
    `INSERT INTO volume (name, kind, quota_mib, size_bytes, labels, created_at, updated_at)
     VALUES ('existing', 'dir', 100, 4096, '[["from","msb"]]',
             '2025-06-01 10:20:30.123456', '2025-06-01 10:20:30.123456')`,
  ).run();
  db.close();
  const schemaBefore = schemaOf(path);

  const handle = new Volume(
    await temp.backend.getVolume("existing"),
    temp.backend,
  );
  assert.equal(handle.quotaMib, 100);
  assert.deepEqual(handle.labels, [["from", "msb"]]);
  assert.equal(handle.createdAt.toISOString(), "2025-06-01T10:20:30.123Z");

  await temp.backend.createVolume({ name: "ours" });
  const scan = await temp.backend.scanVolumes();
  assert.deepEqual(scan.volumes.map((volume) => volume.name), [
    "ours",
    "existing",
  ]);
  assert.equal(schemaOf(path), schemaBefore);
});

Deno.test("LocalBackend writes the documented row format", async () => {
  await using temp = await tempHome();
  await temp.backend.createVolume({
    name: "row",
    quotaMib: 10,
    labels: [["a", "b"]],
  });
  const db = new DatabaseSync(`${temp.home}/db/msb.db`, { readOnly: true });
  try {
    const row = db.prepare("SELECT * FROM volume WHERE name = 'row'").get()!;
    assert.equal(row.kind, "dir");
    assert.equal(row.quota_mib, 10);
    assert.equal(row.capacity_bytes, null);
    assert.equal(row.labels, '[["a","b"]]');
    assert.match(
      String(row.created_at),
      /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/,
    );
    assert.equal(row.updated_at, row.created_at);
    const mode = db.prepare("PRAGMA journal_mode").get()!;
    assert.equal(mode.journal_mode, "wal");
  } finally {
    db.close();
  }
});

Deno.test("LocalBackend reads an older table as dir volumes", async () => {
  await using temp = await tempHome();
  await Deno.mkdir(`${temp.home}/db`);
  await Deno.mkdir(`${temp.home}/volumes/old`, { recursive: true });
  const path = `${temp.home}/db/msb.db`;
  const db = new DatabaseSync(path);
  db.exec(`CREATE TABLE volume (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT UNIQUE NOT NULL,
    quota_mib INTEGER,
    labels TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  )`);
  db.exec(
    `INSERT INTO volume (name, created_at, updated_at)
     VALUES ('old', '2024-01-02 03:04:05.000000', '2024-01-02 03:04:05.000000')`,
  );
  db.close();
  const schemaBefore = schemaOf(path);

  const old = await temp.backend.getVolume("old");
  assert.equal(old.kind, "dir");
  assert.equal(old.diskPath, null);
  await temp.backend.createVolume({ name: "newdir", labels: [["k", "v"]] });
  assert.deepEqual((await temp.backend.getVolume("newdir")).labels, [[
    "k",
    "v",
  ]]);

  const before = snapshot(temp.home);
  await assert.rejects(
    temp.backend.createVolume({ name: "img", kind: "disk", sizeMib: 16 }),
    (err: Error) => {
      assert.ok(err instanceof DatabaseError);
      assert.match(
        err.message,
        /kind, capacity_bytes, disk_format, disk_fstype/,
      );
      assert.match(err.message, /"img"/);
      return true;
    },
  );
  assert.deepEqual(snapshot(temp.home), before);
  assert.equal(schemaOf(path), schemaBefore);
});

Deno.test("LocalBackend rejects a file that is not SQLite", async () => {
  await using temp = await tempHome();
  await Deno.mkdir(`${temp.home}/db`);
  const path = `${temp.home}/db/msb.db`;
  const garbage = "not a database, just text\n".repeat(200);
  await Deno.writeTextFile(path, garbage);
  await assert.rejects(
    temp.backend.createVolume({ name: "a" }),
    (err: Error) => {
      assert.ok(err instanceof DatabaseError);
      assert.ok(err.message.includes(path), err.message);
      assert.match(err.message, /not an SQLite database/);
      return true;
    },
  );
  assert.equal(await Deno.readTextFile(path), garbage);
  assert.deepEqual(volumeEntries(temp.home), []);
});

Deno.test("LocalBackend reads but will not write a read-only database", async () => {
  await using temp = await tempHome();
  await temp.backend.createVolume({ name: "kept" });
  temp.backend.close();
  const path = `${temp.home}/db/msb.db`;
  // Fold the WAL into the main file so the read-only file is complete.
  const db = new DatabaseSync(path);
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  db.close();
  await Deno.chmod(path, 0o444);
  const readOnly = new LocalBackend({ home: temp.home });
  try {
    const scan = await readOnly.scanVolumes();
    assert.deepEqual(scan.volumes.map((volume) => volume.name), ["kept"]);
    const before = snapshot(temp.home);
    for (
      const attempt of [
        () => readOnly.createVolume({ name: "new" }),
        () => readOnly.removeVolume("kept"),
      ]
    ) {
      await assert.rejects(attempt(), (err: Error) => {
        assert.ok(err instanceof DatabaseError);
        assert.ok(err.message.includes(path), err.message);
        assert.match(err.message, /read-only/);
        return true;
      });
    }
    assert.deepEqual(snapshot(temp.home), before);
  } finally {
    readOnly.close();
    await Deno.chmod(path, 0o644);
  }
});
