// Every route out of the volume root that VolumeFs must close. Each test
// runs on a fresh root next to a sibling "outside" directory, and checks the
// expected result and that the outside directory is unchanged.

import assert from "node:assert/strict";
import { basename } from "node:path";
import {
  InvalidPathError,
  IoError,
  NotADirectoryError,
  PathNotFoundError,
  UnsupportedError,
} from "../src/errors.ts";
import { VolumeFs } from "../src/fs.ts";

const SECRET = "top secret";

interface Fixture {
  readonly fs: VolumeFs;
  readonly root: string;
  /** Absolute host path of the sibling directory. */
  readonly outside: string;
  /** Relative path from the root to `outside`, `../<name>`. */
  readonly up: string;
}

// Lists a directory tree as sorted lines of path, type and content, so that
// any change shows up in a deepEqual.
async function snapshot(directory: string): Promise<string[]> {
  const lines: string[] = [];
  async function walk(path: string, relative: string): Promise<void> {
    for await (const entry of Deno.readDir(path)) {
      const child = `${path}/${entry.name}`;
      const name = `${relative}${entry.name}`;
      const info = await Deno.lstat(child);
      if (info.isSymlink) {
        lines.push(`${name} symlink ${await Deno.readLink(child)}`);
      } else if (info.isDirectory) {
        lines.push(`${name} directory mode=${info.mode}`);
        await walk(child, `${name}/`);
      } else {
        const content = await Deno.readTextFile(child);
        lines.push(`${name} file mode=${info.mode} ${JSON.stringify(content)}`);
      }
    }
  }
  await walk(directory, "");
  return lines.sort();
}

async function hiddenNames(directory: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(directory)) {
    if (entry.name.includes(".msb-")) names.push(entry.name);
  }
  return names;
}

// Builds the root and the outside directory, runs `fn`, and checks that the
// outside directory is unchanged.
async function withFixture(fn: (fixture: Fixture) => Promise<void>) {
  const root = await Deno.makeTempDir({ prefix: "msb-fs-" });
  const outside = await Deno.makeTempDir({ prefix: "msb-fs-outside-" });
  try {
    await Deno.writeTextFile(`${outside}/secret.txt`, SECRET);
    await Deno.mkdir(`${outside}/dir`);
    await Deno.writeTextFile(`${outside}/dir/inner.txt`, "inner");

    const up = `../${basename(outside)}`;
    assert.equal(await Deno.realPath(`${root}/${up}`), outside);
    await Deno.writeTextFile(`${root}/inside.txt`, "inside");
    await Deno.mkdir(`${root}/sub`);
    await Deno.symlink(outside, `${root}/abs_dir`);
    await Deno.symlink(up, `${root}/rel_dir`);
    await Deno.symlink(`${outside}/secret.txt`, `${root}/abs_file`);
    await Deno.symlink(`${up}/secret.txt`, `${root}/rel_file`);
    await Deno.symlink(`${outside}/new.txt`, `${root}/dangling_abs`);
    await Deno.symlink(`${up}/new.txt`, `${root}/dangling_rel`);
    await Deno.symlink(`../${up}`, `${root}/sub/up`);
    await Deno.symlink("..", `${root}/dotdot`);
    await Deno.symlink("/..", `${root}/abs_dotdot`);
    await Deno.symlink("sub", `${root}/inside_dir`);

    const before = await snapshot(outside);
    await fn({ fs: new VolumeFs("data", root, "dir"), root, outside, up });
    assert.deepEqual(await snapshot(outside), before, "outside changed");
    assert.deepEqual(await hiddenNames(outside), [], "hidden names outside");
  } finally {
    await Deno.remove(root, { recursive: true });
    await Deno.remove(outside, { recursive: true });
  }
}

type ErrorClass = new (...args: never[]) => Error;

interface EscapeCase {
  readonly name: string;
  readonly run: (fixture: Fixture) => Promise<unknown>;
  /** Expected error class, or `null` when the call must succeed. */
  readonly error: ErrorClass | null;
  /** Further checks inside the root after the call. */
  readonly check?: (fixture: Fixture) => Promise<void>;
}

