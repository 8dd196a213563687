/**
 * Runs `scripts/bench.ts --smoke` as a child process: every benchmark case
 * once at small sizes. The test checks that the script exits with 0 and
 * prints a summary row for every case. It asserts no timing, because
 * benchmarks never run as timed tests.
 *
 * @module
 */

import assert from "node:assert/strict";
import { runTool } from "./_tools.ts";

const BENCH_PATH = new URL("../scripts/bench.ts", import.meta.url).pathname;
const DOCS_PATH = new URL("../docs/benchmarks.md", import.meta.url).pathname;

/** The first cell of every summary row that a smoke run prints. */
const CASE_ROWS = [
  "format 1 GiB",
  "format 20 GiB",
  "format 1 TiB",
  "allocated 1 GiB",
  "allocated 20 GiB",
  "allocated 1 TiB",
  "format growth 1 TiB / 1 GiB",
  "worker first call",
  "ext4.wasm size",
  "create disk volume",
  "Volume.list()",
  "create dir volumes",
  "remove dir volumes",
  "VolumeFs.writeStream",
  "VolumeFs.writeStream, unsynced reference",
  "VolumeFs.readStream",
  "CLI ls",
];

/** Returns the first cell of each Markdown table row in `text`. */
function firstCells(text: string): string[] {
  return text.split("\n")
    .filter((line) => line.startsWith("| "))
    .map((line) => line.slice(2, line.indexOf(" |")));
}

async function readDocs(): Promise<string | null> {
  try {
    return await Deno.readTextFile(DOCS_PATH);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    throw err;
  }
}

Deno.test("bench --smoke prints every case", async (t) => {
  if ((await runTool("mkfs.ext4", ["-V"])) === null) {
    // deno-lint-ignore no-console
    console.log(
      "skipped: the format cases compare with mkfs.ext4, which is not " +
        "installed (apt install e2fsprogs)",
    );
    return;
  }
  const docsBefore = await readDocs();
  const result = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", BENCH_PATH, "--smoke"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(result.stdout);
  const stderr = new TextDecoder().decode(result.stderr);

  await t.step("exits with 0", () => {
    assert.equal(result.code, 0, `stderr:\n${stderr}`);
  });
  await t.step("prints a row per case", () => {
    const cells = firstCells(stdout);
    for (const row of CASE_ROWS) {
      assert.ok(cells.includes(row), `no row "${row}" in:\n${stdout}`);
    }
  });
  await t.step("leaves docs/benchmarks.md unchanged", async () => {
    assert.equal(await readDocs(), docsBefore);
  });
});

Deno.test("bench rejects --rounds 0", async () => {
  const result = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", BENCH_PATH, "--rounds", "0"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(result.stderr);
  assert.equal(result.code, 2);
  assert.match(stderr, /invalid --rounds "0"/);
});
