// Tests of formatExt4 against e2fsprogs 1.47.0 (mkfs.ext4, e2fsck,
// dumpe2fs, filefrag) and, when running as root, the kernel's ext4 driver.
//
// Run with: deno test --allow-all tests/ext4_*.ts
// MSB_EXT4_SEED=<n> repeats a run's random sizes.

import assert from "node:assert/strict";
import { type CommandResult, runCommand } from "./_tools.ts";
import {
  formatExt4,
  MAX_DISK_SIZE_BYTES,
  MIN_DISK_SIZE_BYTES,
} from "../src/ext4/format.ts";
import {
  InvalidConfigError,
  IoError,
  PermissionDeniedError,
} from "../src/errors.ts";

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;
const TIB = 1024 * GIB;
const UUID = "01234567-89ab-cdef-0123-456789abcdef";
const TIMESTAMP = new Date("2023-11-14T22:13:20Z");
/** mkfs.ext4 options of the comparison, as one -E list with `extended`. */
function mkfsArgs(extended: string[] = []): string[] {
  const options = ["lazy_itable_init=1", "lazy_journal_init=1", ...extended];
  return ["-b", "4096", "-q", "-F", "-E", options.join(",")];
}
const FEATURES = "has_journal ext_attr resize_inode dir_index filetype " +
  "extent 64bit flex_bg sparse_super large_file huge_file dir_nlink " +
  "extra_isize metadata_csum";

/** dumpe2fs -h fields that differ between any two formats by design. */
const PER_FORMAT_FIELDS = new Set([
  "Filesystem UUID",
  "Directory Hash Seed",
  "Filesystem created",
  "Last write time",
  "Last checked",
  "Lifetime writes",
  "Checksum",
]);

type Output = CommandResult;

async function run(
  command: string,
  args: string[],
  env?: Record<string, string>,
): Promise<Output> {
  return await runCommand(command, { args, env });
}

async function withTempDir(body: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "msb-ext4-" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Returns the fields of `dumpe2fs -h`. */
async function superblockFields(path: string): Promise<Map<string, string>> {
  const output = await run("dumpe2fs", ["-h", path]);
  assert.equal(output.code, 0, `dumpe2fs -h ${path}: ${output.stderr}`);
  const fields = new Map<string, string>();
  for (const line of output.stdout.split("\n")) {
    const match = /^([^:]+):\s*(.*?)\s*$/.exec(line);
    if (match) {
      fields.set(match[1], match[2]);
    }
  }
  return fields;
}

async function assertFsckClean(path: string) {
  const output = await run("e2fsck", ["-fn", path]);
  assert.equal(
    output.code,
    0,
    `e2fsck -fn ${path} exited ${output.code}:\n${output.stdout}${output.stderr}`,
  );
}

async function mkfs(path: string, sizeBytes: number, env?: {
  uuid: string;
  hashSeed: string;
  seconds: number;
}) {
  const file = await Deno.open(path, { write: true, createNew: true });
  await file.truncate(sizeBytes);
  file.close();
  const args = env === undefined
    ? mkfsArgs()
    : [...mkfsArgs([`hash_seed=${env.hashSeed}`]), "-U", env.uuid];
  const output = await run(
    "mkfs.ext4",
    [...args, path],
    env === undefined ? undefined : {
      E2FSPROGS_FAKE_TIME: String(env.seconds),
    },
  );
  assert.equal(output.code, 0, `mkfs.ext4: ${output.stderr}`);
}

async function allocatedBytes(path: string): Promise<number> {
  const { blocks } = await Deno.stat(path);
  assert.ok(blocks !== null, "the file system reports no block count");
  return blocks * 512;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      return false;
    }
    throw error;
  }
}

/** Asserts that `promise` rejects with `type` and a message matching. */
async function assertRejects(
  promise: Promise<unknown>,
  type: new (...args: never[]) => Error,
  message: RegExp,
) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(
      error instanceof type,
      `expected ${type.name}, got ${String(error)}`,
    );
    assert.match(error.message, message);
    return true;
  });
}

/** Mulberry32: a small seeded generator for reproducible sizes. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6D2B79F5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Returns whether this process may mount, logging the reason if not. */
function canMount(reason: string): boolean {
  if (Deno.uid() !== 0) {
    // deno-lint-ignore no-console
    console.log(`skipped ${reason}: needs root to mount (uid ${Deno.uid()})`);
    return false;
  }
  return true;
}