async function assertMissing(path: string): Promise<void> {
  await assert.rejects(Deno.lstat(path), Deno.errors.NotFound, path);
}

async function assertRegularFile(path: string, content: string) {
  const info = await Deno.lstat(path);
  assert.ok(info.isFile, `${path} is not a regular file`);
  assert.equal(await Deno.readTextFile(path), content);
}

async function assertSymlink(path: string): Promise<void> {
  assert.ok((await Deno.lstat(path)).isSymlink, `${path} is not a symlink`);
}

// Writes through a write stream and closes it, so that the commit runs.
async function writeByStream(fs: VolumeFs, path: string, text: string) {
  const sink = await fs.writeStream(path);
  await sink.write(text);
  await sink.close();
}

const cases: EscapeCase[] = [
  // Request paths that climb out of the root or name a host path.
  {
    name: "VolumeFs.read() rejects dot-dot escape",
    run: ({ fs }) => fs.read("../secret.txt"),
    error: InvalidPathError,
  },
  {
    name: "VolumeFs.read() rejects nested dot-dot escape",
    run: ({ fs }) => fs.read("sub/../../secret.txt"),
    error: InvalidPathError,
  },
  {
    name: "VolumeFs.read() rejects dot-dot to sibling",
    run: ({ fs, up }) => fs.read(`${up}/secret.txt`),
    error: InvalidPathError,
  },
  {
    name: "VolumeFs.read() rejects backslash dot-dot",
    run: ({ fs, up }) => fs.read(`..\\${basename(up)}\\secret.txt`),
    error: InvalidPathError,
  },
  {
    name: "VolumeFs.read() rejects NUL byte",
    run: ({ fs }) => fs.read("inside.txt\0/../../secret.txt"),
    error: InvalidPathError,
  },
  {
    name: "VolumeFs.write() rejects NUL byte",
    run: ({ fs }) => fs.write("evil\0.txt", "x"),
    error: InvalidPathError,
    check: async ({ root }) => assert.deepEqual(await hiddenNames(root), []),
  },
  {
    name: "VolumeFs.read() keeps /etc/passwd inside",
    run: ({ fs }) => fs.read("/etc/passwd"),
    error: PathNotFoundError,
  },
  {
    name: "VolumeFs.read() keeps host absolute path inside",
    run: ({ fs, outside }) => fs.read(`${outside}/secret.txt`),
    error: PathNotFoundError,
  },
  {
    name: "VolumeFs.write() keeps host absolute path inside",
    run: ({ fs, outside }) => fs.write(`${outside}/secret.txt`, "pwned"),
    error: null,
    check: ({ root, outside }) =>
      assertRegularFile(`${root}${outside}/secret.txt`, "pwned"),
  },
  {
    name: "VolumeFs.mkdir() rejects dot-dot escape",
    run: ({ fs, up }) => fs.mkdir(`${up}/made`),
    error: InvalidPathError,
  },
  {
    name: "VolumeFs.list() rejects dot-dot escape",
    run: ({ fs }) => fs.list(".."),
    error: InvalidPathError,
  },
  {
    name: "VolumeFs.removeDir() rejects dot-dot escape",
    run: ({ fs, up }) => fs.removeDir(`${up}/dir`),
    error: InvalidPathError,
  },
  {
    name: "VolumeFs.remove() rejects dot-dot escape",
    run: ({ fs, up }) => fs.remove(`${up}/secret.txt`),
    error: InvalidPathError,
  },
  {
    name: "VolumeFs.stat() rejects dot-dot escape",
    run: ({ fs, up }) => fs.stat(`${up}/secret.txt`),
    error: InvalidPathError,
  },
  {
    name: "VolumeFs.exists() rejects dot-dot escape",
    run: ({ fs, up }) => fs.exists(`${up}/secret.txt`),
    error: InvalidPathError,
  },
  {
    name: "VolumeFs.copy() rejects outside source path",
    run: ({ fs, up }) => fs.copy(`${up}/secret.txt`, "stolen.txt"),
    error: InvalidPathError,
    check: ({ root }) => assertMissing(`${root}/stolen.txt`),
  },
  {
    name: "VolumeFs.copy() rejects outside destination path",
    run: ({ fs, up }) => fs.copy("inside.txt", `${up}/planted.txt`),
    error: InvalidPathError,
  },
  {
    name: "VolumeFs.rename() rejects outside source path",
    run: ({ fs, up }) => fs.rename(`${up}/secret.txt`, "stolen.txt"),
    error: InvalidPathError,
    check: ({ root }) => assertMissing(`${root}/stolen.txt`),
  },
  {
    name: "VolumeFs.rename() rejects outside destination path",
    run: ({ fs, up }) => fs.rename("inside.txt", `${up}/planted.txt`),
    error: InvalidPathError,
    check: ({ root }) => assertRegularFile(`${root}/inside.txt`, "inside"),
  },

  // A final symlink to an outside file.
  {
    name: "VolumeFs.read() rejects absolute file link",
    run: ({ fs }) => fs.read("abs_file"),
    error: PathNotFoundError,
  },
  {
    name: "VolumeFs.read() rejects relative file link",
    run: ({ fs }) => fs.read("rel_file"),
    error: InvalidPathError,
  },
  {
    name: "VolumeFs.readToString() rejects relative file link",
    run: ({ fs }) => fs.readToString("rel_file"),
    error: InvalidPathError,
  },
  {
    name: "VolumeFs.readStream() rejects relative file link",
    run: ({ fs }) => fs.readStream("rel_file"),
    error: InvalidPathError,
  },
  {
    name: "VolumeFs.copy() rejects relative file link source",
    run: ({ fs }) => fs.copy("rel_file", "stolen.txt"),
    error: InvalidPathError,
    check: ({ root }) => assertMissing(`${root}/stolen.txt`),
  },
  {
    name: "VolumeFs.copy() rejects absolute file link source",
    run: ({ fs }) => fs.copy("abs_file", "stolen.txt"),
    error: PathNotFoundError,
    check: ({ root }) => assertMissing(`${root}/stolen.txt`),
  },
  {
    name: "VolumeFs.write() replaces absolute file link",
    run: ({ fs }) => fs.write("abs_file", "pwned"),
    error: null,
    check: ({ root }) => assertRegularFile(`${root}/abs_file`, "pwned"),
  },
  {
    name: "VolumeFs.write() replaces relative file link",
    run: ({ fs }) => fs.write("rel_file", "pwned"),
    error: null,
    check: ({ root }) => assertRegularFile(`${root}/rel_file`, "pwned"),
  },
  {
    name: "VolumeFs.writeStream() replaces relative file link",
    run: ({ fs }) => writeByStream(fs, "rel_file", "pwned"),
    error: null,
    check: ({ root }) => assertRegularFile(`${root}/rel_file`, "pwned"),
  },
  {
    name: "VolumeFs.copy() replaces destination file link",
    run: ({ fs }) => fs.copy("inside.txt", "abs_file"),
    error: null,
    check: ({ root }) => assertRegularFile(`${root}/abs_file`, "inside"),
  },
  {
    name: "VolumeFs.write() replaces dangling absolute link",
    run: ({ fs }) => fs.write("dangling_abs", "pwned"),
    error: null,
    check: ({ root }) => assertRegularFile(`${root}/dangling_abs`, "pwned"),
  },
  {
    name: "VolumeFs.write() replaces dangling relative link",
    run: ({ fs }) => fs.write("dangling_rel", "pwned"),
    error: null,
    check: ({ root }) => assertRegularFile(`${root}/dangling_rel`, "pwned"),
  },
  {
    name: "VolumeFs.writeStream() replaces dangling relative link",
    run: ({ fs }) => writeByStream(fs, "dangling_rel", "pwned"),
    error: null,
    check: ({ root }) => assertRegularFile(`${root}/dangling_rel`, "pwned"),
  },
  {
    name: "VolumeFs.mkdir() rejects dangling absolute link",
    run: ({ fs }) => fs.mkdir("dangling_abs"),
    error: PathNotFoundError,
    check: ({ root }) => assertSymlink(`${root}/dangling_abs`),
  },
  {
    name: "VolumeFs.mkdir() rejects dangling relative link",
    run: ({ fs }) => fs.mkdir("dangling_rel"),
    error: InvalidPathError,
    check: ({ root }) => assertSymlink(`${root}/dangling_rel`),
  },
  {
    name: "VolumeFs.remove() removes file link only",
    run: ({ fs }) => fs.remove("abs_file"),
    error: null,
    check: ({ root }) => assertMissing(`${root}/abs_file`),
  },
  {
    name: "VolumeFs.stat() describes file link itself",
    run: async ({ fs }) =>
      assert.equal((await fs.stat("rel_file")).kind, "symlink"),
    error: null,
  },

  // A final symlink to an outside directory.
  {
    name: "VolumeFs.removeDir() rejects absolute directory link",
    run: ({ fs }) => fs.removeDir("abs_dir"),
    error: NotADirectoryError,
    check: ({ root }) => assertSymlink(`${root}/abs_dir`),
  },
  {
    name: "VolumeFs.removeDir() rejects relative directory link",
    run: ({ fs }) => fs.removeDir("rel_dir"),
    error: NotADirectoryError,
    check: ({ root }) => assertSymlink(`${root}/rel_dir`),
  },
  {
    name: "VolumeFs.list() rejects absolute directory link",
    run: ({ fs }) => fs.list("abs_dir"),
    error: PathNotFoundError,
  },
  {
    name: "VolumeFs.list() rejects relative directory link",
    run: ({ fs }) => fs.list("rel_dir"),
    error: InvalidPathError,
  },
  {
    name: "VolumeFs.list() reports links without following",
    run: async ({ fs }) => {
      const kinds = new Map(
        (await fs.list("")).map((entry) => [entry.path, entry.kind]),
      );
      assert.equal(kinds.get("abs_dir"), "symlink");
      assert.equal(kinds.get("rel_file"), "symlink");
    },
    error: null,
  },
  {
    name: "VolumeFs.rename() moves directory link itself",
    run: ({ fs }) => fs.rename("rel_dir", "moved"),
    error: null,
    check: ({ root }) => assertSymlink(`${root}/moved`),
  },
  {
    name: "VolumeFs.mkdir() rejects relative directory link",
    run: ({ fs }) => fs.mkdir("rel_dir"),
    error: InvalidPathError,
  },

  // ".." through symlinks.
  {
    name: "VolumeFs.read() rejects dot-dot inside link target",
    run: ({ fs }) => fs.read("sub/up/secret.txt"),
    error: InvalidPathError,
  },
  {
    name: "VolumeFs.read() rejects link to root parent",
    run: ({ fs, up }) => fs.read(`dotdot/${basename(up)}/secret.txt`),
    error: InvalidPathError,
  },
  {
    name: "VolumeFs.read() rejects absolute link to parent",
    run: ({ fs, up }) => fs.read(`abs_dotdot/${basename(up)}/secret.txt`),
    error: InvalidPathError,
  },
  {
    name: "VolumeFs.write() rejects link to root parent",
    run: ({ fs, up }) => fs.write(`dotdot/${basename(up)}/planted.txt`, "x"),
    error: InvalidPathError,
  },
  {
    name: "VolumeFs.mkdir() rejects link to root parent",
    run: ({ fs, up }) => fs.mkdir(`dotdot/${basename(up)}/made`),
    error: InvalidPathError,
  },
  {
    name: "VolumeFs.read() applies dot-dot before links",
    run: ({ fs, up }) => fs.read(`abs_dir/../${basename(up)}/secret.txt`),
    error: PathNotFoundError,
  },
  {
    name: "VolumeFs.read() rejects dot-dot past inside link",
    run: ({ fs }) => fs.read("inside_dir/../../secret.txt"),
    error: InvalidPathError,
  },
];

