/**
 * The README's first command: creates a directory volume and a 1 GiB disk
 * volume under a temporary home with the command line, lists and inspects
 * them, checks the image with `e2fsck -fn` when e2fsprogs is installed, and
 * removes everything.
 *
 * Run with `deno task demo`.
 *
 * @module
 */

const cli = new URL("../src/cli/main.ts", import.meta.url).pathname;
const home = await Deno.makeTempDir({ prefix: "msb-demo-" });

/** Runs one command line, echoing it and its output; stops on failure. */
async function run(command: string, args: string[]): Promise<void> {
  Deno.stdout.writeSync(
    new TextEncoder().encode(`\n$ ${[command, ...args].join(" ")}\n`),
  );
  const isCli = command === "msb-volume";
  const child = new Deno.Command(isCli ? Deno.execPath() : command, {
    args: isCli
      ? [
        "run",
        "--quiet",
        "--allow-read",
        "--allow-write",
        "--allow-env",
        cli,
        ...args,
      ]
      : args,
    env: { MSB_HOME: home },
    stdout: "inherit",
    stderr: "inherit",
  });
  const { code } = await child.output();
  if (code !== 0) throw new Error(`${command} exited with status ${code}`);
}

try {
  Deno.stdout.writeSync(new TextEncoder().encode(`MSB_HOME=${home}\n`));
  await run("msb-volume", ["create", "notes", "--label", "owner=demo"]);
  await run("msb-volume", [
    "create",
    "pgdata",
    "--kind",
    "disk",
    "--size",
    "1G",
    "--label",
    "owner=demo",
  ]);
  await run("msb-volume", ["ls"]);
  await run("msb-volume", ["inspect", "pgdata"]);
  await run("du", ["-h", "--apparent-size", `${home}/volumes/pgdata/disk.raw`]);
  await run("du", ["-h", `${home}/volumes/pgdata/disk.raw`]);
  try {
    await run("e2fsck", ["-fn", `${home}/volumes/pgdata/disk.raw`]);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
    Deno.stdout.writeSync(
      new TextEncoder().encode("e2fsck not installed: image check skipped\n"),
    );
  }
  await run("msb-volume", ["rm", "notes", "pgdata"]);
  await run("msb-volume", ["ls", "--format", "json"]);
} finally {
  await Deno.remove(home, { recursive: true });
}
