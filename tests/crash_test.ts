// deno-lint-ignore-file no-console
import assert from "node:assert/strict";
import { snapshot, spawnChild, tempHome } from "./_helpers.ts";
import { haveE2fsck, runTool } from "./_tools.ts";

const KILLS = 50;

/** A small deterministic generator, so a failing run can be repeated. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

Deno.test("SIGKILL during create and remove", async () => {
  const seed = Number(Deno.env.get("MSB_CRASH_SEED") ?? Date.now() % 100000);
  console.log(`crash test seed ${seed} (set MSB_CRASH_SEED to repeat)`);
  const next = random(seed);
  const checkImages = await haveE2fsck("SIGKILL during create and remove");
  await using temp = await tempHome();
  const kinds = new Set<string>();

  for (let round = 0; round < KILLS; round++) {
    const child = spawnChild(temp.home, ["loop", `k${round}`], "null");
    // Deno starts in about 100 ms; each create and remove then takes a few
    // ms, so kills land across every step of both operations.
    await new Promise((resolve) => setTimeout(resolve, 100 + next() * 500));
    child.kill("SIGKILL");
    const status = await child.status;
    assert.equal(status.signal, "SIGKILL", `round ${round}`);

    // Listing works and explains everything it finds.
    const scan = await temp.backend.scanVolumes();
    for (const leftover of scan.leftovers) {
      kinds.add(leftover.kind);
      // Every leftover of a crash is explained and prunable.
      assert.ok(leftover.prunable, `${leftover.kind}: ${leftover.description}`);
    }
    const { entries, rows } = snapshot(temp.home);
    const explained = new Set([
      ...scan.volumes.map((volume) => volume.name),
      ...scan.leftovers.map((leftover) =>
        leftover.path?.slice(leftover.path.lastIndexOf("/") + 1) ??
          leftover.name
      ),
    ]);
    for (const entry of entries) {
      assert.ok(explained.has(entry), `round ${round}: ${entry} unexplained`);
    }
    for (const row of rows) {
      assert.ok(explained.has(row), `round ${round}: row ${row} unexplained`);
    }

    // Prune restores the invariant: every row has its directory and back.
    await temp.backend.prune();
    const after = snapshot(temp.home);
    assert.deepEqual(after.entries, after.rows, `round ${round} after prune`);
    assert.deepEqual((await temp.backend.scanVolumes()).leftovers, []);

    for (const volume of (await temp.backend.scanVolumes()).volumes) {
      if (volume.kind !== "disk" || !checkImages) continue;
      const check = await runTool("e2fsck", ["-fn", volume.diskPath!]);
      assert.equal(check?.code, 0, `${volume.name}: ${check?.output}`);
    }
  }
  console.log(`leftover kinds seen: ${[...kinds].sort().join(", ") || "none"}`);
});