// A symlink to the outside directory used as a parent, for every method.
// An absolute link resolves inside the root, where the path does not exist.
// A relative link climbs above the root.
const parentLinkCalls: {
  readonly label: string;
  readonly call: (fs: VolumeFs, link: string) => Promise<unknown>;
  readonly check?: (fixture: Fixture) => Promise<void>;
}[] = [
  { label: "read()", call: (fs, link) => fs.read(`${link}/secret.txt`) },
  {
    label: "readToString()",
    call: (fs, link) => fs.readToString(`${link}/secret.txt`),
  },
  {
    label: "readStream()",
    call: (fs, link) => fs.readStream(`${link}/secret.txt`),
  },
  {
    label: "write()",
    call: (fs, link) => fs.write(`${link}/secret.txt`, "pwned"),
  },
  {
    label: "writeStream()",
    call: (fs, link) => fs.writeStream(`${link}/new.txt`),
  },
  { label: "mkdir()", call: (fs, link) => fs.mkdir(`${link}/made`) },
  { label: "list()", call: (fs, link) => fs.list(`${link}/dir`) },
  { label: "remove()", call: (fs, link) => fs.remove(`${link}/secret.txt`) },
  { label: "removeDir()", call: (fs, link) => fs.removeDir(`${link}/dir`) },
  { label: "stat()", call: (fs, link) => fs.stat(`${link}/secret.txt`) },
  {
    label: "copy() source",
    call: (fs, link) => fs.copy(`${link}/secret.txt`, "stolen.txt"),
    check: ({ root }) => assertMissing(`${root}/stolen.txt`),
  },
  {
    label: "copy() destination",
    call: (fs, link) => fs.copy("inside.txt", `${link}/planted.txt`),
  },
  {
    label: "rename() source",
    call: (fs, link) => fs.rename(`${link}/secret.txt`, "stolen.txt"),
    check: ({ root }) => assertMissing(`${root}/stolen.txt`),
  },
  {
    label: "rename() destination",
    call: (fs, link) => fs.rename("inside.txt", `${link}/planted.txt`),
    check: ({ root }) => assertRegularFile(`${root}/inside.txt`, "inside"),
  },
];

