import assert from "node:assert/strict";
import {
  IoError,
  LocalBackend,
  Volume,
  VolumeHandle,
  VolumeInUseError,
} from "../mod.ts";
import { snapshot, tempHome } from "./_helpers.ts";
import { haveE2fsck, mountTmpfs, runTool, unmount } from "./_tools.ts";

const MIB = 1024 * 1024;

Deno.test("disk volume has an ext4 image", async () => {
  await using temp = await tempHome();
  const volume = new Volume(
    await temp.backend.createVolume({
      name: "img",
      kind: "disk",
      sizeMib: 1024,
      labels: [["fs", "ext4"]],
    }),
    temp.backend,
  );
  assert.equal(volume.kind, "disk");
  assert.equal(volume.diskFormat, "raw");
  assert.equal(volume.diskFstype, "ext4");
  assert.equal(volume.capacityBytes, 1024 * MIB);
  assert.equal(volume.diskPath, `${temp.home}/volumes/img/disk.raw`);
  assert.equal(volume.quotaMib, null);

  const stat = await Deno.stat(volume.diskPath!);
  assert.equal(stat.size, 1024 * MIB);
  // A sparse image: mkfs.ext4 allocates about 664 KiB for 1 GiB.
  assert.ok((stat.blocks ?? 0) * 512 < 2 * MIB, `allocated ${stat.blocks}`);

  const handle = new VolumeHandle(
    await temp.backend.getVolume("img"),
    temp.backend,
  );
  assert.equal(handle.capacityBytes, 1024 * MIB);
  assert.ok(handle.usedBytes < 2 * MIB, `usedBytes ${handle.usedBytes}`);
  assert.ok(handle.usedBytes >= (stat.blocks ?? 0) * 512);

  if (await haveE2fsck("disk volume has an ext4 image")) {
    const check = await runTool("e2fsck", ["-fn", volume.diskPath!]);
    assert.equal(check?.code, 0, check?.output);
  }
  await temp.backend.removeVolume("img");
  assert.deepEqual(snapshot(temp.home), { entries: [], rows: [] });
});

Deno.test("locked disk volume resists remove", async () => {
  await using temp = await tempHome();
  const volume = new Volume(
    await temp.backend.createVolume({
      name: "held",
      kind: "disk",
      sizeMib: 64,
    }),
    temp.backend,
  );
  const imageBefore = await Deno.readFile(volume.diskPath!);
  const lock = await volume.lock();
  try {
    assert.equal(lock.exclusive, false);
    await assert.rejects(temp.backend.removeVolume("held"), (err: Error) => {
      assert.ok(err instanceof VolumeInUseError);
      assert.match(err.message, /"held"/);
      return true;
    });
    assert.deepEqual(await Deno.readFile(volume.diskPath!), imageBefore);
    assert.deepEqual(snapshot(temp.home), {
      entries: ["held"],
      rows: ["held"],
    });

    // A second shared holder is fine; an exclusive one is not.
    const second = await volume.lock();
    second.release();
    await assert.rejects(volume.lock({ exclusive: true }), VolumeInUseError);

    await temp.backend.removeVolume("held", { force: true });
    assert.deepEqual(snapshot(temp.home), { entries: [], rows: [] });
  } finally {
    lock.release();
  }
});

Deno.test("released lock allows remove", async () => {
  await using temp = await tempHome();
  const volume = new Volume(
    await temp.backend.createVolume({
      name: "brief",
      kind: "disk",
      sizeMib: 8,
    }),
    temp.backend,
  );
  {
    await using _lock = await volume.lock();
    await assert.rejects(temp.backend.removeVolume("brief"), VolumeInUseError);
  }
  await temp.backend.removeVolume("brief");
  assert.deepEqual(snapshot(temp.home), { entries: [], rows: [] });
});

Deno.test("disk create on a full file system leaves nothing", async () => {
  const test = "disk create on a full file system leaves nothing";
  // 2 MiB has room for the database but not for the 4 MiB of metadata of a
  // 20 GiB image.
  const mount = await mountTmpfs(test, 2048);
  if (mount === null) return;
  const backend = new LocalBackend({ home: `${mount}/home` });
  try {
    await backend.createVolume({ name: "small" });
    const before = snapshot(`${mount}/home`);
    await assert.rejects(
      backend.createVolume({ name: "big", kind: "disk", sizeMib: 20 * 1024 }),
      (err: Error) => {
        assert.ok(err instanceof IoError, String(err));
        assert.match(err.message, /[Nn]o space left/);
        return true;
      },
    );
    assert.deepEqual(snapshot(`${mount}/home`), before);
    assert.deepEqual((await backend.scanVolumes()).leftovers, []);
  } finally {
    backend.close();
    await unmount(mount);
  }
});
