// deno-lint-ignore-file no-console no-control-regex
import assert from "node:assert/strict";
import {
  CLI_PATH,
  CLI_PERMISSIONS,
  runCli,
  snapshot,
  tempHome,
} from "./_helpers.ts";

interface Case {
  /** Arguments after the program name. */
  args: string[];
  /** Expected exit status. */
  code: number;
  /** Patterns that standard output must match. */
  stdout?: RegExp[];
  /** Patterns that standard error must match. */
  stderr?: RegExp[];
}

/** Runs cases in order on one home, checking output and status. */
async function runCases(home: string, cases: Case[]): Promise<void> {
  for (const testCase of cases) {
    const label = testCase.args.join(" ");
    const result = await runCli(home, testCase.args);
    assert.equal(
      result.code,
      testCase.code,
      `${label}: status ${result.code}, stderr: ${result.stderr}`,
    );
    for (const pattern of testCase.stdout ?? []) {
      assert.match(result.stdout, pattern, `${label}: stdout`);
    }
    for (const pattern of testCase.stderr ?? []) {
      assert.match(result.stderr, pattern, `${label}: stderr`);
    }
    if (testCase.stderr === undefined) {
      assert.equal(result.stderr, "", `${label}: unexpected stderr`);
    }
  }
}

Deno.test("cli help and usage errors", async () => {
  await using temp = await tempHome();
  await runCases(temp.home, [
    { args: ["--help"], code: 0, stdout: [/^Usage: msb-volume <command>/] },
    { args: [], code: 2, stderr: [/^Usage: msb-volume/] },
    {
      args: ["frobnicate"],
      code: 2,
      stderr: [/^error: Unknown command 'frobnicate'\n/, /msb-volume --help/],
    },
    {
      args: ["create", "--help"],
      code: 0,
      stdout: [/^Usage: msb-volume create NAME/, /MiB/, /8M to 16T/],
    },
    { args: ["ls", "--help"], code: 0, stdout: [/--format table\|json/] },
    { args: ["list", "--help"], code: 0, stdout: [/Usage: msb-volume ls/] },
    { args: ["inspect", "--help"], code: 0, stdout: [/in bytes/] },
    { args: ["rm", "--help"], code: 0, stdout: [/--force/] },
    { args: ["prune", "--help"], code: 0, stdout: [/--dry-run/] },
    {
      args: ["create"],
      code: 2,
      stderr: [/^error: Missing argument NAME\n/, /msb-volume create --help/],
    },
    {
      args: ["create", "a", "b"],
      code: 2,
      stderr: [/Unexpected argument 'b'/],
    },
    {
      args: ["create", "a", "--kind", "disk", "--size", "-1G"],
      code: 2,
      stderr: [/^error: Option '--size' argument is ambiguous/],
    },
    {
      args: ["create", "-x"],
      code: 2,
      stderr: [/^error: Unknown option '-x'/],
    },
    {
      args: ["create", "a", "--bogus"],
      code: 2,
      stderr: [/^error: Unknown option '--bogus'/],
    },
    { args: ["ls", "--format", "xml"], code: 2, stderr: [/Invalid --format/] },
    { args: ["ls", "extra"], code: 2, stderr: [/Unexpected argument/] },
    { args: ["ls", "--filter", "owner=x"], code: 2, stderr: [/label=KEY/] },
    { args: ["rm"], code: 2, stderr: [/Missing argument NAME/] },
    { args: ["inspect"], code: 2, stderr: [/Missing argument NAME/] },
  ]);
  assert.deepEqual(snapshot(temp.home), { entries: [], rows: [] });
});

