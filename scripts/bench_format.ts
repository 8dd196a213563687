// deno-lint-ignore-file no-console
/**
 * Benchmarks {@linkcode formatExt4} against `mkfs.ext4` of e2fsprogs.
 *
 * For each size, the rounds alternate between the in-process formatter
 * (worker already started) and `mkfs.ext4 -q -F -E
 * lazy_itable_init=1,lazy_journal_init=1` run as a whole process on a
 * fresh sparse file, and swap which of the two goes first in every other
 * round. The report also gives the module's own time without
 * file I/O, the first call of a fresh process, the size of the module and
 * its peak memory at the largest size.
 *
 * Usage: `deno run -A scripts/bench_format.ts [--rounds N] [--write]`.
 * `--write` also replaces the "## Formatting" section of
 * docs/benchmarks.md with the report, creating the file when missing, and
 * runs `deno fmt` on it. The report always goes to standard output.
 * `deno task bench` (scripts/bench.ts) runs the same benchmark as part of
 * the whole page.
 *
 * @module
 */

import * as fs from "node:fs";
import { formatExt4, MAX_DISK_SIZE_BYTES } from "../src/ext4/format.ts";
import { EXT4_WASM_BASE64 } from "../src/ext4/_ext4_wasm.ts";
import { describeMachine, formatMachine } from "./bench/machine.ts";
import { summarize, type Summary } from "./bench/stats.ts";

export type { Summary };

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;
const TIB = 1024 * GIB;
const MKFS_ARGS = ["-q", "-F", "-E", "lazy_itable_init=1,lazy_journal_init=1"];
const REPO = new URL("../", import.meta.url);
const DOCS = new URL("docs/benchmarks.md", REPO);
const SECTION = "## Formatting";

/** Options of {@linkcode benchFormat}. */
export interface BenchFormatOptions {
  /** Rounds per size and tool. @default {9} */
  rounds?: number;
  /** Image sizes in bytes. @default {[1 GiB, 20 GiB, 1 TiB, 16 TiB - 1 MiB]} */
  sizes?: number[];
}

/** Figures for one image size. */
export interface SizeResult {
  /** Image size in bytes. */
  sizeBytes: number;
  /** Time of `formatExt4`, including file creation and fdatasync. */
  formatExt4Ms: Summary;
  /** Time of the `mkfs.ext4` process. */
  mkfsMs: Summary;
  /** Time of the module alone: plan and generate every run, no I/O. */
  moduleMs: Summary;
  /** Time of the positioned writes of all runs, replayed on this thread. */
  writeMs: Summary;
  /** Time of the `fdatasync` after those writes. */
  syncMs: Summary;
  /** Bytes of metadata written. */
  writtenBytes: number;
  /** Number of runs (write calls). */
  runs: number;
  /**
   * Runs that start at the byte where the previous run of the same chunk
   * ends, so that the worker could merge them into one write.
   */
  adjacentRuns: number;
  /** Median of formatExt4 divided by median of mkfs.ext4. */
  timeRatio: number;
  /** Bytes the host allocated for the formatExt4 image. */
  formatExt4AllocatedBytes: number;
  /** Bytes the host allocated for the mkfs.ext4 image. */
  mkfsAllocatedBytes: number;
}

/** Result of {@linkcode benchFormat}. */
export interface BenchFormatResult {
  /** Figures per size. */
  sizes: SizeResult[];
  /** First formatExt4 call (8 MiB) in a fresh process, measured inside it. */
  firstCallMs: Summary;
  /** Wall time of that fresh process, from spawn to exit. */
  firstProcessMs: Summary;
  /** Size of src/ext4/ext4.wasm in bytes. */
  wasmBytes: number;
  /** Module memory after formatting the largest size, in bytes. */
  peakWasmMemoryBytes: number;
  /** Rounds per measurement. */
  rounds: number;
  /** Description of the machine. */
  machine: string;
  /** Version of mkfs.ext4. */
  mkfsVersion: string;
  /**
   * mkfs.ext4 with `-O sparse_super2` (two backup superblocks and
   * descriptor tables instead of one per sparse group) at 1 TiB, or `null`
   * when 1 TiB is not among the sizes. It shows how many of the bytes at
   * 1 TiB are backup copies.
   */
  sparseSuper2: SparseSuper2Result | null;
}

