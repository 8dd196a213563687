/**
 * `deno bench` of formatExt4 on a 1 GiB sparse image, with `mkfs.ext4 -q
 * -F -E lazy_itable_init=1,lazy_journal_init=1` as the baseline. Only the
 * format is timed: creating the sparse file for mkfs.ext4 and removing
 * the images are not. The mkfs.ext4 bench is skipped where e2fsprogs is
 * missing.
 *
 * @module
 */

import { formatExt4 } from "../src/ext4/format.ts";
import { makeTempDirRemovedAtExit } from "./_temp.ts";

const GIB = 1024 ** 3;
const MKFS_ARGS = ["-q", "-F", "-E", "lazy_itable_init=1,lazy_journal_init=1"];
const dir = await makeTempDirRemovedAtExit("msb-deno-bench-format-");
let imageCount = 0;

async function haveMkfs(): Promise<boolean> {
  try {
    const result = await new Deno.Command("mkfs.ext4", {
      args: ["-V"],
      stdout: "null",
      stderr: "null",
    }).output();
    return result.success;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  }
}

// Starts the format worker, so that no bench pays for it.
await formatExt4(`${dir}/warm-up.raw`, { sizeBytes: 8 * 1024 * 1024 });

Deno.bench({
  name: "formatExt4 1 GiB",
  group: "format 1 GiB",
  async fn(b) {
    const path = `${dir}/image-${imageCount++}.raw`;
    b.start();
    await formatExt4(path, { sizeBytes: GIB });
    b.end();
    await Deno.remove(path);
  },
});

Deno.bench({
  name: "mkfs.ext4 1 GiB process",
  group: "format 1 GiB",
  baseline: true,
  ignore: !(await haveMkfs()),
  async fn(b) {
    const path = `${dir}/image-${imageCount++}.raw`;
    const file = await Deno.open(path, { write: true, createNew: true });
    await file.truncate(GIB);
    file.close();
    b.start();
    const result = await new Deno.Command("mkfs.ext4", {
      args: [...MKFS_ARGS, path],
      stdout: "null",
      stderr: "piped",
    }).output();
    b.end();
    await Deno.remove(path);
    if (!result.success) {
      throw new Error(
        `mkfs.ext4 ${path} failed: ${new TextDecoder().decode(result.stderr)}`,
      );
    }
  },
});