for (const { label, call, check } of parentLinkCalls) {
  cases.push({
    name: `VolumeFs.${label} rejects absolute parent link`,
    run: ({ fs }) => call(fs, "abs_dir"),
    error: PathNotFoundError,
    check,
  });
  cases.push({
    name: `VolumeFs.${label} rejects relative parent link`,
    run: ({ fs }) => call(fs, "rel_dir"),
    error: InvalidPathError,
    check,
  });
}

for (const testCase of cases) {
  Deno.test(testCase.name, async () => {
    await withFixture(async (fixture) => {
      const outcome = await testCase.run(fixture).then(
        async (value) => {
          // A stream that opened must not leak its file.
          if (value && typeof value === "object") {
            const disposable = value as Partial<AsyncDisposable>;
            await disposable[Symbol.asyncDispose]?.();
          }
          return null;
        },
        (err: unknown) => err,
      );
      if (testCase.error === null) {
        assert.equal(outcome, null, `unexpected error: ${outcome}`);
      } else {
        assert.ok(
          outcome instanceof testCase.error,
          `expected ${testCase.error.name}, got ${outcome}`,
        );
        assert.match(outcome.message, /volume "data"/);
      }
      await testCase.check?.(fixture);
    });
  });
}

Deno.test("VolumeFs.exists() keeps absolute parent link inside", async () => {
  await withFixture(async ({ fs }) => {
    assert.equal(await fs.exists("abs_dir/secret.txt"), false);
    assert.equal(await fs.exists("abs_file"), true);
  });
});

