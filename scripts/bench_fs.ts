// deno-lint-ignore-file no-console
/**
 * Benchmark of the streaming file API of a `dir` volume against Deno's own
 * file functions on the same disk.
 *
 * Each round writes one file through {@linkcode VolumeFs.writeStream} in
 * 1 MiB chunks and reads it back through {@linkcode VolumeFs.readStream},
 * and does the same with `Deno.writeFile` and `Deno.readFile`. VolumeFs
 * flushes every write with `fsync`, so the write is also compared with
 * `Deno.writeFile` followed by an `fsync` of the file. The order of the
 * contenders alternates between rounds. Outside the timing, each write
 * starts by removing the file it writes, and the plain `Deno.writeFile` is
 * followed by an `fsync`, so that no contender pays for another's data or
 * for freeing an old file's blocks.
 *
 * Reads come from the page cache, because the file was just written and
 * dropping the cache needs root. The figures are therefore the CPU and
 * system call cost of each API, not the speed of the disk.
 *
 * Run it with `deno run -A scripts/bench_fs.ts [--size-mib=N] [--rounds=N]
 * [--dir=PATH]`.
 *
 * @module
 */

import { VolumeFs } from "../src/fs.ts";

const MIB = 1024 * 1024;

/** Options of {@linkcode benchFs}. */
export interface FsBenchOptions {
  /**
   * Size of the file in MiB.
   *
   * @default {256}
   */
  readonly sizeMib?: number;
  /**
   * Number of rounds. Each round runs every contender once.
   *
   * @default {5}
   */
  readonly rounds?: number;
  /**
   * Directory for the files. A new temporary directory is made inside it
   * and removed afterwards. Without it, `Deno.makeTempDir` picks the
   * system's temporary directory.
   *
   * @default {undefined}
   */
  readonly directory?: string;
}

/** Timings of one contender over all rounds. */
export interface FsBenchTiming {
  /** Name of the API measured, such as `"VolumeFs.writeStream"`. */
  readonly name: string;
  /** Duration of each round in seconds, in run order. */
  readonly seconds: readonly number[];
  /** Median duration in seconds. */
  readonly medianSeconds: number;
  /** Minimum duration in seconds. */
  readonly minSeconds: number;
  /** Maximum duration in seconds. */
  readonly maxSeconds: number;
  /** File size divided by the median duration, in MiB/s. */
  readonly medianMibPerSecond: number;
}

/** Result of {@linkcode benchFs}. */
export interface FsBenchReport {
  /** Size of the file in MiB. */
  readonly sizeMib: number;
  /** Number of rounds. */
  readonly rounds: number;
  /** Directory that held the files. */
  readonly directory: string;
  /** Timings of each contender. */
  readonly timings: readonly FsBenchTiming[];
  /**
   * Median throughput of `VolumeFs.writeStream` divided by that of
   * `Deno.writeFile` plus `fsync`, which gives the same durability.
   */
  readonly writeRatio: number;
  /**
   * Median throughput of `VolumeFs.writeStream` divided by that of plain
   * `Deno.writeFile`, which does not flush.
   */
  readonly writeRatioNoFsync: number;
  /**
   * Median throughput of `VolumeFs.readStream` divided by that of
   * `Deno.readFile`.
   */
  readonly readRatio: number;
}

/**
 * Measures VolumeFs streaming against `Deno.writeFile` and `Deno.readFile`.
 *
 * Needs `--allow-read` and `--allow-write` for the directory.
 *
 * @param options Size, rounds and directory.
 * @returns The timings and throughput ratios.
 * @throws {Error} If a read returns other bytes than were written, or any
 * file operation fails.
 *
 * @example Run a small benchmark
 * ```ts ignore
 * import { benchFs } from "./scripts/bench_fs.ts";
 *
 * const report = await benchFs({ sizeMib: 16, rounds: 3 });
 * console.log(report.writeRatio, report.readRatio);
 * ```
 */