Deno.test("cli rejects bad values and changes nothing", async () => {
  await using temp = await tempHome();
  const bad: string[][] = [
    ["create", "--", "-x"],
    ["create", ".x"],
    ["create", "a/b"],
    ["create", "a b"],
    ["create", "naïve"],
    ["create", "x".repeat(129)],
    ["create", "a", "--kind", "tmpfs"],
    ["create", "a", "--size", "10G"],
    ["create", "a", "--kind", "disk"],
    ["create", "a", "--kind", "disk", "--size", "10X"],
    ["create", "a", "--kind", "disk", "--size", "1.5G"],
    ["create", "a", "--kind", "disk", "--size=-1G"],
    ["create", "a", "--kind", "disk", "--size", "4M"],
    ["create", "a", "--kind", "disk", "--size", "16T"],
    ["create", "a", "--kind", "disk", "--size", "1G", "--quota", "1G"],
    ["create", "a", "--quota", "0"],
    ["create", "a", "--label", "=v"],
    ["create", "a", "--label", "novalue"],
    ["rm", "ok", "bad/name"],
    ["inspect", ".."],
  ];
  for (const args of bad) {
    const result = await runCli(temp.home, args);
    assert.equal(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
    assert.match(result.stderr, /^error: Invalid /, args.join(" "));
    assert.equal(result.stdout, "", args.join(" "));
  }
  assert.deepEqual(snapshot(temp.home), { entries: [], rows: [] });
});

Deno.test("cli volume lifecycle", async () => {
  await using temp = await tempHome();
  const home = temp.home;
  await runCases(home, [
    { args: ["ls", "--format", "json"], code: 0, stdout: [/^\[\]\n$/] },
    { args: ["ls", "-q"], code: 0, stdout: [/^$/] },
    {
      args: ["create", "alpha", "--label", "owner=db", "--label", "a=b=c"],
      code: 0,
      stdout: [
        new RegExp(`^Created dir volume alpha at ${home}/volumes/alpha\n$`),
      ],
    },
    {
      args: ["create", "beta", "--quota", "1G", "--label", "owner="],
      code: 0,
    },
    { args: ["create", "gamma", "-q"], code: 0, stdout: [/^$/] },
    {
      args: ["create", "alpha"],
      code: 1,
      stderr: [/^error: Volume "alpha" already exists/],
    },
    { args: ["ls", "-q"], code: 0, stdout: [/^gamma\nbeta\nalpha\n$/] },
    {
      args: ["ls"],
      code: 0,
      stdout: [
        /^NAME +KIND +SIZE +USED +CREATED +LABELS\n/,
        /\nbeta +dir +1G +\S+ +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d +owner=\n/,
        /\nalpha +dir +- +\S+ .* owner=db,a=b=c\n$/,
      ],
    },
    {
      args: ["ls", "-q", "--filter", "label=owner"],
      code: 0,
      stdout: [/^beta\nalpha\n$/],
    },
    {
      args: ["ls", "-q", "--filter", "label=owner=db"],
      code: 0,
      stdout: [/^alpha\n$/],
    },
    {
      args: ["ls", "-q", "--filter", "label=owner=", "--filter", "label=a"],
      code: 0,
      stdout: [/^$/],
    },
    {
      args: ["rm", "gamma", "missing", "beta"],
      code: 1,
      stdout: [/^Removed volume gamma\nRemoved volume beta\n$/],
      stderr: [/^error: Volume "missing" not found/],
    },
    { args: ["rm", "-q", "alpha"], code: 0, stdout: [/^$/] },
    { args: ["ls", "--format", "json"], code: 0, stdout: [/^\[\]\n$/] },
  ]);
  assert.deepEqual(snapshot(home), { entries: [], rows: [] });
});

Deno.test("cli inspect prints JSON", async () => {
  await using temp = await tempHome();
  await temp.backend.createVolume({
    name: "one",
    quotaMib: 2,
    labels: [["k", "v"]],
  });
  await temp.backend.createVolume({ name: "two" });
  const result = await runCli(temp.home, ["inspect", "one", "two"]);
  assert.equal(result.code, 0, result.stderr);
  const parsed = JSON.parse(result.stdout);
  assert.equal(parsed.length, 2);
  assert.deepEqual(Object.keys(parsed[0]), [
    "name",
    "kind",
    "path",
    "quotaMib",
    "capacityBytes",
    "usedBytes",
    "diskFormat",
    "diskFstype",
    "diskPath",
    "labels",
    "createdAt",
  ]);
  assert.equal(parsed[0].name, "one");
  assert.equal(parsed[0].quotaMib, 2);
  assert.equal(parsed[0].capacityBytes, 2 * 1024 * 1024);
  assert.deepEqual(parsed[0].labels, { k: "v" });
  assert.equal(parsed[0].path, `${temp.home}/volumes/one`);
  assert.match(parsed[0].createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.equal(parsed[1].name, "two");
  assert.match(result.stdout, /^\[\n {2}\{\n {4}"name": "one",/);

  const missing = await runCli(temp.home, ["inspect", "one", "nope"]);
  assert.equal(missing.code, 1);
  assert.equal(JSON.parse(missing.stdout).length, 1);
  assert.match(missing.stderr, /^error: Volume "nope" not found/);
});

Deno.test("cli ls reports leftovers on stderr", async () => {
  await using temp = await tempHome();
  await temp.backend.createVolume({ name: "fine" });
  await Deno.mkdir(`${temp.home}/volumes/stray`);
  await Deno.mkdir(`${temp.home}/volumes/.staging-crashed-0123456789abcdef`);
  const result = await runCli(temp.home, ["ls", "-q"]);
  assert.equal(result.code, 0);
  assert.equal(result.stdout, "fine\n");
  assert.match(
    result.stderr,
    /warning: .*\/volumes\/stray has no database row .* It is kept because it may hold data.*by hand\.\n/,
  );
  assert.match(
    result.stderr,
    /staging-crashed-0123456789abcdef is a volume whose creation was interrupted\. Run 'msb-volume prune' to remove it\.\n/,
  );

  const dryRun = await runCli(temp.home, ["prune", "--dry-run"]);
  assert.equal(dryRun.code, 0);
  assert.match(dryRun.stdout, /^Would remove leftover: .*staging-crashed/);
  assert.doesNotMatch(dryRun.stdout, /stray/);
  assert.deepEqual(snapshot(temp.home).entries.length, 3);

  const prune = await runCli(temp.home, ["prune"]);
  assert.equal(prune.code, 0);
  assert.match(prune.stdout, /^Removed leftover: .*staging-crashed/);
  // A directory without a row may hold data from a lost database: kept.
  assert.deepEqual(snapshot(temp.home), {
    entries: ["fine", "stray"],
    rows: ["fine"],
  });
  const again = await runCli(temp.home, ["prune"]);
  assert.equal(again.stdout, "Nothing to prune.\n");
});

/** Runs the CLI under a pseudo-terminal with `script`, or returns null. */
async function runCliInTerminal(
  home: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<string | null> {
  const command = ["run", "--quiet", ...CLI_PERMISSIONS, CLI_PATH, ...args]
    .map((word) => `'${word}'`).join(" ");
  try {
    const output = await new Deno.Command("script", {
      // NO_COLOR of the test runner must not leak into the colored case.
      args: [
        "-qec",
        `env -u NO_COLOR ${
          Object.entries(env).map(([key, value]) => `${key}=${value}`).join(" ")
        } '${Deno.execPath()}' ${command}`,
        "/dev/null",
      ],
      env: { MSB_HOME: home },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
    return new TextDecoder().decode(output.stdout);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    throw err;
  }
}

Deno.test("cli shows format progress on a terminal", async () => {
  await using temp = await tempHome();
  const colored = await runCliInTerminal(temp.home, [
    "create",
    "tty",
    "--kind",
    "disk",
    "--size",
    "64G",
  ]);
  if (colored === null) {
    console.log("progress test skipped: script(1) is not installed");
    return;
  }
  assert.match(colored, /\rFormatting tty \x1b\[36m *\d+%\x1b\[0m/);
  assert.match(colored, /100%\x1b\[0m\r\x1b\[2KCreated disk volume tty/);

  const plain = await runCliInTerminal(temp.home, [
    "create",
    "plain",
    "--kind",
    "disk",
    "--size",
    "64G",
  ], { NO_COLOR: "1" });
  assert.match(plain!, /\rFormatting plain 100%/);
  assert.doesNotMatch(plain!, /\x1b\[/);

  const quiet = await runCliInTerminal(temp.home, [
    "create",
    "quiet",
    "--kind",
    "disk",
    "--size",
    "64G",
    "-q",
  ]);
  assert.equal(quiet, "");

  const piped = await runCli(temp.home, [
    "create",
    "piped",
    "--kind",
    "disk",
    "--size",
    "64G",
  ]);
  assert.equal(piped.code, 0);
  assert.equal(piped.stderr, "");
  assert.match(piped.stdout, /^Created disk volume piped at /);
});

Deno.test("cli names a missing permission flag", async () => {
  await using temp = await tempHome();
  const cases: Array<[string[], RegExp]> = [
    [["--allow-read", "--allow-env=MSB_HOME,HOME"], /run with --allow-write/],
    [["--allow-write", "--allow-env=MSB_HOME,HOME"], /run with --allow-read/],
    [["--allow-read", "--allow-write"], /run with --allow-env/],
  ];
  for (const [permissions, flag] of cases) {
    const result = await runCli(temp.home, ["create", "denied"], permissions);
    assert.equal(result.code, 1, permissions.join(" "));
    assert.match(result.stderr, /^error: Cannot .*Deno denied the permission/);
    assert.match(result.stderr, flag, permissions.join(" "));
  }
  assert.deepEqual(snapshot(temp.home).rows, []);
});

Deno.test("cli disk create needs only home access", async () => {
  await using temp = await tempHome();
  const result = await runCli(temp.home, [
    "create",
    "narrow",
    "--kind",
    "disk",
    "--size",
    "1G",
  ], [
    `--allow-read=${temp.home}`,
    `--allow-write=${temp.home}`,
    "--allow-env=MSB_HOME,HOME",
  ]);
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(snapshot(temp.home), {
    entries: ["narrow"],
    rows: ["narrow"],
  });
});

Deno.test("cli quotes sizes as typed", async () => {
  await using temp = await tempHome();
  const cases: Array<[string[], RegExp]> = [
    [["--kind", "disk", "--size", "16T"], /Invalid --size "16T": expected 8M/],
    [["--kind", "disk", "--size", "4M"], /Invalid --size "4M": expected 8M/],
    [["--quota", "0G"], /Invalid --quota "0G": expected 1M/],
  ];
  for (const [options, message] of cases) {
    const result = await runCli(temp.home, ["create", "a", ...options]);
    assert.equal(result.code, 2, options.join(" "));
    assert.match(result.stderr, message);
  }
});

Deno.test("cli exits quietly on a closed pipe", async () => {
  await using temp = await tempHome();
  for (let index = 0; index < 300; index++) {
    await temp.backend.createVolume({
      name: `v${index}`,
      labels: [["padding", "x".repeat(200)]],
    });
  }
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      ...CLI_PERMISSIONS,
      CLI_PATH,
      "ls",
      "--format",
      "json",
    ],
    env: { MSB_HOME: temp.home },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  // Read one chunk and close the pipe, as `ls | head -1` does.
  const reader = child.stdout.getReader();
  await reader.read();
  await reader.cancel();
  const status = await child.status;
  const stderr = new TextDecoder().decode(
    await new Response(child.stderr).arrayBuffer(),
  );
  assert.equal(stderr, "");
  assert.equal(status.code, 141);
});
