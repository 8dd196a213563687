import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { VolumeAlreadyExistsError } from "../mod.ts";
import {
  type FailpointName,
  setFailpoint,
} from "../src/backend/_failpoints.ts";
import { snapshot, tempHome } from "./_helpers.ts";

class InjectedFailure extends Error {}

async function withFailpoint(
  name: FailpointName,
  body: () => Promise<void>,
): Promise<void> {
  setFailpoint(name, () => {
    throw new InjectedFailure(`injected at ${name}`);
  });
  try {
    await body();
  } finally {
    setFailpoint(name, null);
  }
}

const CREATE_STEPS: Array<[FailpointName, "dir" | "disk"]> = [
  ["create:staged", "dir"],
  ["create:renamed", "dir"],
  ["create:staged", "disk"],
  ["create:formatted", "disk"],
  ["create:renamed", "disk"],
];

for (const [step, kind] of CREATE_STEPS) {
  Deno.test(`create of ${kind} volume fails cleanly at ${step}`, async () => {
    await using temp = await tempHome();
    await temp.backend.createVolume({ name: "other" });
    const before = snapshot(temp.home);
    await withFailpoint(step, async () => {
      await assert.rejects(
        temp.backend.createVolume({
          name: "victim",
          kind,
          sizeMib: kind === "disk" ? 64 : null,
        }),
        InjectedFailure,
      );
    });
    assert.deepEqual(snapshot(temp.home), before);
    const scan = await temp.backend.scanVolumes();
    assert.deepEqual(scan.leftovers, []);
  });
}

Deno.test("create undoes the rename when the insert fails", async () => {
  await using temp = await tempHome();
  // Another writer, such as microsandbox itself, takes the name between
  // the rename and the insert.
  setFailpoint("create:renamed", () => {
    const db = new DatabaseSync(`${temp.home}/db/msb.db`);
    db.exec(
      `INSERT INTO volume (name, created_at, updated_at)
       VALUES ('raced', '2025-01-01 00:00:00.000000', '2025-01-01 00:00:00.000000')`,
    );
    db.close();
  });
  try {
    await assert.rejects(
      temp.backend.createVolume({ name: "raced" }),
      VolumeAlreadyExistsError,
    );
  } finally {
    setFailpoint("create:renamed", null);
  }
  assert.deepEqual(snapshot(temp.home), { entries: [], rows: ["raced"] });
});

Deno.test("remove interrupted after the row leaves a prunable directory", async () => {
  await using temp = await tempHome();
  await temp.backend.createVolume({ name: "half" });
  await withFailpoint("remove:row-deleted", async () => {
    await assert.rejects(temp.backend.removeVolume("half"), InjectedFailure);
  });
  assert.deepEqual(snapshot(temp.home), { entries: ["half"], rows: [] });
  const scan = await temp.backend.scanVolumes();
  assert.deepEqual(scan.volumes, []);
  assert.deepEqual(scan.leftovers.map((leftover) => leftover.kind), [
    "interrupted-remove",
  ]);
  const report = await temp.backend.prune();
  assert.equal(report.leftovers.length, 1);
  assert.deepEqual(snapshot(temp.home), { entries: [], rows: [] });
});

Deno.test("remove interrupted after the rename leaves a prunable directory", async () => {
  await using temp = await tempHome();
  await temp.backend.createVolume({ name: "moved" });
  await withFailpoint("remove:renamed", async () => {
    await assert.rejects(temp.backend.removeVolume("moved"), InjectedFailure);
  });
  const { entries, rows } = snapshot(temp.home);
  assert.deepEqual(rows, []);
  assert.equal(entries.length, 1);
  assert.match(entries[0], /^\.removing-moved-[0-9a-f]{16}$/);
  const dryRun = await temp.backend.prune({ dryRun: true });
  assert.deepEqual(dryRun.leftovers.map((leftover) => leftover.kind), [
    "removing-directory",
  ]);
  assert.equal(snapshot(temp.home).entries.length, 1);
  await temp.backend.prune();
  assert.deepEqual(snapshot(temp.home), { entries: [], rows: [] });
});

Deno.test("remove interrupted before the row changes nothing", async () => {
  await using temp = await tempHome();
  await temp.backend.createVolume({ name: "kept" });
  await withFailpoint("remove:locked", async () => {
    await assert.rejects(temp.backend.removeVolume("kept"), InjectedFailure);
  });
  assert.deepEqual(snapshot(temp.home), { entries: ["kept"], rows: ["kept"] });
  assert.deepEqual((await temp.backend.scanVolumes()).leftovers, []);
});