export async function benchFs(
  options: FsBenchOptions = {},
): Promise<FsBenchReport> {
  const sizeMib = options.sizeMib ?? 256;
  const rounds = options.rounds ?? 5;
  const directory = await Deno.makeTempDir({
    dir: options.directory,
    prefix: "msb-bench-fs-",
  });
  const content = new Uint8Array(sizeMib * MIB);
  for (let i = 0; i < content.length; i += 4096) content[i] = i % 251;

  const fs = new VolumeFs("bench", directory, "dir");
  const denoPath = `${directory}/deno.bin`;
  const volumePath = `${directory}/volume.bin`;
  // The file that each write creates. It is removed before the write,
  // outside the timing, so that every write makes a new file and none
  // pays for freeing the blocks of the previous one.
  const writeTargets = new Map([
    ["VolumeFs.writeStream", volumePath],
    ["Deno.writeFile + fsync", denoPath],
    ["Deno.writeFile", denoPath],
  ]);
  const contenders: [string, () => Promise<void>][] = [
    ["VolumeFs.writeStream", async () => {
      const sink = await fs.writeStream("volume.bin");
      for (let offset = 0; offset < content.length; offset += MIB) {
        await sink.write(content.subarray(offset, offset + MIB));
      }
      await sink.close();
    }],
    ["Deno.writeFile + fsync", async () => {
      await Deno.writeFile(denoPath, content);
      using file = await Deno.open(denoPath, { write: true });
      await file.sync();
    }],
    ["Deno.writeFile", () => Deno.writeFile(denoPath, content)],
    ["VolumeFs.readStream", async () => {
      let size = 0;
      for await (const chunk of await fs.readStream("volume.bin")) {
        size += chunk.length;
      }
      if (size !== content.length) {
        throw new Error(
          `VolumeFs.readStream returned ${size} bytes, expected ${content.length}.`,
        );
      }
    }],
    ["Deno.readFile", async () => {
      const bytes = await Deno.readFile(denoPath);
      if (bytes.length !== content.length) {
        throw new Error(
          `Deno.readFile returned ${bytes.length} bytes, expected ${content.length}.`,
        );
      }
    }],
  ];

  const seconds = new Map<string, number[]>(
    contenders.map(([name]) => [name, []]),
  );
  try {
    for (let round = 0; round < rounds; round++) {
      // Writes run before reads, so the order alternates within the writes
      // and within the reads.
      const writes = contenders.slice(0, 3);
      const reads = contenders.slice(3);
      if (round % 2 === 1) {
        writes.reverse();
        reads.reverse();
      }
      for (const [name, run] of [...writes, ...reads]) {
        const target = writeTargets.get(name);
        if (target !== undefined) await removeDurably(directory, target);
        const start = performance.now();
        await run();
        seconds.get(name)!.push((performance.now() - start) / 1000);
        if (name === "Deno.writeFile") {
          // Flush the unsynced write outside the timing. Left dirty, its
          // data would be written by the next contender's fsync, because
          // an ext4 journal commit in data=ordered mode writes the data
          // of every file whose blocks it allocates.
          using file = await Deno.open(denoPath, { write: true });
          await file.sync();
        }
      }
    }
    await checkSameContent(fs, denoPath);
  } finally {
    await Deno.remove(directory, { recursive: true });
  }

  const timings = contenders.map(([name]) =>
    summarize(name, seconds.get(name)!, sizeMib)
  );
  const throughput = (name: string) =>
    timings.find((timing) => timing.name === name)!.medianMibPerSecond;
  return {
    sizeMib,
    rounds,
    directory,
    timings,
    writeRatio: throughput("VolumeFs.writeStream") /
      throughput("Deno.writeFile + fsync"),
    writeRatioNoFsync: throughput("VolumeFs.writeStream") /
      throughput("Deno.writeFile"),
    readRatio: throughput("VolumeFs.readStream") / throughput("Deno.readFile"),
  };
}

/**
 * Formats a report as lines of plain text.
 *
 * @param report Result of {@linkcode benchFs}.
 * @returns The report, one contender or ratio per line.
 * @throws {never} Formatting does not fail.
 *
 * @example Print a report
 * ```ts ignore
 * import { benchFs, formatFsBenchReport } from "./scripts/bench_fs.ts";
 *
 * console.log(formatFsBenchReport(await benchFs({ sizeMib: 16 })));
 * ```
 */
