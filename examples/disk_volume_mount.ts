// deno-lint-ignore-file no-console
/**
 * Creates a 1 GiB disk volume, holds its lock as a sandbox runtime would,
 * mounts the image with the Linux kernel, writes a file into it, and checks
 * the image with `e2fsck -fn` after unmounting.
 *
 * Run as root: `deno run --allow-read --allow-write --allow-run
 * examples/disk_volume_mount.ts`. Without root or e2fsprogs, it creates and
 * removes the volume and prints which step it skipped.
 *
 * @module
 */

import { gib, LocalBackend, setDefaultBackend, Volume } from "../mod.ts";

const home = await Deno.makeTempDir({ prefix: "msb-example-" });
setDefaultBackend(new LocalBackend({ home }));

/** Runs a command and returns whether it succeeded; a missing tool is false. */
async function run(command: string, args: string[]): Promise<boolean> {
  try {
    const { code, stderr } = await new Deno.Command(command, {
      args,
      stdout: "inherit",
      stderr: "piped",
    }).output();
    if (code !== 0) {
      console.log(`${command} failed: ${new TextDecoder().decode(stderr)}`);
    }
    return code === 0;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      console.log(`${command} is not installed`);
      return false;
    }
    throw err;
  }
}

try {
  const volume = await Volume.builder("scratch").disk().size(gib(1)).create();
  const image = volume.diskPath!;
  const { size, blocks } = await Deno.stat(image);
  console.log(
    `${image}: ${size} bytes long, ${(blocks ?? 0) * 512} bytes allocated`,
  );

  {
    // While the lock is held, Volume.remove() fails with VolumeInUseError.
    await using _lock = await volume.lock();
    const mountPoint = await Deno.makeTempDir({ prefix: "msb-mnt-" });
    try {
      if (await run("mount", ["-o", "loop", image, mountPoint])) {
        await Deno.writeTextFile(
          `${mountPoint}/hello.txt`,
          "written by Linux\n",
        );
        console.log(await Deno.readTextFile(`${mountPoint}/hello.txt`));
        await run("umount", [mountPoint]);
      } else {
        console.log("mount skipped: it needs root and loop devices");
      }
    } finally {
      await Deno.remove(mountPoint);
    }
  }

  if (await run("e2fsck", ["-fn", image])) {
    console.log("e2fsck: image is clean");
  }
  await Volume.remove("scratch");
} finally {
  await Deno.remove(home, { recursive: true });
}