Deno.test("VolumeFs.exists() rejects relative parent link", async () => {
  await withFixture(async ({ fs }) => {
    await assert.rejects(fs.exists("rel_dir/secret.txt"), InvalidPathError);
  });
});

Deno.test("VolumeFs.removeDir() keeps outside targets of links", async () => {
  await withFixture(async ({ fs, root, outside, up }) => {
    await Deno.mkdir(`${root}/tree/deeper`, { recursive: true });
    await Deno.symlink(outside, `${root}/tree/abs`);
    await Deno.symlink(`../../${up}`, `${root}/tree/deeper/rel`);
    await Deno.symlink(`${outside}/secret.txt`, `${root}/tree/file`);
    await fs.removeDir("tree");
    await assertMissing(`${root}/tree`);
  });
});

Deno.test({
  name: "VolumeFs.read() rejects device node",
  ignore: Deno.build.os === "windows" || Deno.uid() !== 0,
  async fn() {
    await withFixture(async ({ fs, root }) => {
      // Character device 1:3 is /dev/null on Linux.
      const mknod = await new Deno.Command("mknod", {
        args: [`${root}/device`, "c", "1", "3"],
      }).output();
      assert.ok(mknod.success);
      await assert.rejects(fs.read("device"), UnsupportedError);
      await assert.rejects(fs.copy("device", "copy"), UnsupportedError);
      await assertMissing(`${root}/copy`);
    });
  },
});