const FIXED_SIZES = [
  8 * MIB,
  9 * MIB,
  64 * MIB,
  100 * MIB,
  129 * MIB,
  GIB,
  20 * GIB,
  TIB,
  MAX_DISK_SIZE_BYTES,
];

function randomSizes(): number[] {
  const seed = Number(Deno.env.get("MSB_EXT4_SEED") ?? Date.now() % 2 ** 31);
  // deno-lint-ignore no-console
  console.log(`random sizes seed: ${seed} (set MSB_EXT4_SEED to repeat)`);
  const next = random(seed);
  const low = Math.log(MIN_DISK_SIZE_BYTES);
  const high = Math.log(MAX_DISK_SIZE_BYTES);
  return Array.from({ length: 20 }, () => {
    const size = Math.floor(Math.exp(low + (high - low) * next()));
    return Math.min(Math.max(size, MIN_DISK_SIZE_BYTES), MAX_DISK_SIZE_BYTES);
  });
}

Deno.test("formatExt4() matches mkfs.ext4 geometry", async (t) => {
  for (const size of [...FIXED_SIZES, ...randomSizes()]) {
    await t.step(`${size} bytes`, async () => {
      await withTempDir(async (dir) => {
        const ours = `${dir}/ours.raw`;
        const reference = `${dir}/mkfs.raw`;
        await formatExt4(ours, { sizeBytes: size });
        assert.equal((await Deno.stat(ours)).size, size);
        await assertFsckClean(ours);
        const fields = await superblockFields(ours);
        assert.equal(fields.get("Filesystem features"), FEATURES);
        assert.equal(fields.get("Filesystem state"), "clean");

        await mkfs(reference, size);
        const expected = await superblockFields(reference);
        for (const [name, value] of expected) {
          if (!PER_FORMAT_FIELDS.has(name)) {
            assert.equal(fields.get(name), value, `dumpe2fs field "${name}"`);
          }
        }
        assert.equal(fields.size, expected.size, "dumpe2fs field count");
      });
    });
  }
});

Deno.test("formatExt4() uses no more disk than mkfs.ext4", async (t) => {
  for (const size of [GIB, 20 * GIB, TIB]) {
    await t.step(`${size} bytes`, async () => {
      await withTempDir(async (dir) => {
        await formatExt4(`${dir}/ours.raw`, { sizeBytes: size });
        await mkfs(`${dir}/mkfs.raw`, size);
        const ours = await allocatedBytes(`${dir}/ours.raw`);
        const reference = await allocatedBytes(`${dir}/mkfs.raw`);
        assert.ok(
          ours <= reference,
          `ours allocates ${ours} bytes, mkfs.ext4 ${reference}`,
        );
      });
    });
  }
});

/** Returns the ranges of 4 KiB blocks of `path` that hold data. */
async function dataRanges(
  path: string,
): Promise<[number, number][] | undefined> {
  const output = await run("filefrag", ["-v", "-b4096", path]);
  if (output.code !== 0) {
    return undefined;
  }
  const ranges: [number, number][] = [];
  for (const line of output.stdout.split("\n")) {
    const match = /^\s*\d+:\s+(\d+)\.\.\s*(\d+):/.exec(line);
    if (match) {
      ranges.push([Number(match[1]), Number(match[2]) + 1]);
    }
  }
  return ranges;
}

/** Merges block ranges `[start, end)` into sorted, disjoint ranges. */
function mergeRanges(ranges: [number, number][]): [number, number][] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [start, end] of sorted) {
    const last = merged.at(-1);
    if (last !== undefined && start <= last[1]) {
      last[1] = Math.max(last[1], end);
    } else {
      merged.push([start, end]);
    }
  }
  return merged;
}

async function readBlocks(file: Deno.FsFile, start: number, end: number) {
  const bytes = new Uint8Array((end - start) * 4096);
  await file.seek(start * 4096, Deno.SeekMode.Start);
  let done = 0;
  while (done < bytes.length) {
    const count = await file.read(bytes.subarray(done));
    if (count === null) {
      break;
    }
    done += count;
  }
  return bytes;
}

/**
 * Zeroes the fields of a superblock at the start of block `block` (or at
 * byte 1024 of block 0) that differ from mkfs.ext4 by design:
 * s_kbytes_written, because mke2fs counts its own I/O, and s_checksum.
 */
