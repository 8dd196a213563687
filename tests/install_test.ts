// Installs the command line with `deno install --global` under a temporary
// root, as the README's Install section shows, and runs the installed
// `msb-volume` shim against a temporary home. The shim runs `deno run`
// with the permission flags given at install time, so these tests check
// that those flags are enough, and that the README and the install:cli
// task list the same ones.

import assert from "node:assert/strict";
import { dirname } from "node:path";
import { CLI_PATH, CLI_PERMISSIONS, snapshot, tempHome } from "./_helpers.ts";
import { type CommandResult, runCommand } from "./_tools.ts";

const REPO = new URL("../", import.meta.url);
const PROGRAM = "msb-volume";

type Output = CommandResult;

/** Runs a program with piped output and no standard input, so no prompt. */
async function run(
  program: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<Output> {
  return await runCommand(program, {
    args,
    cwd: REPO,
    // The shim calls `deno` by name.
    env: {
      PATH: `${dirname(Deno.execPath())}:${Deno.env.get("PATH") ?? ""}`,
      NO_COLOR: "1",
      ...env,
    },
    stdin: "null",
  });
}

/** Makes a temporary install root, removed when disposed. */
async function tempRoot(): Promise<AsyncDisposable & { root: string }> {
  const root = await Deno.makeTempDir({ prefix: "msb-install-test-" });
  return {
    root,
    async [Symbol.asyncDispose]() {
      await Deno.remove(root, { recursive: true });
    },
  };
}

/** Installs the CLI under `root` with `permissions`; returns the shim. */
async function install(root: string, permissions: string[]): Promise<string> {
  const result = await run(Deno.execPath(), [
    "install",
    "--global",
    "--no-config",
    "--name",
    PROGRAM,
    "--root",
    root,
    ...permissions,
    CLI_PATH,
  ]);
  assert.equal(result.code, 0, `deno install failed: ${result.stderr}`);
  return `${root}/bin/${PROGRAM}`;
}

/** Returns the flags between `deno run` and `--config` in a shim. */
async function shimFlags(shim: string): Promise<string[]> {
  const text = await Deno.readTextFile(shim);
  const match = /^exec deno run (.*?) --config /m.exec(text);
  assert.ok(match, `no deno run line in ${shim}:\n${text}`);
  return match[1].split(" ");
}

/** Runs the installed shim with `MSB_HOME` set to `home`. */
function runShim(shim: string, home: string, args: string[]): Promise<Output> {
  return run(shim, args, { MSB_HOME: home });
}

/** Checks one result: status, standard output and an empty stderr. */
function expectOk(result: Output, label: string, stdout: RegExp): void {
  assert.equal(result.code, 0, `${label}: status ${result.code}`);
  assert.equal(result.stderr, "", `${label}: stderr`);
  assert.match(result.stdout, stdout, `${label}: stdout`);
}

/** Creates, lists, inspects and removes a dir and a disk volume. */
async function checkLifecycle(shim: string, home: string): Promise<void> {
  const root = `${home}/volumes`;
  expectOk(
    await runShim(shim, home, ["create", "cache", "--label", "owner=ci"]),
    "create dir",
    new RegExp(`^Created dir volume cache at ${root}/cache\n$`),
  );
  expectOk(
    await runShim(shim, home, [
      "create",
      "img",
      "--kind",
      "disk",
      "--size=16M",
    ]),
    "create disk",
    new RegExp(`^Created disk volume img at ${root}/img\n$`),
  );
  const image = await Deno.stat(`${root}/img/disk.raw`);
  assert.equal(image.size, 16 * 1024 * 1024);

  const table = await runShim(shim, home, ["ls"]);
  expectOk(table, "ls", /^NAME +KIND +SIZE +USED +CREATED +LABELS\n/);
  assert.match(table.stdout, /\nimg +disk +16M +\S+ .* -\n/);
  assert.match(table.stdout, /\ncache +dir +- +\S+ .* owner=ci\n$/);
  expectOk(await runShim(shim, home, ["ls", "-q"]), "ls -q", /^img\ncache\n$/);

  const inspect = await runShim(shim, home, ["inspect", "cache", "img"]);
  expectOk(inspect, "inspect", /^\[\n/);
  const [cache, img] = JSON.parse(inspect.stdout);
  assert.equal(cache.name, "cache");
  assert.equal(cache.kind, "dir");
  assert.deepEqual(cache.labels, { owner: "ci" });
  assert.equal(img.kind, "disk");
  assert.equal(img.capacityBytes, 16 * 1024 * 1024);
  assert.equal(img.diskPath, `${root}/img/disk.raw`);

  const missing = await runShim(shim, home, ["inspect", "missing"]);
  assert.equal(missing.code, 1, "inspect missing: status");
  assert.match(missing.stderr, /^error: Volume "missing" not found/);

  const usage = await runShim(shim, home, ["create"]);
  assert.equal(usage.code, 2, "create without a name: status");
  assert.match(usage.stderr, /^error: Missing argument NAME\n/);

  expectOk(
    await runShim(shim, home, ["rm", "cache", "img"]),
    "rm",
    /^Removed volume cache\nRemoved volume img\n$/,
  );
  expectOk(await runShim(shim, home, ["ls", "-q"]), "ls after rm", /^$/);
  assert.deepEqual(snapshot(home), { entries: [], rows: [] });
}

Deno.test("README lists the CLI permissions", async () => {
  const readme = await Deno.readTextFile(new URL("README.md", REPO));
  const flags = CLI_PERMISSIONS.join(" ");
  for (const section of ["Install", "Permissions"]) {
    const start = readme.indexOf(`\n## ${section}\n`);
    assert.ok(start >= 0, `README has no ${section} section`);
    const end = readme.indexOf("\n## ", start + 1);
    const text = readme.slice(start, end < 0 ? undefined : end);
    assert.ok(text.includes(flags), `README ${section} lacks ${flags}`);
  }
});

Deno.test("installed msb-volume manages volumes", async () => {
  await using temp = await tempHome();
  await using installRoot = await tempRoot();
  const shim = await install(installRoot.root, CLI_PERMISSIONS);
  assert.deepEqual(await shimFlags(shim), CLI_PERMISSIONS);
  expectOk(
    await runShim(shim, temp.home, ["--help"]),
    "--help",
    /^Usage: msb-volume <command>/,
  );
  await checkLifecycle(shim, temp.home);
});

Deno.test("installed msb-volume works scoped to home", async () => {
  await using temp = await tempHome();
  await using installRoot = await tempRoot();
  const permissions = [
    `--allow-read=${temp.home}`,
    `--allow-write=${temp.home}`,
    "--allow-env=MSB_HOME,HOME",
  ];
  const shim = await install(installRoot.root, permissions);
  await checkLifecycle(shim, temp.home);
});

Deno.test("install:cli task uses README permissions", async () => {
  await using installRoot = await tempRoot();
  // deno install puts the shim under DENO_INSTALL_ROOT when --root is
  // absent, so the task installs into the temporary root.
  const result = await run(Deno.execPath(), ["task", "install:cli"], {
    DENO_INSTALL_ROOT: installRoot.root,
  });
  assert.equal(result.code, 0, result.stderr);
  const shim = `${installRoot.root}/bin/${PROGRAM}`;
  assert.deepEqual(await shimFlags(shim), CLI_PERMISSIONS);
});