// ------------------------------------------- directories swapped mid-call

// Replaces `name` in the root with a symlink to `target`, as a guest would
// between a check and a use. The directory is kept as `<name>.aside`.
async function swapForSymlink(
  rename: typeof Deno.rename,
  root: string,
  name: string,
  target: string,
): Promise<void> {
  await rename(`${root}/${name}`, `${root}/${name}.aside`);
  await Deno.symlink(target, `${root}/${name}`);
}

// Runs `fn` while the first call of `Deno[method]` whose arguments match
// `when` first runs `before`. Restores `Deno[method]` afterwards.
async function withHook<K extends "rename" | "open" | "readDir">(
  method: K,
  when: (...args: Parameters<typeof Deno[K]>) => boolean,
  before: () => Promise<void>,
  fn: () => Promise<void>,
): Promise<void> {
  const original = Deno[method];
  let fired = false;
  const hooked = ((...args: Parameters<typeof Deno[K]>) => {
    // deno-lint-ignore no-explicit-any
    const call = () => (original as any)(...args);
    if (fired || !when(...args)) return call();
    fired = true;
    if (method === "readDir") {
      // readDir returns an async iterable, not a promise.
      return (async function* () {
        await before();
        yield* call();
      })();
    }
    return before().then(call);
  }) as typeof Deno[K];
  Deno[method] = hooked;
  try {
    await fn();
    assert.ok(fired, `the Deno.${method} hook never ran`);
  } finally {
    Deno[method] = original;
  }
}

Deno.test("VolumeFs.read() rejects parent swapped before open", async () => {
  await withFixture(async ({ fs, root, outside }) => {
    await Deno.mkdir(`${root}/d`);
    await Deno.writeTextFile(`${root}/d/secret.txt`, "inside copy");
    const rename = Deno.rename;
    await withHook(
      "open",
      (path) => String(path).endsWith("/d/secret.txt"),
      () => swapForSymlink(rename, root, "d", outside),
      async () => {
        const err = await fs.read("d/secret.txt").catch((e) => e);
        assert.ok(err instanceof PathNotFoundError, String(err));
      },
    );
  });
});

Deno.test("VolumeFs.list() rejects directory swapped mid-call", async () => {
  await withFixture(async ({ fs, root, outside }) => {
    await Deno.mkdir(`${root}/d`);
    const rename = Deno.rename;
    await withHook(
      "readDir",
      (path) => String(path).endsWith("/d"),
      () => swapForSymlink(rename, root, "d", outside),
      async () => {
        const err = await fs.list("d").catch((e) => e);
        assert.ok(err instanceof IoError, String(err));
        assert.match(err.message, /changed the volume during the call/);
        assert.doesNotMatch(err.message, /secret/);
      },
    );
  });
});

