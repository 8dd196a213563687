import assert from "node:assert/strict";
import {
  InvalidConfigError,
  InvalidPathError,
  IoError,
  IsADirectoryError,
  NotADirectoryError,
  PathAlreadyExistsError,
  PathNotFoundError,
  UnsupportedError,
} from "../src/errors.ts";
import { type FsEntry, VolumeFs } from "../src/fs.ts";
import {
  MAX_READ_BYTES,
  MAX_STRING_BYTES,
  READ_CHUNK_SIZE,
  readWholeFile,
} from "../src/_fs_open.ts";
import {
  MAX_PATH_BYTES,
  MAX_SEGMENT_BYTES,
  parseRequestPath,
  quoteShortened,
} from "../src/_fs_path.ts";
import { openContext } from "../src/_fs_resolve.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

// Runs `fn` with a VolumeFs on a fresh temporary root, removed afterwards.
async function withVolume(
  fn: (fs: VolumeFs, root: string) => Promise<void>,
): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "msb-fs-" });
  try {
    await fn(new VolumeFs("data", root, "dir"), root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

// Names of the hidden files that VolumeFs creates while it works.
async function hiddenNames(directory: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(directory)) {
    if (/\.msb-(tmp|del|mv)-[0-9a-f]{16}$/.test(entry.name)) {
      names.push(entry.name);
    }
  }
  return names;
}

// Returns bytes whose value at offset i is i modulo 251, so that a chunk
// taken from the wrong offset does not match.
function patternBytes(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = i % 251;
  return bytes;
}

// Creates a sparse file of `size` zero bytes, which takes no disk space.
async function createSparseFile(path: string, size: number): Promise<void> {
  await Deno.writeFile(path, new Uint8Array());
  await Deno.truncate(path, size);
}

// Runs `fn` while constructing a Uint8Array of `length` elements throws the
// RangeError that V8 raises when the host has no memory for the buffer.
// Deno's runtime uses the Uint8Array it captured at startup, so the
// replacement reaches only code that reads the global, such as the module.
async function withFailingAllocation(
  length: number,
  fn: () => Promise<void>,
): Promise<void> {
  const original = globalThis.Uint8Array;
  globalThis.Uint8Array = new Proxy(original, {
    construct(target, args, newTarget) {
      if (args[0] === length) {
        throw new RangeError("Array buffer allocation failed");
      }
      return Reflect.construct(target, args, newTarget);
    },
  });
  try {
    await fn();
  } finally {
    globalThis.Uint8Array = original;
  }
}

async function hasCommand(name: string): Promise<boolean> {
  try {
    const { success } = await new Deno.Command("sh", {
      args: ["-c", `command -v ${name}`],
      stdout: "null",
      stderr: "null",
    }).output();
    return success;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------- read

Deno.test("VolumeFs.read() returns file bytes", async () => {
  await withVolume(async (fs, root) => {
    await Deno.writeFile(`${root}/a.bin`, new Uint8Array([0, 1, 254, 255]));
    assert.deepEqual(await fs.read("a.bin"), new Uint8Array([0, 1, 254, 255]));
  });
});

Deno.test("VolumeFs.read() returns empty file", async () => {
  await withVolume(async (fs, root) => {
    await Deno.writeFile(`${root}/empty`, new Uint8Array());
    assert.deepEqual(await fs.read("empty"), new Uint8Array());
  });
});

Deno.test("VolumeFs.read() follows symlinks inside root", async () => {
  await withVolume(async (fs, root) => {
    await Deno.mkdir(`${root}/real/sub`, { recursive: true });
    await Deno.writeTextFile(`${root}/real/sub/f.txt`, "inside");
    await Deno.symlink("real/sub/f.txt", `${root}/file_link`);
    await Deno.symlink("real", `${root}/dir_link`);
    await Deno.symlink("/real/sub", `${root}/real/abs_link`);
    await Deno.symlink("../real/sub/f.txt", `${root}/real/up_link`);

    assert.equal(decoder.decode(await fs.read("file_link")), "inside");
    assert.equal(decoder.decode(await fs.read("dir_link/sub/f.txt")), "inside");
    assert.equal(
      decoder.decode(await fs.read("real/abs_link/f.txt")),
      "inside",
    );
    assert.equal(decoder.decode(await fs.read("real/up_link")), "inside");
  });
});

Deno.test("VolumeFs.read() rejects missing file", async () => {
  await withVolume(async (fs) => {
    const err = await fs.read("a/b.txt").catch((e) => e);
    assert.ok(err instanceof PathNotFoundError);
    assert.equal(err.message, 'Path "a/b.txt" not found in volume "data".');
  });
});

Deno.test("VolumeFs.read() rejects directory", async () => {
  await withVolume(async (fs, root) => {
    await Deno.mkdir(`${root}/d`);
    const err = await fs.read("d").catch((e) => e);
    assert.ok(err instanceof IsADirectoryError);
    assert.match(err.message, /"d".*"data"/);
    await assert.rejects(fs.read(""), IsADirectoryError);
  });
});

Deno.test("VolumeFs.read() rejects file as parent", async () => {
  await withVolume(async (fs, root) => {
    await Deno.writeTextFile(`${root}/f.txt`, "x");
    const err = await fs.read("f.txt/x").catch((e) => e);
    assert.ok(err instanceof NotADirectoryError);
    assert.match(err.message, /"f\.txt\/x" in volume "data"/);
  });
});

Deno.test("VolumeFs.read() rejects 1 TiB sparse file", async () => {
  await withVolume(async (fs, root) => {
    await createSparseFile(`${root}/huge.img`, 2 ** 40);
    const err = await fs.read("huge.img").catch((e) => e);
    assert.ok(err instanceof IoError, String(err));
    assert.equal(
      err.message,
      'File "huge.img" in volume "data" is 1099511627776 bytes (1.0T), ' +
        "larger than the maximum of 2147483648 bytes (2.0G) that read() " +
        "returns in one array: use readStream() to read it in chunks.",
    );
  });
});

Deno.test("VolumeFs.read() limit is 2 GiB", async () => {
  await withVolume(async (fs, root) => {
    assert.equal(MAX_READ_BYTES, 2 ** 31);
    await createSparseFile(`${root}/over`, MAX_READ_BYTES + 1);
    const err = await fs.read("over").catch((e) => e);
    assert.ok(err instanceof IoError, String(err));
    assert.match(err.message, /is 2147483649 bytes/);
    assert.match(err.message, /readStream\(\)/);
  });
});

Deno.test("VolumeFs.read() reports failed allocation", async () => {
  await withVolume(async (fs, root) => {
    await Deno.writeFile(`${root}/f.bin`, patternBytes(12345));
    await withFailingAllocation(12345, async () => {
      const err = await fs.read("f.bin").catch((e) => e);
      assert.ok(err instanceof IoError, String(err));
      assert.match(err.message, /file "f\.bin" in volume "data"/);
      assert.match(err.message, /12345 bytes \(12\.1K\) of memory/);
      assert.match(err.message, /Array buffer allocation failed/);
      assert.match(err.message, /Use readStream\(\)/);
      assert.ok(err.cause instanceof RangeError);
    });
  });
});

Deno.test("readWholeFile() rejects file grown past limit", async () => {
  await withVolume(async (_fs, root) => {
    const content = patternBytes(READ_CHUNK_SIZE * 3);
    await Deno.writeFile(`${root}/f`, content);
    const context = await openContext({
      volumeName: "data",
      root,
      path: "f",
      operation: "read",
    });
    // The handle's stat reports the file empty, as if the file grew after
    // the stat, so only the check while reading can detect its size.
    const originalStat = Deno.FsFile.prototype.stat;
    Deno.FsFile.prototype.stat = async function (this: Deno.FsFile) {
      return { ...await originalStat.call(this), size: 0 };
    };
    try {
      const err = await readWholeFile(context, ["f"], READ_CHUNK_SIZE + 1)
        .catch((e) => e);
      assert.ok(err instanceof IoError, String(err));
      assert.equal(
        err.message,
        'File "f" in volume "data" grew while it was read to more than the ' +
          "maximum of 1048577 bytes (1.0M) that read() returns in one " +
          "array: use readStream() to read it in chunks.",
      );
      const bytes = await readWholeFile(context, ["f"], content.length);
      assert.deepEqual(bytes, content);
    } finally {
      Deno.FsFile.prototype.stat = originalStat;
    }
  });
});

Deno.test({
  name: "VolumeFs.read() rejects FIFO without blocking",
  ignore: Deno.build.os === "windows",
  async fn() {
    if (!await hasCommand("mkfifo")) return;
    await withVolume(async (fs, root) => {
      const mkfifo = await new Deno.Command("mkfifo", {
        args: [`${root}/pipe`],
      }).output();
      assert.ok(mkfifo.success);
      const err = await fs.read("pipe").catch((e) => e);
      assert.ok(err instanceof UnsupportedError);
      assert.match(err.message, /"pipe" in volume "data"/);
      await assert.rejects(fs.copy("pipe", "copy"), UnsupportedError);
    });
  },
});

// -------------------------------------------------------- readToString

Deno.test("VolumeFs.readToString() decodes UTF-8", async () => {
  await withVolume(async (fs, root) => {
    await Deno.writeTextFile(`${root}/t.txt`, "héllo ✓ 😀");
    assert.equal(await fs.readToString("t.txt"), "héllo ✓ 😀");
  });
});

Deno.test("VolumeFs.readToString() rejects invalid UTF-8", async () => {
  await withVolume(async (fs, root) => {
    await Deno.writeFile(`${root}/bad.txt`, new Uint8Array([0x61, 0xff]));
    const err = await fs.readToString("bad.txt").catch((e) => e);
    assert.ok(err instanceof IoError);
    assert.match(err.message, /"bad\.txt" in volume "data"/);
    assert.match(err.message, /UTF-8/);
  });
});

Deno.test("VolumeFs.readToString() rejects 600 MiB file", async () => {
  await withVolume(async (fs, root) => {
    await createSparseFile(`${root}/zeros`, 600 * 1024 * 1024);
    const err = await fs.readToString("zeros").catch((e) => e);
    assert.ok(err instanceof IoError, String(err));
    assert.equal(
      err.message,
      'File "zeros" in volume "data" is 629145600 bytes (600.0M), larger ' +
        "than the maximum of 536870888 bytes (512.0M) that fits in one " +
        "JavaScript string: use readStream() with a TextDecoderStream to " +
        "read it in chunks.",
    );
    assert.doesNotMatch(err.message, /UTF-8/);
  });
});

Deno.test("VolumeFs.readToString() limit is V8 string max", async () => {
  await withVolume(async (fs, root) => {
    assert.equal(MAX_STRING_BYTES, 2 ** 29 - 24);
    await createSparseFile(`${root}/over`, MAX_STRING_BYTES + 1);
    const err = await fs.readToString("over").catch((e) => e);
    assert.ok(err instanceof IoError, String(err));
    assert.match(err.message, /is 536870889 bytes/);
    assert.match(err.message, /readStream\(\)/);
  });
});

Deno.test("VolumeFs.readToString() reports decoder limit as size", async () => {
  // Deno 2.9 raises a TypeError both for invalid UTF-8 and for a string
  // longer than V8 allows. This makes the decoder fail on valid text, as it
  // does on a host whose V8 has a smaller string limit.
  await withVolume(async (fs, root) => {
    await Deno.writeTextFile(`${root}/t.txt`, "valid text");
    const original = TextDecoder.prototype.decode;
    TextDecoder.prototype.decode = () => {
      throw new TypeError(
        "Cannot allocate String from UTF-16: buffer exceeds maximum length.",
      );
    };
    let err: unknown;
    try {
      err = await fs.readToString("t.txt").catch((e) => e);
    } finally {
      TextDecoder.prototype.decode = original;
    }
    assert.ok(err instanceof IoError, String(err));
    assert.doesNotMatch(err.message, /not valid UTF-8/);
    assert.match(err.message, /file "t\.txt" in volume "data", 10 bytes/);
    assert.match(err.message, /readStream\(\)/);
    assert.ok(err.cause instanceof TypeError);
  });
});

Deno.test("VolumeFs.readToString() reports allocation failure", async () => {
  await withVolume(async (fs, root) => {
    await Deno.writeTextFile(`${root}/t.txt`, "x".repeat(4321));
    await withFailingAllocation(4321, async () => {
      const err = await fs.readToString("t.txt").catch((e) => e);
      assert.ok(err instanceof IoError, String(err));
      assert.doesNotMatch(err.message, /UTF-8/);
      assert.match(err.message, /4321 bytes/);
    });
  });
});

// ---------------------------------------------------------- readStream

Deno.test("VolumeFs.readStream() yields 1 MiB chunks", async () => {
  await withVolume(async (fs, root) => {
    const content = patternBytes(READ_CHUNK_SIZE * 3.5);
    await Deno.writeFile(`${root}/big`, content);

    await using stream = await fs.readStream("big");
    const chunks: Uint8Array[] = [];
    for await (const chunk of stream) chunks.push(chunk);

    assert.deepEqual(chunks.map((chunk) => chunk.length), [
      READ_CHUNK_SIZE,
      READ_CHUNK_SIZE,
      READ_CHUNK_SIZE,
      READ_CHUNK_SIZE / 2,
    ]);
    for (const [index, chunk] of chunks.entries()) {
      const start = index * READ_CHUNK_SIZE;
      assert.deepEqual(
        chunk,
        content.subarray(start, start + chunk.length),
        `chunk ${index}`,
      );
    }
  });
});

Deno.test("VolumeFs.readStream() recv() returns null at end", async () => {
  await withVolume(async (fs, root) => {
    await Deno.writeTextFile(`${root}/a.txt`, "abc");
    const stream = await fs.readStream("a.txt");
    assert.deepEqual(await stream.recv(), encoder.encode("abc"));
    assert.equal(await stream.recv(), null);
    assert.equal(await stream.recv(), null);
  });
});

Deno.test("VolumeFs.readStream() of empty file ends", async () => {
  await withVolume(async (fs, root) => {
    await Deno.writeFile(`${root}/empty`, new Uint8Array());
    const stream = await fs.readStream("empty");
    assert.equal(await stream.recv(), null);
  });
});

Deno.test("VolumeFs.readStream() concurrent recv() keeps order", async () => {
  await withVolume(async (fs, root) => {
    const content = patternBytes(READ_CHUNK_SIZE * 2 + 10);
    await Deno.writeFile(`${root}/big`, content);
    const stream = await fs.readStream("big");
    const [first, second, third, end] = await Promise.all([
      stream.recv(),
      stream.recv(),
      stream.recv(),
      stream.recv(),
    ]);
    assert.deepEqual(first, content.subarray(0, READ_CHUNK_SIZE));
    assert.deepEqual(
      second,
      content.subarray(READ_CHUNK_SIZE, 2 * READ_CHUNK_SIZE),
    );
    assert.deepEqual(third, content.subarray(2 * READ_CHUNK_SIZE));
    assert.equal(end, null);
  });
});

Deno.test("VolumeFs.readStream() collect() returns remaining bytes", async () => {
  await withVolume(async (fs, root) => {
    const content = patternBytes(READ_CHUNK_SIZE + 100);
    await Deno.writeFile(`${root}/f`, content);
    const stream = await fs.readStream("f");
    const first = await stream.recv();
    const rest = await stream.collect();
    assert.equal(first?.length, READ_CHUNK_SIZE);
    assert.deepEqual(rest, content.subarray(READ_CHUNK_SIZE));
    assert.deepEqual(await stream.collect(), new Uint8Array());
  });
});

Deno.test("VolumeFs.readStream() readable pipes to writable", async () => {
  await withVolume(async (fs, root) => {
    const content = patternBytes(READ_CHUNK_SIZE * 2 + 7);
    await Deno.writeFile(`${root}/f`, content);
    const stream = await fs.readStream("f");

    const received: Uint8Array<ArrayBuffer>[] = [];
    await stream.readable.pipeTo(
      new WritableStream({ write: (chunk) => void received.push(chunk) }),
    );

    assert.equal(received.length, 3);
    const joined = new Uint8Array(await new Blob(received).arrayBuffer());
    assert.deepEqual(joined, content);
    assert.equal(await stream.recv(), null);
  });
});

Deno.test("VolumeFs.readStream() cancel of readable closes file", async () => {
  await withVolume(async (fs, root) => {
    await Deno.writeFile(`${root}/f`, patternBytes(READ_CHUNK_SIZE * 3));
    const stream = await fs.readStream("f");
    const reader = stream.readable.getReader();
    const first = await reader.read();
    await reader.cancel();
    assert.equal(first.value?.length, READ_CHUNK_SIZE);
    // The resource sanitizer of Deno.test fails this test if the file stays
    // open.
    assert.equal(await stream.recv(), null);
  });
});

Deno.test("VolumeFs.readStream() asyncDispose closes file", async () => {
  await withVolume(async (fs, root) => {
    await Deno.writeFile(`${root}/f`, patternBytes(READ_CHUNK_SIZE * 2));
    let stream;
    {
      await using opened = await fs.readStream("f");
      stream = opened;
      assert.equal((await opened.recv())?.length, READ_CHUNK_SIZE);
    }
    assert.equal(await stream.recv(), null);
  });
});

Deno.test("VolumeFs.readStream() early loop exit closes file", async () => {
  await withVolume(async (fs, root) => {
    await Deno.writeFile(`${root}/f`, patternBytes(READ_CHUNK_SIZE * 3));
    const stream = await fs.readStream("f");
    let count = 0;
    for await (const _chunk of stream) {
      count++;
      break;
    }
    assert.equal(count, 1);
    assert.equal(await stream.recv(), null);
  });
});

Deno.test("VolumeFs.readStream() reads opened file after replace", async () => {
  await withVolume(async (fs, root) => {
    await Deno.writeTextFile(`${root}/f.txt`, "old content");
    await using stream = await fs.readStream("f.txt");
    await fs.write("f.txt", "new content");
    assert.equal(decoder.decode(await stream.collect()), "old content");
  });
});

// --------------------------------------------------------------- write

Deno.test("VolumeFs.write() writes string as UTF-8", async () => {
  await withVolume(async (fs, root) => {
    await fs.write("t.txt", "grüße");
    assert.equal(await Deno.readTextFile(`${root}/t.txt`), "grüße");
  });
});

Deno.test("VolumeFs.write() writes bytes", async () => {
  await withVolume(async (fs, root) => {
    await fs.write("b.bin", new Uint8Array([9, 8, 7]));
    assert.deepEqual(
      await Deno.readFile(`${root}/b.bin`),
      new Uint8Array([9, 8, 7]),
    );
  });
});

Deno.test("VolumeFs.write() creates parent directories", async () => {
  await withVolume(async (fs, root) => {
    await fs.write("a/b/c/d.txt", "deep");
    assert.ok((await Deno.lstat(`${root}/a/b/c`)).isDirectory);
    assert.equal(await Deno.readTextFile(`${root}/a/b/c/d.txt`), "deep");
  });
});

Deno.test("VolumeFs.write() replaces existing content", async () => {
  await withVolume(async (fs, root) => {
    await Deno.writeTextFile(`${root}/f.txt`, "a much longer old content");
    await fs.write("f.txt", "short");
    assert.equal(await Deno.readTextFile(`${root}/f.txt`), "short");
    assert.deepEqual(await hiddenNames(root), []);
  });
});

Deno.test({
  name: "VolumeFs.write() keeps permission bits",
  ignore: Deno.build.os === "windows",
  async fn() {
    await withVolume(async (fs, root) => {
      await Deno.writeTextFile(`${root}/run.sh`, "#!/bin/sh\n");
      await Deno.chmod(`${root}/run.sh`, 0o750);
      await fs.write("run.sh", "#!/bin/sh\necho hi\n");
      assert.equal((await Deno.stat(`${root}/run.sh`)).mode! & 0o777, 0o750);
    });
  },
});

Deno.test("VolumeFs.write() replaces symlink with file", async () => {
  await withVolume(async (fs, root) => {
    await Deno.writeTextFile(`${root}/target.txt`, "target");
    await Deno.symlink("target.txt", `${root}/link`);
    await fs.write("link", "replaced");

    const info = await Deno.lstat(`${root}/link`);
    assert.ok(info.isFile);
    assert.equal(await Deno.readTextFile(`${root}/link`), "replaced");
    assert.equal(await Deno.readTextFile(`${root}/target.txt`), "target");
  });
});

Deno.test("VolumeFs.write() writes through parent symlink inside", async () => {
  await withVolume(async (fs, root) => {
    await Deno.mkdir(`${root}/real`);
    await Deno.symlink("real", `${root}/alias`);
    await fs.write("alias/new/f.txt", "via link");
    assert.equal(await Deno.readTextFile(`${root}/real/new/f.txt`), "via link");
  });
});

Deno.test("VolumeFs.write() rejects directory target", async () => {
  await withVolume(async (fs, root) => {
    await Deno.mkdir(`${root}/d`);
    const err = await fs.write("d", "x").catch((e) => e);
    assert.ok(err instanceof IsADirectoryError);
    assert.match(err.message, /"d" in volume "data"/);
    await assert.rejects(fs.write("", "x"), IsADirectoryError);
    await assert.rejects(fs.write("/", "x"), IsADirectoryError);
    assert.deepEqual(await hiddenNames(root), []);
  });
});

Deno.test("VolumeFs.write() rejects file as parent", async () => {
  await withVolume(async (fs, root) => {
    await Deno.writeTextFile(`${root}/f`, "x");
    await assert.rejects(fs.write("f/g.txt", "x"), NotADirectoryError);
    assert.equal(await Deno.readTextFile(`${root}/f`), "x");
  });
});

Deno.test("VolumeFs.write() rejects data of wrong type", async () => {
  await withVolume(async (fs, root) => {
    const err = await fs.write("f", 123 as unknown as string).catch((e) => e);
    assert.ok(err instanceof InvalidConfigError, String(err));
    assert.equal(
      err.message,
      'Invalid data for path "f" in volume "data": expected a Uint8Array ' +
        "or a string, got number (123).",
    );

    const cases: [unknown, string][] = [
      [null, "null"],
      [undefined, "undefined"],
      [true, "boolean (true)"],
      [Symbol("s"), "symbol"],
      [() => "x", "function"],
      [[1, 2], "Array"],
      [{}, "Object"],
      [Object.create(null), "object"],
      [new ArrayBuffer(2), "ArrayBuffer"],
      [new DataView(new ArrayBuffer(2)), "DataView"],
      [new Uint16Array(2), "Uint16Array"],
      [new String("text"), "String"],
    ];
    for (const [data, type] of cases) {
      const caseErr = await fs.write("f", data as string).catch((e) => e);
      assert.ok(caseErr instanceof InvalidConfigError, `${type}: ${caseErr}`);
      assert.ok(caseErr.message.endsWith(`got ${type}.`), caseErr.message);
    }
    assert.deepEqual(await hiddenNames(root), []);
    assert.equal(await fs.exists("f"), false);
  });
});

Deno.test("VolumeFs.write() checks data before disk", async () => {
  const base = await Deno.makeTempDir({ prefix: "msb-fs-" });
  try {
    const fs = new VolumeFs("data", `${base}/gone`, "dir");
    const err = await fs.write("f", 123 as unknown as string).catch((e) => e);
    assert.ok(err instanceof InvalidConfigError, String(err));
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test("VolumeFs.write() accepts Uint8Array subclasses", async () => {
  await withVolume(async (fs, root) => {
    const shared = new Uint8Array(new SharedArrayBuffer(2));
    shared.set([1, 2]);
    await fs.write("shared", shared);
    assert.deepEqual(await Deno.readFile(`${root}/shared`), shared);

    class Bytes extends Uint8Array {}
    await fs.write("subclass", new Bytes([3, 4]));
    assert.deepEqual(
      await Deno.readFile(`${root}/subclass`),
      new Uint8Array([3, 4]),
    );
  });
});

Deno.test("VolumeFs.write() accepts 255-byte name", async () => {
  await withVolume(async (fs, root) => {
    const name = "n".repeat(255);
    await fs.write(name, "long");
    assert.equal(await Deno.readTextFile(`${root}/${name}`), "long");
    assert.deepEqual(await hiddenNames(root), []);
  });
});

// Runs `fn` while FsFile.sync() rejects, as it does when the disk fails
// or is full at flush time.
async function withFailingSync(fn: () => Promise<void>): Promise<void> {
  const original = Deno.FsFile.prototype.sync;
  Deno.FsFile.prototype.sync = () =>
    Promise.reject(new Error("Input/output error (os error 5)"));
  try {
    await fn();
  } finally {
    Deno.FsFile.prototype.sync = original;
  }
}

Deno.test("VolumeFs.write() failure keeps old content", async () => {
  await withVolume(async (fs, root) => {
    await Deno.writeTextFile(`${root}/f.txt`, "old");
    await withFailingSync(async () => {
      const err = await fs.write("f.txt", "new").catch((e) => e);
      assert.ok(err instanceof IoError, String(err));
      assert.match(err.message, /"f\.txt" in volume "data".*os error 5/);
    });
    assert.equal(await Deno.readTextFile(`${root}/f.txt`), "old");
    assert.deepEqual(await hiddenNames(root), []);
  });
});

Deno.test("VolumeFsWriteSink.close() failure aborts sink", async () => {
  await withVolume(async (fs, root) => {
    await Deno.writeTextFile(`${root}/f.txt`, "old");
    const sink = await fs.writeStream("f.txt");
    await sink.write("new");
    await withFailingSync(async () => {
      await assert.rejects(sink.close(), IoError);
    });
    assert.equal(await Deno.readTextFile(`${root}/f.txt`), "old");
    assert.deepEqual(await hiddenNames(root), []);
    await assert.rejects(sink.close(), /aborted/);
  });
});

Deno.test("VolumeFs.write() readers never see partial file", async () => {
  await withVolume(async (fs, root) => {
    const versions = [
      new Uint8Array(256 * 1024).fill(0x61),
      new Uint8Array(512 * 1024).fill(0x62),
    ];
    await fs.write("f", versions[0]);

    let writing = true;
    const seen = { fs: 0, deno: 0 };
    const bad: string[] = [];
    const isWhole = (bytes: Uint8Array) =>
      versions.some((version) =>
        bytes.length === version.length && bytes.every((b) => b === version[0])
      );

    const writer = (async () => {
      try {
        for (let i = 0; i < 50; i++) await fs.write("f", versions[i % 2]);
      } finally {
        writing = false;
      }
    })();
    const readers = [
      (async () => {
        while (writing) {
          const bytes = await fs.read("f");
          seen.fs++;
          if (!isWhole(bytes)) bad.push(`VolumeFs.read ${bytes.length}`);
        }
      })(),
      (async () => {
        while (writing) {
          const bytes = await Deno.readFile(`${root}/f`);
          seen.deno++;
          if (!isWhole(bytes)) bad.push(`Deno.readFile ${bytes.length}`);
        }
      })(),
    ];
    await Promise.all([writer, ...readers]);

    assert.deepEqual(bad, []);
    assert.ok(seen.fs > 10, `VolumeFs.read ran only ${seen.fs} times`);
    assert.ok(seen.deno > 10, `Deno.readFile ran only ${seen.deno} times`);
    assert.deepEqual(await hiddenNames(root), []);
  });
});

// --------------------------------------------------------- writeStream

Deno.test("VolumeFs.writeStream() appears only on close", async () => {
  await withVolume(async (fs, root) => {
    await Deno.writeTextFile(`${root}/f.txt`, "old");
    const sink = await fs.writeStream("f.txt");
    await sink.write("new ");
    await sink.write(encoder.encode("content"));

    assert.equal(await Deno.readTextFile(`${root}/f.txt`), "old");
    assert.equal((await hiddenNames(root)).length, 1);

    await sink.close();
    assert.equal(await Deno.readTextFile(`${root}/f.txt`), "new content");
    assert.deepEqual(await hiddenNames(root), []);
  });
});

Deno.test("VolumeFs.writeStream() abort keeps old content", async () => {
  await withVolume(async (fs, root) => {
    await Deno.writeTextFile(`${root}/f.txt`, "old");
    const sink = await fs.writeStream("f.txt");
    await sink.write("partial");
    await sink.abort();

    assert.equal(await Deno.readTextFile(`${root}/f.txt`), "old");
    assert.deepEqual(await hiddenNames(root), []);
  });
});

Deno.test("VolumeFs.writeStream() dispose without close aborts", async () => {
  await withVolume(async (fs, root) => {
    await Deno.writeTextFile(`${root}/f.txt`, "old");
    {
      await using sink = await fs.writeStream("f.txt");
      await sink.write("partial");
    }
    assert.equal(await Deno.readTextFile(`${root}/f.txt`), "old");
    assert.deepEqual(await hiddenNames(root), []);
  });
});

Deno.test("VolumeFs.writeStream() dispose after close keeps file", async () => {
  await withVolume(async (fs, root) => {
    {
      await using sink = await fs.writeStream("f.txt");
      await sink.write("kept");
      await sink.close();
    }
    assert.equal(await Deno.readTextFile(`${root}/f.txt`), "kept");
  });
});

Deno.test("VolumeFs.writeStream() abort leaves no new file", async () => {
  await withVolume(async (fs, root) => {
    const sink = await fs.writeStream("new/f.txt");
    await sink.write("partial");
    await sink.abort();
    assert.equal(await fs.exists("new/f.txt"), false);
    assert.deepEqual(await hiddenNames(`${root}/new`), []);
  });
});

Deno.test("VolumeFs.writeStream() failing source keeps old content", async () => {
  await withVolume(async (fs, root) => {
    await Deno.writeTextFile(`${root}/f.txt`, "old");
    const sink = await fs.writeStream("f.txt");
    let sent = 0;
    const source = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === 3) {
          controller.error(new Error("source failed"));
          return;
        }
        sent++;
        controller.enqueue(patternBytes(READ_CHUNK_SIZE));
      },
    });

    await assert.rejects(source.pipeTo(sink.writable), /source failed/);
    assert.equal(sent, 3);
    assert.equal(await Deno.readTextFile(`${root}/f.txt`), "old");
    assert.deepEqual(await hiddenNames(root), []);
  });
});

Deno.test("VolumeFs.writeStream() writable abort keeps old content", async () => {
  await withVolume(async (fs, root) => {
    await Deno.writeTextFile(`${root}/f.txt`, "old");
    const sink = await fs.writeStream("f.txt");
    const writer = sink.writable.getWriter();
    await writer.write(encoder.encode("partial"));
    await writer.abort(new Error("stop"));

    assert.equal(await Deno.readTextFile(`${root}/f.txt`), "old");
    assert.deepEqual(await hiddenNames(root), []);
  });
});

Deno.test("VolumeFs.writeStream() writable pipes chunks", async () => {
  await withVolume(async (fs, root) => {
    const content = patternBytes(READ_CHUNK_SIZE * 3.5);
    const sink = await fs.writeStream("big");
    const chunks = [0, 1, 2, 3].map((index) =>
      content.subarray(index * READ_CHUNK_SIZE, (index + 1) * READ_CHUNK_SIZE)
    );
    await ReadableStream.from(chunks).pipeTo(sink.writable);
    assert.deepEqual(await Deno.readFile(`${root}/big`), content);
  });
});

Deno.test("VolumeFs.writeStream() rejects write after close", async () => {
  await withVolume(async (fs) => {
    const sink = await fs.writeStream("f.txt");
    await sink.close();
    const err = await sink.write("late").catch((e) => e);
    assert.ok(err instanceof IoError);
    assert.match(err.message, /"f\.txt" in volume "data".*already closed/);
    await sink.close();
    assert.equal(await fs.readToString("f.txt"), "");
  });
});

Deno.test("VolumeFs.writeStream() rejects close after abort", async () => {
  await withVolume(async (fs) => {
    const sink = await fs.writeStream("f.txt");
    await sink.write("data");
    await sink.abort();
    const err = await sink.close().catch((e) => e);
    assert.ok(err instanceof IoError);
    assert.match(err.message, /aborted/);
    assert.equal(await fs.exists("f.txt"), false);
  });
});

Deno.test("VolumeFs.writeStream() rejects chunk of wrong type", async () => {
  await withVolume(async (fs) => {
    await using sink = await fs.writeStream("f.txt");
    const err = await sink.write(5 as unknown as string).catch((e) => e);
    assert.ok(err instanceof InvalidConfigError, String(err));
    assert.equal(
      err.message,
      'Invalid chunk for the write stream of path "f.txt" in volume ' +
        '"data": expected a Uint8Array or a string, got number (5).',
    );
    const array = [1, 2] as unknown as Uint8Array;
    await assert.rejects(sink.write(array), InvalidConfigError);

    // The sink stays open, and the rejected chunks are not written.
    await sink.write("ok");
    await sink.close();
    assert.equal(await fs.readToString("f.txt"), "ok");
  });
});

Deno.test("VolumeFs.writeStream() writable aborts on bad chunk", async () => {
  await withVolume(async (fs, root) => {
    await fs.write("f.txt", "old");
    const sink = await fs.writeStream("f.txt");
    const source = ReadableStream.from([
      encoder.encode("new"),
      42 as unknown as Uint8Array,
    ]);
    await assert.rejects(source.pipeTo(sink.writable), InvalidConfigError);
    assert.deepEqual(await hiddenNames(root), []);
    assert.equal(await fs.readToString("f.txt"), "old");
    await assert.rejects(sink.close(), IoError);
  });
});

// ---------------------------------------------------------------- list

Deno.test("VolumeFs.list() sorts by UTF-8 bytes", async () => {
  await withVolume(async (fs, root) => {
    // U+FF61 sorts before U+1F600 in UTF-8, but after it in UTF-16.
    const names = ["b", "a", "B", "é", "z", "\u{1F600}", "\uFF61", "a0"];
    for (const name of names) await Deno.writeTextFile(`${root}/${name}`, "");

    const listed = (await fs.list("")).map((entry) => entry.path);
    assert.deepEqual(listed, [
      "B",
      "a",
      "a0",
      "b",
      "z",
      "é",
      "\uFF61",
      "\u{1F600}",
    ]);
  });
});

Deno.test("VolumeFs.list() reports entry fields", async () => {
  await withVolume(async (fs, root) => {
    await Deno.writeTextFile(`${root}/f.txt`, "12345");
    await Deno.mkdir(`${root}/d`);
    await Deno.symlink("f.txt", `${root}/l`);
    const byPath = new Map<string, FsEntry>(
      (await fs.list("")).map((entry) => [entry.path, entry]),
    );

    const file = byPath.get("f.txt")!;
    assert.equal(file.kind, "file");
    assert.equal(file.size, 5);
    const info = await Deno.lstat(`${root}/f.txt`);
    assert.equal(file.mode, info.mode! & 0o7777);
    assert.equal(file.uid, info.uid);
    assert.equal(file.gid, info.gid);
    assert.ok(file.modified instanceof Date);
    assert.equal(file.modified.getTime(), info.mtime!.getTime());
    assert.ok(file.accessed instanceof Date);

    assert.equal(byPath.get("d")?.kind, "directory");
    const link = byPath.get("l")!;
    assert.equal(link.kind, "symlink");
    assert.equal(link.size, "f.txt".length);
  });
});

Deno.test("VolumeFs.list() anchors paths at request", async () => {
  await withVolume(async (fs, root) => {
    await Deno.mkdir(`${root}/a/b`, { recursive: true });
    await Deno.writeTextFile(`${root}/a/b/x`, "");
    await Deno.symlink("a/b", `${root}/link`);

    const paths = async (path: string) =>
      (await fs.list(path)).map((entry) => entry.path);
    assert.deepEqual(await paths(""), ["a", "link"]);
    assert.deepEqual(await paths("/"), ["a", "link"]);
    assert.deepEqual(await paths("."), ["a", "link"]);
    assert.deepEqual(await paths("a"), ["a/b"]);
    assert.deepEqual(await paths("/a/./b/"), ["a/b/x"]);
    assert.deepEqual(await paths("a//b"), ["a/b/x"]);
    assert.deepEqual(await paths("a/b/../b"), ["a/b/x"]);
    assert.deepEqual(await paths("link"), ["link/x"]);
  });
});

Deno.test("VolumeFs.list() returns empty directory", async () => {
  await withVolume(async (fs, root) => {
    await Deno.mkdir(`${root}/empty`);
    assert.deepEqual(await fs.list("empty"), []);
  });
});

Deno.test("VolumeFs.list() rejects file and missing path", async () => {
  await withVolume(async (fs, root) => {
    await Deno.writeTextFile(`${root}/f.txt`, "");
    const err = await fs.list("f.txt").catch((e) => e);
    assert.ok(err instanceof NotADirectoryError);
    assert.match(err.message, /"f\.txt" in volume "data"/);
    await assert.rejects(fs.list("missing"), PathNotFoundError);
  });
});

Deno.test("VolumeFs.list() shows leftover temporary files", async () => {
  await withVolume(async (fs, root) => {
    const leftover = ".f.txt.msb-tmp-0123456789abcdef";
    await Deno.writeTextFile(`${root}/${leftover}`, "");
    const listed = (await fs.list("")).map((entry) => entry.path);
    assert.deepEqual(listed, [leftover]);
  });
});

// --------------------------------------------------------------- mkdir

Deno.test("VolumeFs.mkdir() creates parents", async () => {
  await withVolume(async (fs, root) => {
    await fs.mkdir("a/b/c");
    assert.ok((await Deno.lstat(`${root}/a/b/c`)).isDirectory);
  });
});

Deno.test("VolumeFs.mkdir() accepts existing directory", async () => {
  await withVolume(async (fs, root) => {
    await Deno.mkdir(`${root}/d`);
    await Deno.writeTextFile(`${root}/d/keep.txt`, "kept");
    await fs.mkdir("d");
    await fs.mkdir("");
    assert.equal(await Deno.readTextFile(`${root}/d/keep.txt`), "kept");
  });
});

Deno.test("VolumeFs.mkdir() accepts symlink to directory", async () => {
  await withVolume(async (fs, root) => {
    await Deno.mkdir(`${root}/real`);
    await Deno.symlink("real", `${root}/alias`);
    await fs.mkdir("alias");
    await fs.mkdir("alias/sub");
    assert.ok((await Deno.lstat(`${root}/real/sub`)).isDirectory);
    assert.ok((await Deno.lstat(`${root}/alias`)).isSymlink);
  });
});

Deno.test("VolumeFs.mkdir() rejects existing file", async () => {
  await withVolume(async (fs, root) => {
    await Deno.writeTextFile(`${root}/f`, "x");
    const err = await fs.mkdir("f").catch((e) => e);
    assert.ok(err instanceof PathAlreadyExistsError);
    assert.match(err.message, /"f" already exists in volume "data"/);
    await assert.rejects(fs.mkdir("f/sub"), NotADirectoryError);
  });
});

Deno.test("VolumeFs.mkdir() rejects dangling symlink", async () => {
  await withVolume(async (fs, root) => {
    await Deno.symlink("missing", `${root}/dangling`);
    const err = await fs.mkdir("dangling").catch((e) => e);
    assert.ok(err instanceof PathNotFoundError);
    assert.match(err.message, /symlink "dangling" points to "missing"/);
    await assert.rejects(fs.mkdir("dangling/sub"), PathNotFoundError);
    assert.equal(await fs.exists("missing"), false);
  });
});

// ----------------------------------------------------------- removeDir

Deno.test("VolumeFs.removeDir() removes tree", async () => {
  await withVolume(async (fs, root) => {
    await Deno.mkdir(`${root}/d/e/f`, { recursive: true });
    await Deno.writeTextFile(`${root}/d/e/f/x.txt`, "x");
    await Deno.writeTextFile(`${root}/keep.txt`, "keep");
    await fs.removeDir("d");
    assert.equal(await fs.exists("d"), false);
    assert.equal(await Deno.readTextFile(`${root}/keep.txt`), "keep");
    assert.deepEqual(await hiddenNames(root), []);
  });
});

Deno.test("VolumeFs.removeDir() keeps symlink targets", async () => {
  await withVolume(async (fs, root) => {
    await Deno.mkdir(`${root}/kept`);
    await Deno.writeTextFile(`${root}/kept/x.txt`, "x");
    await Deno.mkdir(`${root}/d`);
    await Deno.symlink("../kept", `${root}/d/link`);
    await Deno.symlink(`${root}/kept`, `${root}/d/abs_link`);
    await fs.removeDir("d");
    assert.equal(await Deno.readTextFile(`${root}/kept/x.txt`), "x");
  });
});

Deno.test("VolumeFs.removeDir() rejects root", async () => {
  await withVolume(async (fs, root) => {
    await Deno.writeTextFile(`${root}/x`, "");
    for (const path of ["", "/", ".", "a/.."]) {
      const err = await fs.removeDir(path).catch((e) => e);
      assert.ok(err instanceof InvalidPathError, path);
      assert.match(err.message, /volume root cannot be removed/, path);
    }
    assert.equal(await Deno.readTextFile(`${root}/x`), "");
  });
});

Deno.test("VolumeFs.removeDir() rejects file and symlink", async () => {
  await withVolume(async (fs, root) => {
    await Deno.writeTextFile(`${root}/f`, "x");
    await Deno.mkdir(`${root}/d`);
    await Deno.symlink("d", `${root}/link`);

    await assert.rejects(fs.removeDir("f"), NotADirectoryError);
    const err = await fs.removeDir("link").catch((e) => e);
    assert.ok(err instanceof NotADirectoryError);
    assert.match(err.message, /symlink/);
    assert.ok((await Deno.lstat(`${root}/link`)).isSymlink);
    assert.ok((await Deno.lstat(`${root}/d`)).isDirectory);
    assert.ok((await Deno.lstat(`${root}/f`)).isFile);
  });
});

Deno.test("VolumeFs.removeDir() rejects missing directory", async () => {
  await withVolume(async (fs) => {
    await assert.rejects(fs.removeDir("missing"), PathNotFoundError);
    await assert.rejects(fs.removeDir("missing/sub"), PathNotFoundError);
  });
});

// -------------------------------------------------------------- remove

Deno.test("VolumeFs.remove() removes file", async () => {
  await withVolume(async (fs, root) => {
    await Deno.writeTextFile(`${root}/f`, "x");
    await fs.remove("f");
    assert.equal(await fs.exists("f"), false);
    assert.deepEqual(await hiddenNames(root), []);
  });
});

Deno.test("VolumeFs.remove() removes symlink not target", async () => {
  await withVolume(async (fs, root) => {
    await Deno.writeTextFile(`${root}/target`, "x");
    await Deno.mkdir(`${root}/dir`);
    await Deno.symlink("target", `${root}/file_link`);
    await Deno.symlink("dir", `${root}/dir_link`);
    await Deno.symlink("missing", `${root}/dangling`);

    await fs.remove("file_link");
    await fs.remove("dir_link");
    await fs.remove("dangling");

    assert.deepEqual((await fs.list("")).map((entry) => entry.path), [
      "dir",
      "target",
    ]);
    assert.equal(await Deno.readTextFile(`${root}/target`), "x");
  });
});

Deno.test("VolumeFs.remove() rejects directory", async () => {
  await withVolume(async (fs, root) => {
    await Deno.mkdir(`${root}/d`);
    const err = await fs.remove("d").catch((e) => e);
    assert.ok(err instanceof IsADirectoryError);
    assert.match(err.message, /"d" in volume "data" is a directory/);
    await assert.rejects(fs.remove(""), IsADirectoryError);
    assert.ok((await Deno.lstat(`${root}/d`)).isDirectory);
  });
});

Deno.test("VolumeFs.remove() rejects missing file", async () => {
  await withVolume(async (fs) => {
    const err = await fs.remove("missing").catch((e) => e);
    assert.ok(err instanceof PathNotFoundError);
    assert.equal(err.message, 'Path "missing" not found in volume "data".');
  });
});

// ---------------------------------------------------------------- copy

Deno.test("VolumeFs.copy() copies file and creates parents", async () => {
  await withVolume(async (fs, root) => {
    const content = patternBytes(READ_CHUNK_SIZE * 2 + 3);
    await Deno.writeFile(`${root}/src.bin`, content);
    await fs.copy("src.bin", "a/b/dst.bin");
    assert.deepEqual(await Deno.readFile(`${root}/a/b/dst.bin`), content);
    assert.deepEqual(await Deno.readFile(`${root}/src.bin`), content);
    assert.deepEqual(await hiddenNames(`${root}/a/b`), []);
  });
});

Deno.test("VolumeFs.copy() copies empty file", async () => {
  await withVolume(async (fs, root) => {
    await Deno.writeFile(`${root}/empty`, new Uint8Array());
    await fs.copy("empty", "copy");
    assert.deepEqual(await Deno.readFile(`${root}/copy`), new Uint8Array());
  });
});

Deno.test({
  name: "VolumeFs.copy() keeps source permission bits",
  ignore: Deno.build.os === "windows",
  async fn() {
    await withVolume(async (fs, root) => {
      await Deno.writeTextFile(`${root}/tool`, "#!/bin/sh\n");
      await Deno.chmod(`${root}/tool`, 0o755);
      await fs.copy("tool", "tool2");
      assert.equal((await Deno.stat(`${root}/tool2`)).mode! & 0o777, 0o755);
    });
  },
});

Deno.test("VolumeFs.copy() replaces existing destination", async () => {
  await withVolume(async (fs, root) => {
    await Deno.writeTextFile(`${root}/src`, "new");
    await Deno.writeTextFile(`${root}/dst`, "old and longer");
    await fs.copy("src", "dst");
    assert.equal(await Deno.readTextFile(`${root}/dst`), "new");
  });
});

Deno.test("VolumeFs.copy() onto itself keeps content", async () => {
  await withVolume(async (fs, root) => {
    await Deno.writeTextFile(`${root}/f`, "same");
    await fs.copy("f", "./f");
    assert.equal(await Deno.readTextFile(`${root}/f`), "same");
  });
});

Deno.test("VolumeFs.copy() follows source symlink", async () => {
  await withVolume(async (fs, root) => {
    await Deno.writeTextFile(`${root}/target`, "data");
    await Deno.symlink("target", `${root}/link`);
    await fs.copy("link", "copy");
    const info = await Deno.lstat(`${root}/copy`);
    assert.ok(info.isFile);
    assert.equal(await Deno.readTextFile(`${root}/copy`), "data");
  });
});

Deno.test("VolumeFs.copy() replaces destination symlink", async () => {
  await withVolume(async (fs, root) => {
    await Deno.writeTextFile(`${root}/src`, "new");
    await Deno.writeTextFile(`${root}/target`, "target");
    await Deno.symlink("target", `${root}/link`);
    await fs.copy("src", "link");
    assert.ok((await Deno.lstat(`${root}/link`)).isFile);
    assert.equal(await Deno.readTextFile(`${root}/link`), "new");
    assert.equal(await Deno.readTextFile(`${root}/target`), "target");
  });
});

Deno.test("VolumeFs.copy() rejects directories", async () => {
  await withVolume(async (fs, root) => {
    await Deno.mkdir(`${root}/d`);
    await Deno.writeTextFile(`${root}/f`, "x");
    const err = await fs.copy("d", "e").catch((e) => e);
    assert.ok(err instanceof IsADirectoryError);
    assert.match(err.message, /"d" in volume "data"/);
    await assert.rejects(fs.copy("f", "d"), IsADirectoryError);
    assert.equal(await fs.exists("e"), false);
    assert.deepEqual(await hiddenNames(root), []);
  });
});

Deno.test("VolumeFs.copy() rejects root as either path", async () => {
  await withVolume(async (fs, root) => {
    await Deno.writeTextFile(`${root}/f`, "x");
    for (const to of ["", "/", ".", "a/.."]) {
      const err = await fs.copy("f", to).catch((e) => e);
      assert.ok(err instanceof IsADirectoryError, `${to}: ${err}`);
      assert.match(err.message, /names the volume root/);
    }
    await assert.rejects(fs.copy("", "g"), IsADirectoryError);
    assert.equal(await Deno.readTextFile(`${root}/f`), "x");
    assert.equal(await fs.exists("g"), false);
    assert.deepEqual(await hiddenNames(root), []);
  });
});

Deno.test("VolumeFs.copy() rejects missing source", async () => {
  await withVolume(async (fs) => {
    const err = await fs.copy("missing", "dst").catch((e) => e);
    assert.ok(err instanceof PathNotFoundError);
    assert.equal(err.message, 'Path "missing" not found in volume "data".');
    assert.equal(await fs.exists("dst"), false);
  });
});

// -------------------------------------------------------------- rename

Deno.test("VolumeFs.rename() moves file and creates parents", async () => {
  await withVolume(async (fs, root) => {
    await Deno.writeTextFile(`${root}/f`, "x");
    await fs.rename("f", "a/b/g");
    assert.equal(await fs.exists("f"), false);
    assert.equal(await Deno.readTextFile(`${root}/a/b/g`), "x");
    assert.deepEqual(await hiddenNames(root), []);
  });
});

Deno.test("VolumeFs.rename() moves directory", async () => {
  await withVolume(async (fs, root) => {
    await Deno.mkdir(`${root}/d/sub`, { recursive: true });
    await Deno.writeTextFile(`${root}/d/sub/x`, "x");
    await fs.rename("d", "e");
    assert.equal(await Deno.readTextFile(`${root}/e/sub/x`), "x");
    assert.equal(await fs.exists("d"), false);
  });
});

Deno.test("VolumeFs.rename() replaces existing file", async () => {
  await withVolume(async (fs, root) => {
    await Deno.writeTextFile(`${root}/a`, "a");
    await Deno.writeTextFile(`${root}/b`, "b");
    await fs.rename("a", "b");
    assert.equal(await Deno.readTextFile(`${root}/b`), "a");
    assert.equal(await fs.exists("a"), false);
  });
});

Deno.test("VolumeFs.rename() moves symlink itself", async () => {
  await withVolume(async (fs, root) => {
    await Deno.writeTextFile(`${root}/target`, "t");
    await Deno.symlink("target", `${root}/link`);
    await fs.rename("link", "moved");
    assert.ok((await Deno.lstat(`${root}/moved`)).isSymlink);
    assert.equal(await Deno.readLink(`${root}/moved`), "target");
    assert.equal(await Deno.readTextFile(`${root}/target`), "t");
  });
});

Deno.test("VolumeFs.rename() to same path does nothing", async () => {
  await withVolume(async (fs, root) => {
    await Deno.writeTextFile(`${root}/f`, "x");
    await fs.rename("f", "./f");
    assert.equal(await Deno.readTextFile(`${root}/f`), "x");
    assert.deepEqual(await hiddenNames(root), []);
  });
});

Deno.test("VolumeFs.rename() rejects root", async () => {
  await withVolume(async (fs, root) => {
    await Deno.writeTextFile(`${root}/f`, "x");
    await assert.rejects(fs.rename("", "x"), InvalidPathError);
    await assert.rejects(fs.rename("f", "/"), InvalidPathError);
    await assert.rejects(fs.rename("f", ""), InvalidPathError);
    await assert.rejects(fs.rename("/", ""), InvalidPathError);
    assert.equal(await Deno.readTextFile(`${root}/f`), "x");
  });
});

Deno.test("VolumeFs.rename() rejects move into itself", async () => {
  await withVolume(async (fs, root) => {
    await Deno.mkdir(`${root}/d`);
    await Deno.symlink("d", `${root}/alias`);
    const err = await fs.rename("d", "d/sub/d").catch((e) => e);
    assert.ok(err instanceof InvalidPathError);
    assert.match(err.message, /into itself/);
    await assert.rejects(fs.rename("d", "alias/x"), InvalidPathError);
    assert.deepEqual(await fs.list("d"), []);
  });
});

Deno.test("VolumeFs.rename() rejects type mismatch", async () => {
  await withVolume(async (fs, root) => {
    await Deno.mkdir(`${root}/d`);
    await Deno.writeTextFile(`${root}/f`, "x");
    await assert.rejects(fs.rename("f", "d"), IsADirectoryError);
    await assert.rejects(fs.rename("d", "f"), NotADirectoryError);
    assert.ok((await Deno.lstat(`${root}/d`)).isDirectory);
    assert.equal(await Deno.readTextFile(`${root}/f`), "x");
  });
});

Deno.test("VolumeFs.rename() onto non-empty directory fails", async () => {
  await withVolume(async (fs, root) => {
    await Deno.mkdir(`${root}/a`);
    await Deno.mkdir(`${root}/b`);
    await Deno.writeTextFile(`${root}/b/x`, "x");
    await assert.rejects(fs.rename("a", "b"), IoError);
    assert.ok((await Deno.lstat(`${root}/a`)).isDirectory);
    assert.equal(await Deno.readTextFile(`${root}/b/x`), "x");
    assert.deepEqual(await hiddenNames(root), []);
  });
});

Deno.test("VolumeFs.rename() rejects missing source", async () => {
  await withVolume(async (fs) => {
    const err = await fs.rename("missing", "x").catch((e) => e);
    assert.ok(err instanceof PathNotFoundError);
    assert.equal(err.message, 'Path "missing" not found in volume "data".');
    assert.equal(await fs.exists("x"), false);
  });
});

// ---------------------------------------------------------------- stat

Deno.test("VolumeFs.stat() describes file", async () => {
  await withVolume(async (fs, root) => {
    await Deno.writeTextFile(`${root}/f`, "12345");
    const metadata = await fs.stat("f");
    const info = await Deno.lstat(`${root}/f`);
    assert.equal(metadata.kind, "file");
    assert.equal(metadata.size, 5);
    assert.equal(metadata.mode, info.mode! & 0o7777);
    assert.equal(metadata.uid, info.uid);
    assert.equal(metadata.gid, info.gid);
    assert.equal(metadata.readonly, false);
    assert.equal(metadata.modified?.getTime(), info.mtime?.getTime());
    assert.equal(metadata.accessed?.getTime(), info.atime?.getTime());
    assert.equal(metadata.created?.getTime(), info.birthtime?.getTime());
  });
});

Deno.test("VolumeFs.stat() describes root and directory", async () => {
  await withVolume(async (fs, root) => {
    await Deno.mkdir(`${root}/d`);
    assert.equal((await fs.stat("")).kind, "directory");
    assert.equal((await fs.stat("/")).kind, "directory");
    assert.equal((await fs.stat("d")).kind, "directory");
  });
});

Deno.test("VolumeFs.stat() does not follow final symlink", async () => {
  await withVolume(async (fs, root) => {
    await Deno.mkdir(`${root}/d`);
    await Deno.writeTextFile(`${root}/d/f`, "12345");
    await Deno.symlink("d", `${root}/dir_link`);
    await Deno.symlink("missing", `${root}/dangling`);

    const link = await fs.stat("dir_link");
    assert.equal(link.kind, "symlink");
    assert.equal(link.size, 1);
    assert.equal((await fs.stat("dangling")).kind, "symlink");
    assert.equal((await fs.stat("dir_link/f")).kind, "file");
  });
});

Deno.test({
  name: "VolumeFs.stat() reads readonly from mode",
  ignore: Deno.build.os === "windows",
  async fn() {
    await withVolume(async (fs, root) => {
      await Deno.writeTextFile(`${root}/ro`, "");
      await Deno.chmod(`${root}/ro`, 0o444);
      const metadata = await fs.stat("ro");
      assert.equal(metadata.readonly, true);
      assert.equal(metadata.mode, 0o444);
    });
  },
});

Deno.test("VolumeFs.stat() rejects missing path", async () => {
  await withVolume(async (fs, root) => {
    await Deno.writeTextFile(`${root}/f`, "");
    await assert.rejects(fs.stat("missing"), PathNotFoundError);
    await assert.rejects(fs.stat("missing/x"), PathNotFoundError);
    await assert.rejects(fs.stat("f/x"), NotADirectoryError);
  });
});

// -------------------------------------------------------------- exists

Deno.test("VolumeFs.exists() returns true for entries", async () => {
  await withVolume(async (fs, root) => {
    await Deno.writeTextFile(`${root}/f`, "");
    await Deno.mkdir(`${root}/d`);
    await Deno.symlink("missing", `${root}/dangling`);
    assert.equal(await fs.exists("f"), true);
    assert.equal(await fs.exists("d"), true);
    assert.equal(await fs.exists(""), true);
    assert.equal(await fs.exists("dangling"), true);
  });
});

Deno.test("VolumeFs.exists() returns false for missing", async () => {
  await withVolume(async (fs, root) => {
    await Deno.writeTextFile(`${root}/f`, "");
    await Deno.symlink("missing", `${root}/dangling`);
    assert.equal(await fs.exists("missing"), false);
    assert.equal(await fs.exists("missing/deeper"), false);
    assert.equal(await fs.exists("f/child"), false);
    assert.equal(await fs.exists("dangling/child"), false);
  });
});

Deno.test("VolumeFs.exists() rejects invalid path", async () => {
  await withVolume(async (fs) => {
    await assert.rejects(fs.exists("../x"), InvalidPathError);
    await assert.rejects(fs.exists("a\0b"), InvalidPathError);
  });
});

// ------------------------------------------------------ paths and errors

Deno.test("VolumeFs paths treat leading slash as root", async () => {
  await withVolume(async (fs, root) => {
    await fs.write("/etc/passwd", "volume copy");
    assert.equal(await Deno.readTextFile(`${root}/etc/passwd`), "volume copy");
    assert.equal(await fs.readToString("etc/passwd"), "volume copy");
    assert.equal(await fs.readToString("//etc//passwd"), "volume copy");
  });
});

Deno.test("VolumeFs paths normalize dot segments", async () => {
  await withVolume(async (fs, root) => {
    await fs.write("./a/./b/../c.txt", "c");
    assert.equal(await Deno.readTextFile(`${root}/a/c.txt`), "c");
    assert.equal(await fs.exists("a/b"), false);
    assert.equal(await fs.readToString("a//c.txt/"), "c");
  });
});

Deno.test("VolumeFs paths reject NUL and backslash", async () => {
  await withVolume(async (fs) => {
    const nul = await fs.read("a\0b").catch((e) => e);
    assert.ok(nul instanceof InvalidPathError);
    assert.equal(
      nul.message,
      'Invalid path "a\\u0000b" in volume "data": ' +
        "paths must not contain NUL bytes.",
    );
    const backslash = await fs.write("a\\b", "x").catch((e) => e);
    assert.ok(backslash instanceof InvalidPathError);
    assert.match(backslash.message, /backslash/);
  });
});

Deno.test("VolumeFs paths reject non-string path", async () => {
  await withVolume(async (fs) => {
    const err = await fs.read(42 as unknown as string).catch((e) => e);
    assert.ok(err instanceof InvalidPathError, String(err));
    assert.equal(
      err.message,
      'Invalid path in volume "data": expected a string, got number (42).',
    );
  });
});

// Every public method with its path arguments, where `bad` replaces one.
const pathCalls: [string, (fs: VolumeFs, bad: string) => Promise<unknown>][] = [
  ["read", (fs, bad) => fs.read(bad)],
  ["readToString", (fs, bad) => fs.readToString(bad)],
  ["readStream", (fs, bad) => fs.readStream(bad)],
  ["write", (fs, bad) => fs.write(bad, "x")],
  ["writeStream", (fs, bad) => fs.writeStream(bad)],
  ["list", (fs, bad) => fs.list(bad)],
  ["mkdir", (fs, bad) => fs.mkdir(bad)],
  ["removeDir", (fs, bad) => fs.removeDir(bad)],
  ["remove", (fs, bad) => fs.remove(bad)],
  ["copy from", (fs, bad) => fs.copy(bad, "x")],
  ["copy to", (fs, bad) => fs.copy("f", bad)],
  ["rename from", (fs, bad) => fs.rename(bad, "x")],
  ["rename to", (fs, bad) => fs.rename("f", bad)],
  ["stat", (fs, bad) => fs.stat(bad)],
  ["exists", (fs, bad) => fs.exists(bad)],
];

Deno.test("VolumeFs methods reject non-string paths", async () => {
  const badPaths: [string, unknown][] = [
    ["null", null],
    ["undefined", undefined],
    ["number", 1],
    ["symbol", Symbol("p")],
    ["String object", new String("f")],
    ["array", ["f"]],
    ["object without prototype", Object.create(null)],
    ["object whose toString throws", {
      toString() {
        throw new Error("toString called");
      },
    }],
    [
      "revoked proxy",
      (() => {
        const { proxy, revoke } = Proxy.revocable({}, {});
        revoke();
        return proxy;
      })(),
    ],
  ];
  await withVolume(async (fs, root) => {
    await Deno.writeTextFile(`${root}/f`, "x");
    for (const [method, call] of pathCalls) {
      for (const [label, bad] of badPaths) {
        const err = await call(fs, bad as string).catch((e) => e);
        assert.ok(
          err instanceof InvalidPathError,
          `${method} with ${label}: ${err}`,
        );
        assert.match(err.message, /expected a string/);
      }
    }
    assert.equal(await Deno.readTextFile(`${root}/f`), "x");
    assert.deepEqual((await fs.list("")).map((entry) => entry.path), ["f"]);
  });
});

Deno.test("VolumeFs methods reject too long segment", async () => {
  await withVolume(async (fs, root) => {
    await Deno.writeTextFile(`${root}/f`, "x");
    const segment = "s".repeat(MAX_SEGMENT_BYTES + 1);
    for (const [method, call] of pathCalls) {
      const err = await call(fs, `dir/${segment}`).catch((e) => e);
      assert.ok(err instanceof InvalidPathError, `${method}: ${err}`);
      assert.match(err.message, /volume "data"/);
      assert.match(err.message, /is 256 bytes long in UTF-8/);
      assert.match(err.message, /maximum is 255 bytes/);
    }
    assert.deepEqual((await fs.list("")).map((entry) => entry.path), ["f"]);
  });
});

Deno.test("VolumeFs paths count segment bytes in UTF-8", async () => {
  await withVolume(async (fs, root) => {
    // "é" is 2 bytes in UTF-8, so 128 of them are 256 bytes.
    const err = await fs.write("é".repeat(128), "x").catch((e) => e);
    assert.ok(err instanceof InvalidPathError, String(err));
    assert.match(err.message, /is 256 bytes long/);

    const name = "é".repeat(127) + "a";
    await fs.write(name, "fits");
    assert.equal(await Deno.readTextFile(`${root}/${name}`), "fits");
    // The segment limit applies even where ".." removes the segment.
    await assert.rejects(
      fs.exists(`${"s".repeat(256)}/..`),
      InvalidPathError,
    );
  });
});

Deno.test("VolumeFs paths reject too long path", async () => {
  await withVolume(async (fs) => {
    const path = Array(17).fill("p".repeat(250)).join("/");
    const err = await fs.write(path, "x").catch((e) => e);
    assert.ok(err instanceof InvalidPathError, String(err));
    assert.match(err.message, /in volume "data"/);
    assert.match(err.message, /normalized path is 4266 bytes long/);
    assert.match(err.message, /maximum is 4095 bytes/);
    // The path is shortened in the message.
    assert.match(err.message, /"p{80}…p{30}"/);
    assert.ok(err.message.length < 300, err.message);
    assert.deepEqual(await fs.list(""), []);

    const nul = await fs.read(`${path}\0`).catch((e) => e);
    assert.ok(nul instanceof InvalidPathError, String(nul));
    assert.ok(nul.message.length < 300, nul.message);
  });
});

Deno.test("VolumeFs path limit is 4095 bytes normalized", () => {
  // A host path adds the root to this, and the host rejects it, so the
  // parser is called directly.
  const longest = Array(16).fill("p".repeat(255)).join("/");
  assert.equal(longest.length, MAX_PATH_BYTES);
  assert.equal(parseRequestPath("data", longest).length, 16);
  assert.equal(parseRequestPath("data", `/${longest}/./x/..`).length, 16);
  let err: unknown;
  try {
    parseRequestPath("data", `${longest}/q`);
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof InvalidPathError, String(err));
  assert.match(err.message, /normalized path is 4097 bytes long/);
});

Deno.test("quoteShortened() keeps surrogate pairs whole", () => {
  const short = "😀".repeat(60);
  assert.equal(quoteShortened(short), JSON.stringify(short));

  const long = `a${"😀".repeat(100)}b`;
  const shortened = JSON.parse(quoteShortened(long));
  assert.ok(shortened.isWellFormed(), JSON.stringify(shortened));
  assert.equal(shortened, `a${"😀".repeat(39)}…${"😀".repeat(14)}b`);
});

Deno.test("VolumeFs paths reject unpaired surrogates", async () => {
  await withVolume(async (fs) => {
    for (const path of ["\ud800", "a/\udfffb", "\ude00\ud83d"]) {
      const err = await fs.write(path, "x").catch((e) => e);
      assert.ok(
        err instanceof InvalidPathError,
        `${JSON.stringify(path)}: ${err}`,
      );
      assert.match(err.message, /unpaired UTF-16 surrogates/);
    }
    assert.deepEqual(await fs.list(""), []);
    await fs.write("\ud83d\ude00", "paired");
    assert.equal(await fs.readToString("😀"), "paired");
  });
});

Deno.test("VolumeFs rejects symlink loop", async () => {
  await withVolume(async (fs, root) => {
    await Deno.symlink("loop_b", `${root}/loop_a`);
    await Deno.symlink("loop_a", `${root}/loop_b`);
    await Deno.symlink("self/x", `${root}/self`);
    const err = await fs.read("loop_a").catch((e) => e);
    assert.ok(err instanceof InvalidPathError);
    assert.match(err.message, /more than 40 symlinks/);
    await assert.rejects(fs.write("self/f", "x"), InvalidPathError);
  });
});

Deno.test("VolumeFs rejects missing root directory", async () => {
  const base = await Deno.makeTempDir({ prefix: "msb-fs-" });
  try {
    const fs = new VolumeFs("data", `${base}/gone`, "dir");
    const err = await fs.read("f").catch((e) => e);
    assert.ok(err instanceof PathNotFoundError);
    assert.match(err.message, /Root directory ".*gone" of volume "data"/);
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test("VolumeFs works on root reached by symlink", async () => {
  const base = await Deno.makeTempDir({ prefix: "msb-fs-" });
  try {
    await Deno.mkdir(`${base}/real`);
    await Deno.symlink(`${base}/real`, `${base}/root`);
    const fs = new VolumeFs("data", `${base}/root`, "dir");
    await fs.write("a/f.txt", "x");
    assert.equal(await fs.readToString("a/f.txt"), "x");
    assert.deepEqual((await fs.list("a")).map((entry) => entry.path), [
      "a/f.txt",
    ]);
    await fs.rename("a/f.txt", "g.txt");
    await fs.remove("g.txt");
    await fs.removeDir("a");
    assert.deepEqual(await fs.list(""), []);
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

// Runs a VolumeFs call in a child Deno with limited permissions and returns
// the error name and message it printed.
async function runWithPermissions(
  root: string,
  permissions: string[],
  call: string,
): Promise<{ name: string; message: string }> {
  const moduleUrl = new URL("../src/fs.ts", import.meta.url).href;
  const script = `
    import { VolumeFs } from ${JSON.stringify(moduleUrl)};
    const fs = new VolumeFs("data", ${JSON.stringify(root)}, "dir");
    try {
      await ${call};
      console.log(JSON.stringify({ name: "none", message: "" }));
    } catch (err) {
      console.log(JSON.stringify({ name: err.name, message: err.message }));
    }
  `;
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", ...permissions, "-"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = output.stdin.getWriter();
  await writer.write(encoder.encode(script));
  await writer.close();
  const result = await output.output();
  const stdout = decoder.decode(result.stdout).trim();
  assert.ok(result.success, decoder.decode(result.stderr));
  return JSON.parse(stdout);
}

Deno.test("VolumeFs names missing --allow-write flag", async () => {
  await withVolume(async (_fs, root) => {
    const result = await runWithPermissions(
      root,
      [`--allow-read=${root}`],
      'fs.write("f.txt", "x")',
    );
    assert.equal(result.name, "PermissionDeniedError");
    assert.match(result.message, /--allow-write/);
    assert.match(result.message, /"f\.txt" in volume "data"/);
  });
});

Deno.test("VolumeFs names missing --allow-read flag", async () => {
  await withVolume(async (_fs, root) => {
    const result = await runWithPermissions(root, [], 'fs.read("f.txt")');
    assert.equal(result.name, "PermissionDeniedError");
    assert.match(result.message, /--allow-read/);
    assert.match(result.message, /"f\.txt" in volume "data"/);
  });
});