export function formatFsBenchReport(report: FsBenchReport): string {
  const lines = [
    `VolumeFs streaming vs Deno file functions: ${report.sizeMib} MiB file, ` +
    `${report.rounds} rounds, directory ${report.directory}`,
    "",
    `${"api".padEnd(24)} ${"median s".padStart(9)} ${"min s".padStart(9)} ` +
    `${"max s".padStart(9)} ${"MiB/s".padStart(9)}`,
  ];
  for (const timing of report.timings) {
    lines.push(
      `${timing.name.padEnd(24)} ${
        timing.medianSeconds.toFixed(3).padStart(9)
      } ` +
        `${timing.minSeconds.toFixed(3).padStart(9)} ` +
        `${timing.maxSeconds.toFixed(3).padStart(9)} ` +
        `${timing.medianMibPerSecond.toFixed(0).padStart(9)}`,
    );
  }
  lines.push(
    "",
    `write ratio, VolumeFs / (Deno.writeFile + fsync): ${
      report.writeRatio.toFixed(2)
    }`,
    `write ratio, VolumeFs / Deno.writeFile without fsync: ${
      report.writeRatioNoFsync.toFixed(2)
    }`,
    `read ratio, VolumeFs / Deno.readFile: ${report.readRatio.toFixed(2)}`,
  );
  return lines.join("\n");
}

function summarize(
  name: string,
  seconds: number[],
  sizeMib: number,
): FsBenchTiming {
  const sorted = [...seconds].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1
    ? sorted[middle]
    : (sorted[middle - 1] + sorted[middle]) / 2;
  return {
    name,
    seconds,
    medianSeconds: median,
    minSeconds: sorted[0],
    maxSeconds: sorted[sorted.length - 1],
    medianMibPerSecond: sizeMib / median,
  };
}

/**
 * Removes `path` if it exists and commits the removal with an fsync of
 * `directory`, so that the next timed fsync does not also commit it.
 */
async function removeDurably(directory: string, path: string) {
  try {
    await Deno.remove(path);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
    return;
  }
  using dir = await Deno.open(directory, { read: true });
  await dir.sync();
}

// Checks that both APIs wrote the same bytes, so that neither timing comes
// from a short write.
async function checkSameContent(fs: VolumeFs, denoPath: string) {
  const [volumeBytes, denoBytes] = await Promise.all([
    fs.read("volume.bin"),
    Deno.readFile(denoPath),
  ]);
  const same = volumeBytes.length === denoBytes.length &&
    volumeBytes.every((byte, index) => byte === denoBytes[index]);
  if (!same) {
    throw new Error(
      "VolumeFs.writeStream and Deno.writeFile wrote different bytes.",
    );
  }
}

function parseArgs(args: string[]): FsBenchOptions {
  const options: { sizeMib?: number; rounds?: number; directory?: string } = {};
  for (const arg of args) {
    const [key, value] = arg.split("=", 2);
    if (key === "--size-mib") options.sizeMib = parsePositive(key, value);
    else if (key === "--rounds") options.rounds = parsePositive(key, value);
    else if (key === "--dir" && value) options.directory = value;
    else {
      throw new Error(
        `Unknown argument ${JSON.stringify(arg)}: expected --size-mib=N, ` +
          "--rounds=N or --dir=PATH.",
      );
    }
  }
  return options;
}

function parsePositive(key: string, value: string | undefined): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) {
    throw new Error(
      `Invalid ${key} ${JSON.stringify(value)}: expected a positive integer.`,
    );
  }
  return number;
}

if (import.meta.main) {
  let options: FsBenchOptions;
  try {
    options = parseArgs(Deno.args);
  } catch (err) {
    console.error(`error: ${(err as Error).message}`);
    Deno.exit(2);
  }
  console.log(formatFsBenchReport(await benchFs(options)));
}