function maskSuperblock(bytes: Uint8Array, block: number) {
  const start = block === 0 ? 1024 : 0;
  if (bytes[start + 0x38] === 0x53 && bytes[start + 0x39] === 0xef) {
    bytes.fill(0, start + 0x178, start + 0x180);
    bytes.fill(0, start + 0x3fc, start + 0x400);
  }
}

/** Returns the blocks of `start..end` whose bytes differ. */
function differingBlocks(
  a: Uint8Array,
  b: Uint8Array,
  start: number,
  end: number,
): number[] {
  const differing: number[] = [];
  for (let block = start; block < end; block++) {
    const offset = (block - start) * 4096;
    const blockA = a.subarray(offset, offset + 4096);
    const blockB = b.subarray(offset, offset + 4096);
    maskSuperblock(blockA, block);
    maskSuperblock(blockB, block);
    const wordsA = new Uint32Array(a.buffer, offset, 1024);
    const wordsB = new Uint32Array(b.buffer, offset, 1024);
    for (let index = 0; index < 1024; index++) {
      if (wordsA[index] !== wordsB[index]) {
        differing.push(block);
        break;
      }
    }
  }
  return differing;
}

Deno.test("formatExt4() matches mkfs.ext4 byte for byte", async (t) => {
  const sizes = [8 * MIB, 129 * MIB, GIB + 508 * 4096, 20 * GIB, TIB];
  for (const size of [...sizes, MAX_DISK_SIZE_BYTES]) {
    await t.step(`${size} bytes`, async () => {
      await withTempDir(async (dir) => {
        const ours = `${dir}/ours.raw`;
        const reference = `${dir}/mkfs.raw`;
        await formatExt4(ours, {
          sizeBytes: size,
          uuid: UUID,
          timestamp: TIMESTAMP,
        });
        const hashSeed = (await superblockFields(ours)).get(
          "Directory Hash Seed",
        );
        assert.ok(hashSeed !== undefined);
        await mkfs(reference, size, {
          uuid: UUID,
          hashSeed,
          seconds: TIMESTAMP.getTime() / 1000,
        });
        const ourRanges = await dataRanges(ours);
        const referenceRanges = await dataRanges(reference);
        if (ourRanges === undefined || referenceRanges === undefined) {
          // deno-lint-ignore no-console
          console.log(`skipped: filefrag cannot map files in ${dir}`);
          return;
        }
        using ourFile = await Deno.open(ours);
        using referenceFile = await Deno.open(reference);
        const differing: number[] = [];
        let compared = 0;
        for (
          const [start, end] of mergeRanges([...ourRanges, ...referenceRanges])
        ) {
          const a = await readBlocks(ourFile, start, end);
          const b = await readBlocks(referenceFile, start, end);
          differing.push(...differingBlocks(a, b, start, end));
          compared += end - start;
        }
        assert.ok(compared > 0, "no blocks compared");
        assert.deepEqual(
          differing.slice(0, 10),
          [],
          `${differing.length} of ${compared} blocks differ`,
        );
      });
    });
  }
});

Deno.test("formatExt4() is reproducible", async () => {
  await withTempDir(async (dir) => {
    const options = { sizeBytes: 64 * MIB, uuid: UUID, timestamp: TIMESTAMP };
    await formatExt4(`${dir}/a.raw`, options);
    await formatExt4(`${dir}/b.raw`, options);
    await formatExt4(`${dir}/c.raw`, {
      ...options,
      uuid: "01234567-89ab-cdef-0123-456789abcdee",
    });
    const digest = async (path: string) =>
      new Uint8Array(
        await crypto.subtle.digest("SHA-256", await Deno.readFile(path)),
      ).join(",");
    assert.equal(await digest(`${dir}/a.raw`), await digest(`${dir}/b.raw`));
    assert.notEqual(
      await digest(`${dir}/a.raw`),
      await digest(`${dir}/c.raw`),
      "another UUID gives another image",
    );
  });
});