/** mkfs.ext4 with `-O sparse_super2` at one size. */
export interface SparseSuper2Result {
  /** Image size in bytes. */
  sizeBytes: number;
  /** Time of the mkfs.ext4 process. */
  mkfsMs: Summary;
  /** Bytes the host allocated for the image. */
  allocatedBytes: number;
}

async function output(command: string, args: string[]): Promise<string> {
  const result = await new Deno.Command(command, {
    args,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  if (!result.success) {
    throw new Error(
      `${command} ${args.join(" ")} failed: ${decoder.decode(result.stderr)}`,
    );
  }
  return decoder.decode(result.stdout) + decoder.decode(result.stderr);
}

async function allocatedBytes(path: string): Promise<number> {
  return ((await Deno.stat(path)).blocks ?? 0) * 512;
}

/**
 * Creates a sparse file of `sizeBytes` at `path`, then times
 * `mkfs.ext4 -q -F -E lazy_itable_init=1,lazy_journal_init=1` on it from
 * spawn to exit. The file stays for the caller to measure and remove.
 *
 * @param path Path of a file that must not exist yet.
 * @param sizeBytes Image size in bytes.
 * @param extraArgs Further mkfs.ext4 options, placed before the path.
 * @returns Milliseconds of the mkfs.ext4 process.
 * @throws {Error} If mkfs.ext4 is missing or fails.
 */
export async function timeMkfs(
  path: string,
  sizeBytes: number,
  extraArgs: readonly string[] = [],
): Promise<number> {
  const file = await Deno.open(path, { write: true, createNew: true });
  await file.truncate(sizeBytes);
  file.close();
  const started = performance.now();
  await output("mkfs.ext4", [...MKFS_ARGS, ...extraArgs, path]);
  return performance.now() - started;
}

async function timeFormatExt4(path: string, sizeBytes: number) {
  const started = performance.now();
  await formatExt4(path, { sizeBytes });
  return performance.now() - started;
}

interface ModuleExports {
  memory: WebAssembly.Memory;
  ext4_format_begin(
    size: bigint,
    time: bigint,
    label: number,
    flags: number,
  ): number;
  ext4_format_next(): number;
  ext4_runs_ptr(): number;
  ext4_data_ptr(): number;
}

function instantiateModule(): ModuleExports {
  const text = atob(EXT4_WASM_BASE64);
  const bytes = new Uint8Array(text.length);
  for (let index = 0; index < text.length; index++) {
    bytes[index] = text.charCodeAt(index);
  }
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
  return instance.exports as unknown as ModuleExports;
}

/** Runs the module's begin/next loop for `sizeBytes` without writing. */
function timeModule(module: ModuleExports, sizeBytes: number): number {
  const started = performance.now();
  const status = module.ext4_format_begin(
    BigInt(sizeBytes),
    1_700_000_000n,
    0,
    0,
  );
  if (status !== 0) {
    throw new Error(`ext4_format_begin returned ${status}`);
  }
  for (;;) {
    const runs = module.ext4_format_next();
    if (runs < 0) {
      throw new Error(`ext4_format_next returned ${runs}`);
    }
    if (runs === 0) {
      break;
    }
  }
  return performance.now() - started;
}

/**
 * Replays what the worker does for `sizeBytes` into a fresh file at
 * `path`: the module's runs written with positioned writes, then
 * `fdatasync`. Returns the time of the writes (without the module's
 * time) and of the sync, the bytes written and the number of runs.
 */
async function timeWrites(
  module: ModuleExports,
  path: string,
  sizeBytes: number,
) {
  const file = await Deno.open(path, { write: true, createNew: true });
  await file.truncate(sizeBytes);
  file.close();
  const fd = fs.openSync(path, fs.constants.O_WRONLY);
  let writeMs = 0;
  let writtenBytes = 0;
  let runCount = 0;
  let adjacentRuns = 0;
  try {
    module.ext4_format_begin(BigInt(sizeBytes), 1_700_000_000n, 0, 0);
    for (;;) {
      const runs = module.ext4_format_next();
      if (runs <= 0) {
        break;
      }
      const started = performance.now();
      const memory = new Uint8Array(module.memory.buffer);
      const records = new DataView(
        module.memory.buffer,
        module.ext4_runs_ptr(),
        runs * 16,
      );
      const data = module.ext4_data_ptr();
      let previousEnd = -1;
      for (let run = 0; run < runs; run++) {
        const position = Number(records.getBigUint64(run * 16, true));
        const length = records.getUint32(run * 16 + 8, true);
        const offset = data + records.getUint32(run * 16 + 12, true);
        fs.writeSync(fd, memory, offset, length, position);
        writtenBytes += length;
        if (position === previousEnd) adjacentRuns++;
        previousEnd = position + length;
      }
      runCount += runs;
      writeMs += performance.now() - started;
    }
    const started = performance.now();
    fs.fdatasyncSync(fd);
    return {
      writeMs,
      syncMs: performance.now() - started,
      writtenBytes,
      runs: runCount,
      adjacentRuns,
    };
  } finally {
    fs.closeSync(fd);
  }
}

const FIRST_CALL_SCRIPT = `
const started = performance.now();
const { formatExt4 } = await import(${
  JSON.stringify(new URL("src/ext4/format.ts", REPO).href)
});
await formatExt4(Deno.args[0], { sizeBytes: 8 * 1024 * 1024 });
console.log(performance.now() - started);
`;

/** Measures the first call in fresh processes; returns both series. */
async function timeFirstCalls(dir: string, rounds: number) {
  const script = `${dir}/first-call.ts`;
  await Deno.writeTextFile(script, FIRST_CALL_SCRIPT);
  const inside: number[] = [];
  const wall: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const image = `${dir}/first-${round}.raw`;
    const started = performance.now();
    const printed = await output(Deno.execPath(), [
      "run",
      "--quiet",
      `--allow-write=${image}`,
      script,
      image,
    ]);
    wall.push(performance.now() - started);
    inside.push(Number(printed.trim()));
    await Deno.remove(image);
  }
  return { inside: summarize(inside), wall: summarize(wall) };
}

/**
 * Runs the benchmark and returns its figures.
 *
 * Requires `--allow-all`: it writes image files in a temporary directory,
 * runs `mkfs.ext4`, `df` and child Deno processes, and reads system
 * information.
 *
 * @param options Rounds and sizes.
 * @returns The figures per size, the first-call latency and module facts.
 *
 * @example
 * ```ts ignore
 * import { benchFormat, formatBenchReport } from "./bench_format.ts";
 * const result = await benchFormat({ rounds: 3, sizes: [1024 ** 3] });
 * console.log(formatBenchReport(result));
 * ```
 */
export async function benchFormat(
  options: BenchFormatOptions = {},
): Promise<BenchFormatResult> {
  const rounds = options.rounds ?? 9;
  const sizes = options.sizes ?? [GIB, 20 * GIB, TIB, MAX_DISK_SIZE_BYTES];
  const dir = await Deno.makeTempDir({ prefix: "msb-ext4-bench-" });
  try {
    // Start the worker before the first measured call.
    await formatExt4(`${dir}/warm-up.raw`, { sizeBytes: 8 * MIB });
    await Deno.remove(`${dir}/warm-up.raw`);
    const module = instantiateModule();
    const results: SizeResult[] = [];
    for (const sizeBytes of sizes) {
      const ours: number[] = [];
      const mkfs: number[] = [];
      const moduleTimes: number[] = [];
      const writeTimes: number[] = [];
      const syncTimes: number[] = [];
      let writtenBytes = 0;
      let runs = 0;
      let adjacentRuns = 0;
      let ourAllocated = 0;
      let mkfsAllocated = 0;
      for (let round = 0; round < rounds; round++) {
        const ourPath = `${dir}/ours-${round}.raw`;
        const mkfsPath = `${dir}/mkfs-${round}.raw`;
        if (round % 2 === 0) {
          ours.push(await timeFormatExt4(ourPath, sizeBytes));
          mkfs.push(await timeMkfs(mkfsPath, sizeBytes));
        } else {
          mkfs.push(await timeMkfs(mkfsPath, sizeBytes));
          ours.push(await timeFormatExt4(ourPath, sizeBytes));
        }
        moduleTimes.push(timeModule(module, sizeBytes));
        const replay = await timeWrites(module, `${dir}/replay.raw`, sizeBytes);
        await Deno.remove(`${dir}/replay.raw`);
        writeTimes.push(replay.writeMs);
        syncTimes.push(replay.syncMs);
        writtenBytes = replay.writtenBytes;
        runs = replay.runs;
        adjacentRuns = replay.adjacentRuns;
        ourAllocated = await allocatedBytes(ourPath);
        mkfsAllocated = await allocatedBytes(mkfsPath);
        await Deno.remove(ourPath);
        await Deno.remove(mkfsPath);
      }
      const formatExt4Ms = summarize(ours);
      const mkfsMs = summarize(mkfs);
      results.push({
        sizeBytes,
        formatExt4Ms,
        mkfsMs,
        moduleMs: summarize(moduleTimes),
        writeMs: summarize(writeTimes),
        syncMs: summarize(syncTimes),
        writtenBytes,
        runs,
        adjacentRuns,
        timeRatio: formatExt4Ms.median / mkfsMs.median,
        formatExt4AllocatedBytes: ourAllocated,
        mkfsAllocatedBytes: mkfsAllocated,
      });
    }
    let sparseSuper2: SparseSuper2Result | null = null;
    if (sizes.includes(TIB)) {
      const times: number[] = [];
      let allocated = 0;
      for (let round = 0; round < rounds; round++) {
        const path = `${dir}/sparse-super2-${round}.raw`;
        times.push(await timeMkfs(path, TIB, ["-O", "sparse_super2"]));
        allocated = await allocatedBytes(path);
        await Deno.remove(path);
      }
      sparseSuper2 = {
        sizeBytes: TIB,
        mkfsMs: summarize(times),
        allocatedBytes: allocated,
      };
    }
    timeModule(module, MAX_DISK_SIZE_BYTES);
    const peakWasmMemoryBytes = module.memory.buffer.byteLength;
    const firstCalls = await timeFirstCalls(dir, rounds);
    return {
      sizes: results,
      firstCallMs: firstCalls.inside,
      firstProcessMs: firstCalls.wall,
      wasmBytes: (await Deno.stat(new URL("src/ext4/ext4.wasm", REPO))).size,
      peakWasmMemoryBytes,
      rounds,
      machine: formatMachine(await describeMachine(dir)),
      mkfsVersion: (await output("mkfs.ext4", ["-V"])).split("\n")[0].trim(),
      sparseSuper2,
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * Names an image size for tables: `1 GiB`, `1 TiB`, `16 TiB − 1 MiB`.
 *
 * @param bytes Image size in bytes.
 * @returns The name; sizes that are not whole GiB are given in bytes.
 */
export function sizeName(bytes: number): string {
  if (bytes === MAX_DISK_SIZE_BYTES) {
    return "16 TiB − 1 MiB";
  }
  if (bytes % TIB === 0) {
    return `${bytes / TIB} TiB`;
  }
  if (bytes % GIB === 0) {
    return `${bytes / GIB} GiB`;
  }
  return `${bytes} B`;
}

function milliseconds(summary: Summary): string {
  const show = (value: number) => value.toFixed(value < 10 ? 1 : 0);
  return `${show(summary.median)} (${show(summary.min)}–${show(summary.max)})`;
}

function mebibytes(bytes: number): string {
  return `${(bytes / MIB).toFixed(2)} MiB`;
}

/** Options of {@linkcode formatBenchReport}. */
export interface FormatBenchReportOptions {
  /**
   * Command that produced the figures, shown in the section.
   *
   * @default {"deno run -A scripts/bench_format.ts --write"}
   */
  command?: string;
  /**
   * Whether to end the section with the list of targets
   * ({@linkcode formatTargetSentences}).
   *
   * @default {true}
   */
  targets?: boolean;
}

/**
 * Returns the "## Formatting" section of docs/benchmarks.md for a result.
 *
 * @param result Figures from {@linkcode benchFormat}.
 * @param options The command to name in the section.
 * @returns Markdown, ending with a newline.
 *
 * @example
 * ```ts ignore
 * import { benchFormat, formatBenchReport } from "./bench_format.ts";
 * console.log(formatBenchReport(await benchFormat({ rounds: 1 })));
 * ```
 */
export function formatBenchReport(
  result: BenchFormatResult,
  options: FormatBenchReportOptions = {},
): string {
  const command = options.command ??
    "deno run -A scripts/bench_format.ts --write";
  const timeRows = result.sizes.map((size) =>
    `| ${sizeName(size.sizeBytes)} | ${milliseconds(size.formatExt4Ms)} | ` +
    `${milliseconds(size.mkfsMs)} | ${size.timeRatio.toFixed(2)} | ` +
    `${mebibytes(size.formatExt4AllocatedBytes)} | ` +
    `${mebibytes(size.mkfsAllocatedBytes)} |`
  );
  const partRows = result.sizes.map((size) =>
    `| ${sizeName(size.sizeBytes)} | ${milliseconds(size.moduleMs)} | ` +
    `${size.runs} | ${size.adjacentRuns} | ${mebibytes(size.writtenBytes)} | ` +
    `${milliseconds(size.writeMs)} | ${milliseconds(size.syncMs)} |`
  );
  const targetLines = options.targets === false ? [] : [
    "Targets:",
    "",
    ...formatTargetSentences(result).map((sentence) => `- ${sentence}`),
    "",
  ];
  return [
    SECTION,
    "",
    `Command: \`${command}\` ` +
    `(${result.rounds} round${
      result.rounds === 1 ? "" : "s"
    } per size and tool, alternating).`,
    "",
    `Machine: ${result.machine}. ${result.mkfsVersion}.`,
    "",
    "formatExt4 runs in process with its worker already started, and its " +
    "time includes creating the file, writing the metadata and " +
    "`fdatasync`. mkfs.ext4 runs as " +
    "`mkfs.ext4 -q -F -E lazy_itable_init=1,lazy_journal_init=1` on a " +
    "fresh sparse file, timed from spawn to exit. Times in ms: median " +
    "(min–max). Allocated bytes are `stat` blocks × 512 of the finished " +
    "image.",
    "",
    "| size | formatExt4 | mkfs.ext4 | time ratio | allocated, formatExt4 | allocated, mkfs.ext4 |",
    "| --- | --- | --- | --- | --- | --- |",
    ...timeRows,
    "",
    "Where the formatExt4 time goes, measured separately: the module alone " +
    "(plan and generate every run, no I/O), then the same runs written " +
    "with positioned writes into a fresh sparse file, then its `fdatasync`. " +
    "Adjacent runs are runs that start where the previous run of the same " +
    "chunk ends, which the worker could merge into one write.",
    "",
    "| size | module | runs | adjacent runs | bytes written | writes | fdatasync |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    ...partRows,
    "",
    `First call in a fresh process (start Deno, compile the module, start ` +
    `the worker, format 8 MiB): ${
      milliseconds(result.firstCallMs)
    } ms measured inside the process, ${
      milliseconds(result.firstProcessMs)
    } ms from spawn to exit.`,
    "",
    `Module: src/ext4/ext4.wasm is ${result.wasmBytes} bytes. Its memory ` +
    `after formatting 16 TiB − 1 MiB is ${
      mebibytes(result.peakWasmMemoryBytes)
    }, the same as for 8 MiB, because the writer streams the metadata in ` +
    `chunks of at most 1 MiB.`,
    "",
    ...targetLines,
  ].join("\n");
}

/**
 * Returns one Markdown sentence or more per formatting target: time ratio
 * at most 1.0, allocated bytes at most mkfs.ext4's, and, when 1 GiB and
 * 1 TiB were measured, 1 TiB time / 1 GiB time at most 10.
 *
 * @param result Figures from {@linkcode benchFormat}.
 * @returns The sentences, without list markers.
 */
export function formatTargetSentences(result: BenchFormatResult): string[] {
  const ratioTarget = result.sizes.every((size) => size.timeRatio <= 1)
    ? "met at every size"
    : "missed at " + result.sizes.filter((size) => size.timeRatio > 1)
      .map((size) => sizeName(size.sizeBytes)).join(", ");
  const diskTarget =
    result.sizes.every((size) =>
        size.formatExt4AllocatedBytes <= size.mkfsAllocatedBytes
      )
      ? "met at every size"
      : "missed at " +
        result.sizes.filter((size) =>
          size.formatExt4AllocatedBytes > size.mkfsAllocatedBytes
        ).map((size) => sizeName(size.sizeBytes)).join(", ");
  const sentences = [
    `Format time ratio at most 1.0: ${ratioTarget}.`,
    `Allocated bytes at most mkfs.ext4's: ${diskTarget}.`,
  ];
  const small = result.sizes.find((size) => size.sizeBytes === GIB);
  const large = result.sizes.find((size) => size.sizeBytes === TIB);
  if (small !== undefined && large !== undefined) {
    sentences.push(growthSentence(small, large, result.sparseSuper2));
  }
  return sentences;
}

/**
 * Returns the sentence on the growth target: 1 TiB time / 1 GiB time at
 * most 10, with the measured cause when it is missed.
 */
function growthSentence(
  small: SizeResult,
  large: SizeResult,
  sparseSuper2: SparseSuper2Result | null,
): string {
  const scaling = large.formatExt4Ms.median / small.formatExt4Ms.median;
  const mkfsScaling = large.mkfsMs.median / small.mkfsMs.median;
  const bytesScaling = large.writtenBytes / small.writtenBytes;
  const syncShare = large.syncMs.median / small.formatExt4Ms.median;
  const partsMs = large.syncMs.median + large.writeMs.median +
    large.moduleMs.median;
  const sentences = [
    `1 TiB time / 1 GiB time at most 10: ` +
    `${scaling <= 10 ? "met" : "missed"}, ${scaling.toFixed(1)} ` +
    `(mkfs.ext4: ${mkfsScaling.toFixed(1)}). The 1 GiB time is a few ` +
    `milliseconds, so the ratio moves by several points between runs.`,
    `The metadata that every ext4 image needs grows ` +
    `${bytesScaling.toFixed(0)}-fold (${mebibytes(small.writtenBytes)} to ` +
    `${mebibytes(large.writtenBytes)}: backup copies of the superblock ` +
    `and group descriptor table, reserved GDT blocks, block bitmaps).`,
    `At 1 TiB the \`fdatasync\` of those bytes alone takes ` +
    `${large.syncMs.median.toFixed(1)} ms, ${syncShare.toFixed(1)} times ` +
    `the whole 1 GiB format (${small.formatExt4Ms.median.toFixed(1)} ms); ` +
    `their ${large.runs} writes take ${large.writeMs.median.toFixed(1)} ms ` +
    `and the module ${large.moduleMs.median.toFixed(1)} ms. Measured ` +
    `apart, these three parts add up to ${partsMs.toFixed(1)} ms, ` +
    `${(partsMs / small.formatExt4Ms.median).toFixed(1)} times the 1 GiB ` +
    `format.`,
    `Merging writes cannot help: ${large.adjacentRuns} of the ` +
    `${large.runs} runs start where the previous run ends, because the ` +
    `module's writer already extends a run when the next one is adjacent.`,
  ];
  if (scaling > 10 && sparseSuper2 !== null) {
    sentences.push(
      `What would close it is writing fewer bytes. mkfs.ext4 ` +
        `\`-O sparse_super2\` keeps two backup copies instead of one ` +
        `per sparse group: it allocates ` +
        `${mebibytes(sparseSuper2.allocatedBytes)} at 1 TiB instead of ` +
        `${mebibytes(large.mkfsAllocatedBytes)} and takes ` +
        `${milliseconds(sparseSuper2.mkfsMs)} ms instead of ` +
        `${milliseconds(large.mkfsMs)} ms in this run. That changes the ` +
        `image layout, so it needs a new format version and its own ` +
        `e2fsck and mount tests, and it is not done here.`,
    );
  }
  return sentences.join(" ");
}

/** Replaces or appends the "## Formatting" section of `markdown`. */
function replaceSection(markdown: string, section: string): string {
  const start = markdown.indexOf(`${SECTION}\n`);
  if (start === -1) {
    const base = markdown.trim() === "" ? "# Benchmarks\n" : markdown;
    return `${base.trimEnd()}\n\n${section}`;
  }
  const next = markdown.indexOf("\n## ", start + SECTION.length);
  const end = next === -1 ? markdown.length : next + 1;
  return markdown.slice(0, start) + section +
    (next === -1 ? "" : "\n" + markdown.slice(end));
}

if (import.meta.main) {
  const args = [...Deno.args];
  const roundsIndex = args.indexOf("--rounds");
  const rounds = roundsIndex === -1 ? 9 : Number(args[roundsIndex + 1]);
  if (!Number.isInteger(rounds) || rounds < 1) {
    console.error(
      `error: invalid --rounds ${args[roundsIndex + 1]}: expected a ` +
        `positive integer`,
    );
    Deno.exit(2);
  }
  const report = formatBenchReport(await benchFormat({ rounds }));
  if (args.includes("--write")) {
    const current = await Deno.readTextFile(DOCS).catch(() => "");
    await Deno.mkdir(new URL("docs/", REPO), { recursive: true });
    await Deno.writeTextFile(DOCS, replaceSection(current, report));
    // Let the project's formatter wrap the prose and align the tables.
    await output(Deno.execPath(), ["fmt", "--quiet", DOCS.pathname]);
    console.log(`Updated ${DOCS.pathname}`);
  }
  console.log(report);
}
