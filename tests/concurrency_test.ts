import assert from "node:assert/strict";
import { VolumeInUseError } from "../mod.ts";
import { snapshot, spawnChild, tempHome } from "./_helpers.ts";

interface ChildResult {
  ok: boolean;
  code?: string | null;
  name?: string;
  message?: string;
}

/** Waits for a child and parses its JSON lines. */
async function results(child: Deno.ChildProcess): Promise<ChildResult[]> {
  const output = await child.output();
  const text = new TextDecoder().decode(output.stdout);
  assert.equal(
    output.code,
    0,
    `child failed: ${new TextDecoder().decode(output.stderr)}`,
  );
  return text.trim().split("\n").filter((line) => line !== "").map((line) =>
    JSON.parse(line)
  );
}

Deno.test("8 processes race to create one name", async () => {
  await using temp = await tempHome();
  for (let round = 0; round < 20; round++) {
    const name = `race-${round}`;
    const children = Array.from(
      { length: 8 },
      () => spawnChild(temp.home, ["create", name]),
    );
    const outcomes = (await Promise.all(children.map(results))).flat();
    assert.equal(outcomes.length, 8);
    const successes = outcomes.filter((outcome) => outcome.ok);
    assert.equal(successes.length, 1, `round ${round}`);
    for (const outcome of outcomes.filter((outcome) => !outcome.ok)) {
      assert.equal(
        outcome.code,
        "VolumeAlreadyExists",
        `round ${round}: ${outcome.message}`,
      );
    }
  }
  const { entries, rows } = snapshot(temp.home);
  const expected = Array.from({ length: 20 }, (_, round) => `race-${round}`)
    .sort();
  assert.deepEqual(rows, expected);
  assert.deepEqual(entries, expected);
});

Deno.test("8 processes churn distinct volumes", async () => {
  await using temp = await tempHome();
  const children = Array.from(
    { length: 8 },
    (_, index) => spawnChild(temp.home, ["churn", `p${index}`, "100"]),
  );
  const outcomes = (await Promise.all(children.map(results))).flat();
  assert.equal(outcomes.length, 8 * 200);
  const failures = outcomes.filter((outcome) => !outcome.ok);
  assert.deepEqual(failures, []);
  assert.deepEqual(snapshot(temp.home), { entries: [], rows: [] });
});

Deno.test("remove of a volume locked elsewhere fails", async () => {
  await using temp = await tempHome();
  await temp.backend.createVolume({ name: "held" });
  await Deno.writeTextFile(`${temp.home}/volumes/held/data`, "precious");
  const holder = spawnChild(temp.home, ["hold", "held"]);
  try {
    const reader = holder.stdout.getReader();
    const { value } = await reader.read();
    assert.equal(new TextDecoder().decode(value), "locked\n");
    reader.releaseLock();
    await assert.rejects(temp.backend.removeVolume("held"), (err: Error) => {
      assert.ok(err instanceof VolumeInUseError);
      assert.match(err.message, /"held"/);
      assert.match(err.message, /--force/);
      return true;
    });
    assert.equal(
      await Deno.readTextFile(`${temp.home}/volumes/held/data`),
      "precious",
    );
    assert.deepEqual(snapshot(temp.home), {
      entries: ["held"],
      rows: ["held"],
    });
    await temp.backend.removeVolume("held", { force: true });
    assert.deepEqual(snapshot(temp.home), { entries: [], rows: [] });
  } finally {
    holder.kill("SIGKILL");
    await holder.output();
  }
});