Deno.test("VolumeFs.write() removes temp file created outside", async () => {
  await withFixture(async ({ fs, root, outside }) => {
    await Deno.mkdir(`${root}/d`);
    const rename = Deno.rename;
    await withHook(
      "open",
      (path) => String(path).includes(".msb-tmp-"),
      () => swapForSymlink(rename, root, "d", outside),
      async () => {
        const err = await fs.write("d/secret.txt", "pwned").catch((e) => e);
        assert.ok(err instanceof IoError, String(err));
        assert.match(err.message, /outside the volume/);
      },
    );
  });
});

Deno.test("VolumeFs.writeStream() rejects temp file outside", async () => {
  await withFixture(async ({ fs, root, outside }) => {
    await Deno.mkdir(`${root}/d`);
    const rename = Deno.rename;
    await withHook(
      "open",
      (path) => String(path).includes(".msb-tmp-"),
      () => swapForSymlink(rename, root, "d", outside),
      async () => {
        // The check right after the creation must fail, before any chunk
        // can be written to the file outside.
        const err = await fs.writeStream("d/new.txt").catch((e) => e);
        assert.ok(err instanceof IoError, String(err));
        assert.match(err.message, /outside the volume/);
      },
    );
  });
});

Deno.test("VolumeFs.write() rejects parent swapped before rename", async () => {
  await withFixture(async ({ fs, root, outside }) => {
    await Deno.mkdir(`${root}/d`);
    const rename = Deno.rename;
    await withHook(
      "rename",
      (from) => String(from).includes(".msb-tmp-"),
      () => swapForSymlink(rename, root, "d", outside),
      async () => {
        // The swap lands after the last check. The rename looks up the
        // temporary file through the symlink and finds nothing there.
        const err = await fs.write("d/secret.txt", "pwned").catch((e) => e);
        assert.ok(err instanceof IoError, String(err));
        assert.match(err.message, /changed the volume during the call/);
      },
    );
  });
});

Deno.test("VolumeFsWriteSink.close() rejects swapped parent", async () => {
  await withFixture(async ({ fs, root, outside }) => {
    await Deno.mkdir(`${root}/d`);
    const sink = await fs.writeStream("d/secret.txt");
    await sink.write("pwned");
    await swapForSymlink(Deno.rename, root, "d", outside);
    const err = await sink.close().catch((e) => e);
    assert.ok(err instanceof IoError, String(err));
    assert.match(err.message, /outside the volume/);
  });
});

Deno.test("VolumeFsReadStream keeps reading after swap", async () => {
  await withFixture(async ({ fs, root, outside }) => {
    await Deno.mkdir(`${root}/d`);
    await Deno.writeTextFile(`${root}/d/secret.txt`, "inside copy");
    await using stream = await fs.readStream("d/secret.txt");
    await swapForSymlink(Deno.rename, root, "d", outside);
    const text = new TextDecoder().decode(await stream.collect());
    assert.equal(text, "inside copy");
  });
});

Deno.test("VolumeFs.remove() restores entry after swap", async () => {
  await withFixture(async ({ fs, root, outside }) => {
    await Deno.mkdir(`${root}/d`);
    await Deno.writeTextFile(`${root}/d/secret.txt`, "inside copy");
    const rename = Deno.rename;
    await withHook(
      "rename",
      (from) => String(from).endsWith("/d/secret.txt"),
      () => swapForSymlink(rename, root, "d", outside),
      async () => {
        // The swap lands after the parent check, so the rename to the
        // hidden name moves the outside file. The call must notice it and
        // rename that file back.
        const err = await fs.remove("d/secret.txt").catch((e) => e);
        assert.ok(err instanceof IoError, String(err));
        assert.match(err.message, /not the one checked/);
      },
    );
    await assertRegularFile(`${root}/d.aside/secret.txt`, "inside copy");
  });
});