Deno.test("formatExt4() writes label, UUID and time", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/disk.raw`;
    await formatExt4(path, {
      sizeBytes: 64 * MIB,
      uuid: UUID.toUpperCase(),
      label: "données-1",
      timestamp: new Date("2099-12-31T23:59:59.900Z"),
    });
    await assertFsckClean(path);
    const fields = await superblockFields(path);
    assert.equal(fields.get("Filesystem volume name"), "données-1");
    assert.equal(fields.get("Filesystem UUID"), UUID);
    const stat = await run("debugfs", ["-R", "stat <2>", path]);
    assert.match(
      stat.stdout,
      /crtime: 0xf48656ff:00000001 -- Thu Dec 31 23:59:59 2099/,
    );
  });
});

Deno.test("formatExt4() reports progress", async () => {
  await withTempDir(async (dir) => {
    const reports: [number, number][] = [];
    await formatExt4(`${dir}/disk.raw`, {
      sizeBytes: TIB,
      onProgress: (done, total) => reports.push([done, total]),
    });
    assert.ok(reports.length > 1, `${reports.length} progress reports`);
    const total = reports[0][1];
    assert.ok(total > 10 * MIB, `total ${total} bytes`);
    for (let index = 1; index < reports.length; index++) {
      assert.ok(reports[index][0] > reports[index - 1][0], "done grows");
      assert.equal(reports[index][1], total);
    }
    assert.equal(reports.at(-1)?.[0], total);
  });
});

Deno.test("formatExt4() progress error removes image", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/disk.raw`;
    const failure = new Error("stop");
    await assert.rejects(
      formatExt4(path, {
        sizeBytes: 64 * MIB,
        onProgress: () => {
          throw failure;
        },
      }),
      (error) => error === failure,
    );
    assert.equal(await exists(path), false);
  });
});

Deno.test("formatExt4() rejects invalid options", async (t) => {
  const range = "expected 8 MiB to 16 TiB minus 1 MiB " +
    "\\(8388608 to 17592184995840 bytes\\)";
  const cases: [string, Record<string, unknown>, RegExp][] = [
    [
      "size below minimum",
      { sizeBytes: 4 * MIB },
      new RegExp(`^Invalid disk size 4194304 bytes: ${range}\\.$`),
    ],
    [
      "size above maximum",
      { sizeBytes: MAX_DISK_SIZE_BYTES + 1 },
      new RegExp(`^Invalid disk size 17592184995841 bytes: ${range}\\.$`),
    ],
    ["size NaN", { sizeBytes: NaN }, /^Invalid disk size NaN bytes: .*whole/],
    [
      "fractional size",
      { sizeBytes: 8 * MIB + 0.5 },
      /^Invalid disk size 8388608.5 bytes: expected a whole number/,
    ],
    ["size Infinity", { sizeBytes: Infinity }, /Invalid disk size Infinity/],
    ["size as string", { sizeBytes: "1G" }, /Invalid disk size 1G bytes/],
    [
      "label too long",
      { sizeBytes: 8 * MIB, label: "ééééééééé" },
      /^Invalid volume label "ééééééééé": it takes 18 bytes in UTF-8; use at most 16\.$/,
    ],
    [
      "label with NUL",
      { sizeBytes: 8 * MIB, label: "a\0b" },
      /^Invalid volume label "a\\u0000b": it contains a NUL/,
    ],
    [
      "label with lone surrogate",
      { sizeBytes: 8 * MIB, label: "a\ud800" },
      /^Invalid volume label .*well-formed Unicode/,
    ],
    [
      "malformed UUID",
      { sizeBytes: 8 * MIB, uuid: "not-a-uuid" },
      /^Invalid UUID "not-a-uuid": expected the canonical 8-4-4-4-12 hex form/,
    ],
    [
      "UUID without dashes",
      { sizeBytes: 8 * MIB, uuid: "0123456789abcdef0123456789abcdef" },
      /^Invalid UUID "0123456789abcdef0123456789abcdef"/,
    ],
    [
      "invalid date",
      { sizeBytes: 8 * MIB, timestamp: new Date(NaN) },
      /^Invalid timestamp Invalid Date: expected a date from 1970-01-01T00:00:01Z to 2446-05-10T22:38:55Z\.$/,
    ],
    [
      "epoch timestamp",
      { sizeBytes: 8 * MIB, timestamp: new Date(0) },
      /^Invalid timestamp 1970-01-01T00:00:00.000Z: expected a date from/,
    ],
    [
      "timestamp after 2446",
      { sizeBytes: 8 * MIB, timestamp: new Date("2500-01-01T00:00:00Z") },
      /^Invalid timestamp 2500-01-01T00:00:00.000Z/,
    ],
    [
      "progress not a function",
      { sizeBytes: 8 * MIB, onProgress: 1 },
      /^Invalid onProgress option/,
    ],
  ];
  for (const [name, options, message] of cases) {
    await t.step(name, async () => {
      await withTempDir(async (dir) => {
        const path = `${dir}/disk.raw`;
        await assertRejects(
          formatExt4(path, options as never),
          InvalidConfigError,
          message,
        );
        assert.equal(await exists(path), false, "no file is left");
      });
    });
  }
  assert.equal(MIN_DISK_SIZE_BYTES, 8388608);
  assert.equal(MAX_DISK_SIZE_BYTES, 17592184995840);
});

