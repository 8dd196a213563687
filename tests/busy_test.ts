import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { BusyError, LocalBackend } from "../mod.ts";
import { snapshot, tempHome } from "./_helpers.ts";

Deno.test("held write lock raises BusyError", async () => {
  await using temp = await tempHome();
  const backend = new LocalBackend({ home: temp.home, busyTimeoutMs: 20 });
  await backend.createVolume({ name: "seed" });
  const before = snapshot(temp.home);
  const blocker = new DatabaseSync(`${temp.home}/db/msb.db`);
  blocker.exec("BEGIN IMMEDIATE");
  try {
    for (
      const attempt of [
        () => backend.createVolume({ name: "blocked" }),
        () => backend.removeVolume("seed"),
      ]
    ) {
      await assert.rejects(attempt(), (err: Error) => {
        assert.ok(err instanceof BusyError, String(err));
        assert.ok(err.message.includes(`${temp.home}/db/msb.db`), err.message);
        assert.match(err.message, /locked by another process/);
        return true;
      });
    }
    assert.deepEqual(snapshot(temp.home), before);
  } finally {
    blocker.exec("ROLLBACK");
    blocker.close();
  }
  await backend.createVolume({ name: "after" });
  assert.deepEqual(snapshot(temp.home).rows, ["after", "seed"]);
  backend.close();
});

Deno.test("short write lock is waited out", async () => {
  await using temp = await tempHome();
  await temp.backend.createVolume({ name: "seed" });
  // Another process holds the write lock for 300 ms. SQLite waits for a
  // lock synchronously, so the holder must not share this event loop.
  const script = `
    import { DatabaseSync } from "node:sqlite";
    const db = new DatabaseSync(${JSON.stringify(`${temp.home}/db/msb.db`)});
    db.exec("BEGIN IMMEDIATE");
    console.log("locked");
    await new Promise((resolve) => setTimeout(resolve, 300));
    db.exec("ROLLBACK");
  `;
  const holder = new Deno.Command(Deno.execPath(), {
    args: ["eval", "--quiet", script],
    stdout: "piped",
  }).spawn();
  const reader = holder.stdout.getReader();
  const { value } = await reader.read();
  assert.equal(new TextDecoder().decode(value), "locked\n");
  reader.releaseLock();
  await temp.backend.createVolume({ name: "waited" });
  assert.equal((await holder.output()).code, 0);
  assert.deepEqual(snapshot(temp.home).rows, ["seed", "waited"]);
});