Deno.test("VolumeFs.removeDir() restores entry after swap", async () => {
  await withFixture(async ({ fs, root, outside }) => {
    await Deno.mkdir(`${root}/d/dir`, { recursive: true });
    const rename = Deno.rename;
    await withHook(
      "rename",
      (from) => String(from).endsWith("/d/dir"),
      () => swapForSymlink(rename, root, "d", outside),
      async () => {
        const err = await fs.removeDir("d/dir").catch((e) => e);
        assert.ok(err instanceof IoError, String(err));
      },
    );
    assert.ok((await Deno.lstat(`${root}/d.aside/dir`)).isDirectory);
  });
});

Deno.test("VolumeFs.rename() restores source after swap", async () => {
  await withFixture(async ({ fs, root, outside }) => {
    await Deno.mkdir(`${root}/d`);
    await Deno.writeTextFile(`${root}/d/secret.txt`, "inside copy");
    const rename = Deno.rename;
    await withHook(
      "rename",
      (from) => String(from).endsWith("/d/secret.txt"),
      () => swapForSymlink(rename, root, "d", outside),
      async () => {
        const err = await fs.rename("d/secret.txt", "stolen.txt")
          .catch((e) => e);
        assert.ok(err instanceof IoError, String(err));
      },
    );
    await assertMissing(`${root}/stolen.txt`);
  });
});

Deno.test("VolumeFs.rename() takes back entry moved outside", async () => {
  await withFixture(async ({ fs, root, outside }) => {
    await Deno.mkdir(`${root}/d`);
    await Deno.writeTextFile(`${root}/planted.txt`, "guest data");
    const rename = Deno.rename;
    await withHook(
      "rename",
      (_from, to) => String(to).includes("/d/.secret.txt.msb-mv-"),
      () => swapForSymlink(rename, root, "d", outside),
      async () => {
        // The swap lands after the destination check, so the entry first
        // moves into the outside directory under a hidden name. The call
        // must move it back, and never replace the outside secret.txt.
        const err = await fs.rename("planted.txt", "d/secret.txt")
          .catch((e) => e);
        assert.ok(err instanceof IoError, String(err));
      },
    );
    await assertRegularFile(`${root}/planted.txt`, "guest data");
  });
});

// ------------------------------------------------------------ disk volume

const diskCalls: [string, (fs: VolumeFs) => Promise<unknown>][] = [
  ["read", (fs) => fs.read("a.txt")],
  ["readToString", (fs) => fs.readToString("a.txt")],
  ["readStream", (fs) => fs.readStream("a.txt")],
  ["write", (fs) => fs.write("a.txt", "x")],
  ["writeStream", (fs) => fs.writeStream("a.txt")],
  ["list", (fs) => fs.list("")],
  ["mkdir", (fs) => fs.mkdir("d")],
  ["removeDir", (fs) => fs.removeDir("d")],
  ["remove", (fs) => fs.remove("a.txt")],
  ["copy", (fs) => fs.copy("a.txt", "b.txt")],
  ["rename", (fs) => fs.rename("a.txt", "b.txt")],
  ["stat", (fs) => fs.stat("a.txt")],
  ["exists", (fs) => fs.exists("a.txt")],
];

for (const [operation, call] of diskCalls) {
  Deno.test(`VolumeFs.${operation}() rejects disk volume`, async () => {
    const root = await Deno.makeTempDir({ prefix: "msb-fs-" });
    try {
      await Deno.writeTextFile(`${root}/a.txt`, "x");
      const before = await snapshot(root);
      const fs = new VolumeFs("pgdata", root, "disk");

      const err = await call(fs).catch((e) => e);
      assert.ok(err instanceof UnsupportedError, String(err));
      assert.match(err.message, new RegExp(`VolumeFs\\.${operation}\\(\\)`));
      assert.match(err.message, /volume "pgdata"/);
      assert.match(err.message, /inside its ext4 image/);
      assert.deepEqual(await snapshot(root), before);
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  });
}