Deno.test("formatExt4() keeps an existing file", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/disk.raw`;
    await Deno.writeTextFile(path, "precious");
    const before = await Deno.stat(path);
    await assertRejects(
      formatExt4(path, { sizeBytes: 8 * MIB }),
      IoError,
      new RegExp(`^Cannot create ${path}: a file already exists there`),
    );
    assert.equal(await Deno.readTextFile(path), "precious");
    assert.equal(
      (await Deno.stat(path)).mtime?.getTime(),
      before.mtime?.getTime(),
    );
  });
});

Deno.test("formatExt4() reports a missing directory", async () => {
  await withTempDir(async (dir) => {
    await assertRejects(
      formatExt4(`${dir}/missing/disk.raw`, { sizeBytes: 8 * MIB }),
      IoError,
      /its directory does not exist/,
    );
  });
});

Deno.test("formatExt4() removes image when out of space", async () => {
  if (!canMount("out-of-space test")) {
    return;
  }
  await withTempDir(async (dir) => {
    const mountPoint = `${dir}/small`;
    await Deno.mkdir(mountPoint);
    const mount = await run("mount", [
      "-t",
      "tmpfs",
      "-o",
      "size=1m",
      "tmpfs",
      mountPoint,
    ]);
    if (mount.code !== 0) {
      // deno-lint-ignore no-console
      console.log(`skipped out-of-space test: mount failed: ${mount.stderr}`);
      return;
    }
    try {
      const path = `${mountPoint}/disk.raw`;
      await assertRejects(
        formatExt4(path, { sizeBytes: TIB }),
        IoError,
        new RegExp(
          `^No space left on device while writing ${path}; free space`,
        ),
      );
      assert.equal(await exists(path), false, "the partial image is removed");
    } finally {
      await run("umount", [mountPoint]);
    }
  });
});

Deno.test("formatExt4() image mounts and stores files", async () => {
  if (!canMount("kernel mount test")) {
    return;
  }
  await withTempDir(async (dir) => {
    const image = `${dir}/disk.raw`;
    const mountPoint = `${dir}/mnt`;
    await Deno.mkdir(mountPoint);
    await formatExt4(image, { sizeBytes: GIB, label: "kernel" });
    const mount = await run("mount", ["-o", "loop", image, mountPoint]);
    if (mount.code !== 0) {
      // deno-lint-ignore no-console
      console.log(`skipped kernel mount test: mount failed: ${mount.stderr}`);
      return;
    }
    let mounted = true;
    try {
      const lostFound = await Deno.stat(`${mountPoint}/lost+found`);
      assert.ok(lostFound.isDirectory);
      const big = crypto.getRandomValues(new Uint8Array(65536));
      const payload = new Uint8Array(5 * MIB);
      for (let offset = 0; offset < payload.length; offset += big.length) {
        payload.set(big.map((byte) => byte ^ (offset >> 16)), offset);
      }
      await Deno.writeFile(`${mountPoint}/big.bin`, payload);
      await Deno.mkdir(`${mountPoint}/sub/deeper`, { recursive: true });
      for (let index = 0; index < 2000; index++) {
        await Deno.writeTextFile(
          `${mountPoint}/sub/file-${index}.txt`,
          `file ${index}\n`,
        );
      }
      await Deno.writeTextFile(`${mountPoint}/sub/deeper/note.txt`, "deep");

      const readBack = await Deno.readFile(`${mountPoint}/big.bin`);
      assert.ok(
        readBack.length === payload.length &&
          readBack.every((byte, index) => byte === payload[index]),
        "5 MiB file reads back unchanged",
      );
      let count = 0;
      for await (const entry of Deno.readDir(`${mountPoint}/sub`)) {
        if (entry.isFile) {
          count++;
        }
      }
      assert.equal(count, 2000);
      assert.equal(
        await Deno.readTextFile(`${mountPoint}/sub/file-1234.txt`),
        "file 1234\n",
      );
      assert.equal(
        await Deno.readTextFile(`${mountPoint}/sub/deeper/note.txt`),
        "deep",
      );
      const umount = await run("umount", [mountPoint]);
      assert.equal(umount.code, 0, `umount: ${umount.stderr}`);
      mounted = false;
      await assertFsckClean(image);
      const fields = await superblockFields(image);
      assert.equal(fields.get("Journal checksum type"), "crc32c");
      assert.equal(fields.get("Filesystem volume name"), "kernel");
    } finally {
      if (mounted) {
        await run("umount", [mountPoint]);
      }
    }
  });
});

Deno.test("formatExt4() reuses its worker", async () => {
  await withTempDir(async (dir) => {
    const concurrent = Array.from(
      { length: 5 },
      (_, index) =>
        formatExt4(`${dir}/concurrent-${index}.raw`, {
          sizeBytes: (64 + index) * MIB,
        }),
    );
    await Promise.all(concurrent);
    for (let index = 0; index < 3; index++) {
      await formatExt4(`${dir}/sequential-${index}.raw`, {
        sizeBytes: 2 * GIB,
      });
    }
    for await (const entry of Deno.readDir(dir)) {
      await assertFsckClean(`${dir}/${entry.name}`);
    }
  });
});

Deno.test("formatExt4() runs formats side by side", async () => {
  await withTempDir(async (dir) => {
    const finished: string[] = [];
    // The largest image takes hundreds of ms; the small one, started
    // after it, must not queue behind it.
    const large = formatExt4(`${dir}/large.raw`, {
      sizeBytes: 16 * 1024 * GIB - MIB,
    }).then(() => finished.push("large"));
    const small = formatExt4(`${dir}/small.raw`, { sizeBytes: 8 * MIB })
      .then(() => finished.push("small"));
    await Promise.all([large, small]);
    assert.deepEqual(finished, ["small", "large"]);
    await assertFsckClean(`${dir}/small.raw`);
  });
});

/** Runs a Deno script in a child process, killing it after `timeoutMs`. */
async function runScript(
  script: string,
  permissions: string[],
  args: string[],
  timeoutMs: number,
): Promise<Output & { elapsedMs: number }> {
  const started = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", ...permissions, script, ...args],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const output = await child.output();
  clearTimeout(timer);
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
    elapsedMs: performance.now() - started,
  };
}

const CHILD_SCRIPT = `
import { formatExt4 } from ${
  JSON.stringify(new URL("../src/ext4/format.ts", import.meta.url).href)
};
try {
  await formatExt4(Deno.args[0], { sizeBytes: 64 * 1024 * 1024 });
  console.log("formatted");
} catch (error) {
  console.log(error.name + ": " + error.message);
}
`;

Deno.test("formatExt4() lets the process exit", async () => {
  await withTempDir(async (dir) => {
    const script = `${dir}/child.ts`;
    await Deno.writeTextFile(script, CHILD_SCRIPT);
    const image = `${dir}/disk.raw`;
    // The child may write the image but not read the module directory.
    const output = await runScript(
      script,
      [`--allow-write=${image}`],
      [image],
      10_000,
    );
    assert.equal(output.code, 0, `child failed: ${output.stderr}`);
    assert.equal(output.stdout.trim(), "formatted");
    assert.ok(
      output.elapsedMs < 5000,
      `the child took ${output.elapsedMs.toFixed(0)} ms to exit`,
    );
    await assertFsckClean(image);
  });
});

Deno.test("formatExt4() names the missing permission", async () => {
  await withTempDir(async (dir) => {
    const script = `${dir}/child.ts`;
    await Deno.writeTextFile(script, CHILD_SCRIPT);
    const image = `${dir}/disk.raw`;
    const output = await runScript(
      script,
      [`--allow-write=${dir}/other.raw`],
      [image],
      10_000,
    );
    assert.equal(output.code, 0, `child failed: ${output.stderr}`);
    assert.equal(
      output.stdout.trim(),
      `${PermissionDeniedError.name}: Write access to ${image} denied: ` +
        `run with --allow-write=${image}.`,
    );
    assert.equal(await exists(image), false);
  });
});
