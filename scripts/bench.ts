// deno-lint-ignore-file no-console
/**
 * `deno task bench`: runs every benchmark case beside its reference in one
 * run, prints docs/benchmarks.md and rewrites it.
 *
 * Each case alternates with its reference over several rounds, so that a
 * noisy, shared machine slows both alike, and the page compares them by
 * the ratio of their medians. The cases are:
 *
 * - formatting 1 GiB, 20 GiB, 1 TiB and 16 TiB − 1 MiB images against
 *   mkfs.ext4, and the format worker's first call;
 * - creating a 20 GiB disk volume;
 * - listing 10,000 volumes, and creating and removing 1,000 `dir` volumes;
 * - `VolumeFs` streams of 256 MiB;
 * - the command line's `ls`.
 *
 * Usage: `deno run --allow-all scripts/bench.ts [--smoke] [--rounds N]`.
 *
 * - `--smoke` runs every case once at small sizes (100 volumes, 20
 *   creates, 1 MiB streams), prints the page and writes nothing. The
 *   format sizes stay, because they take milliseconds.
 * - `--rounds N` sets the rounds of every case (default 9, and 5 for the
 *   256 MiB streams).
 *
 * Exit status: 0 on success, 1 when any case fails (the page is then not
 * written), 2 on a usage error. Progress and errors go to standard error,
 * the page to standard output.
 *
 * @module
 */

import { MAX_DISK_SIZE_BYTES } from "../src/ext4/format.ts";
import { benchFormatCases } from "./bench/format_cases.ts";
import { benchFsCases } from "./bench/fs_cases.ts";
import { describeMachine, formatMachine } from "./bench/machine.ts";
import { benchCli } from "./bench/process_cases.ts";
import { type CaseReport, renderTable } from "./bench/report.ts";
import {
  benchCreateRemove,
  benchDiskCreate,
  benchList,
} from "./bench/volume_cases.ts";

const GIB = 1024 ** 3;
const TIB = 1024 * GIB;
const DOCS = new URL("../docs/benchmarks.md", import.meta.url);
const TASK_COMMAND = "deno task bench";
const SCRIPT_COMMAND = "deno run --allow-all scripts/bench.ts";

/** Sizes and rounds of one run. */
interface BenchPlan {
  /** Rounds of every case but the streams. */
  readonly rounds: number;
  /** Image sizes for formatExt4 against mkfs.ext4, in bytes. */
  readonly formatSizes: number[];
  /** Volumes in the home that `Volume.list()` reads. */
  readonly listCount: number;
  /** `dir` volumes created and removed per round. */
  readonly createCount: number;
  /** File size of the stream benchmark, in MiB. */
  readonly fsSizeMib: number;
  /** Rounds of the stream benchmark. */
  readonly fsRounds: number;
}

const FULL_PLAN: BenchPlan = {
  rounds: 9,
  formatSizes: [GIB, 20 * GIB, TIB, MAX_DISK_SIZE_BYTES],
  listCount: 10_000,
  createCount: 1_000,
  fsSizeMib: 256,
  fsRounds: 5,
};

const SMOKE_PLAN: BenchPlan = {
  rounds: 1,
  formatSizes: [GIB, 20 * GIB, TIB],
  listCount: 100,
  createCount: 20,
  fsSizeMib: 1,
  fsRounds: 1,
};

/** Parsed command line. */
interface BenchArgs {
  readonly smoke: boolean;
  readonly rounds: number | null;
}

/** A command line that the script does not accept. */
class UsageError extends Error {}

function parseArgs(args: readonly string[]): BenchArgs {
  let smoke = false;
  let rounds: number | null = null;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index];
    if (arg === "--smoke") {
      smoke = true;
    } else if (arg === "--rounds" || arg.startsWith("--rounds=")) {
      const text = arg === "--rounds" ? args[++index] : arg.slice(9);
      rounds = Number(text);
      if (!Number.isInteger(rounds) || rounds < 1) {
        throw new UsageError(
          `invalid --rounds ${JSON.stringify(text)}: expected a positive ` +
            `integer`,
        );
      }
    } else {
      throw new UsageError(
        `unknown argument ${JSON.stringify(arg)}: expected --smoke or ` +
          `--rounds N`,
      );
    }
  }
  return { smoke, rounds };
}

/** Returns the command as the page shows it. */
function describeCommand(args: BenchArgs): string {
  const flags = [
    ...(args.smoke ? ["--smoke"] : []),
    ...(args.rounds === null ? [] : ["--rounds", String(args.rounds)]),
  ];
  return flags.length === 0
    ? TASK_COMMAND
    : `${SCRIPT_COMMAND} ${flags.join(" ")}`;
}

/** Returns the groups of cases with their names, in page order. */
function caseGroups(
  plan: BenchPlan,
  command: string,
): [string, () => Promise<CaseReport>][] {
  return [
    ["formatting", () =>
      benchFormatCases({
        rounds: plan.rounds,
        sizes: plan.formatSizes,
        command,
      })],
    ["disk volume create", () => benchDiskCreate({ rounds: plan.rounds })],
    [
      "Volume.list()",
      () => benchList({ count: plan.listCount, rounds: plan.rounds }),
    ],
    [
      "dir volume create and remove",
      () => benchCreateRemove({ count: plan.createCount, rounds: plan.rounds }),
    ],
    [
      "VolumeFs streaming",
      () => benchFsCases({ sizeMib: plan.fsSizeMib, rounds: plan.fsRounds }),
    ],
    ["command line", () => benchCli({ rounds: plan.rounds })],
  ];
}

function rounds(count: number): string {
  return count === 1 ? "1 round" : `${count} rounds`;
}

function renderPage(
  reports: readonly CaseReport[],
  plan: BenchPlan,
  command: string,
  machine: string,
  started: Date,
  seconds: number,
): string {
  const rows = reports.flatMap((report) => report.rows);
  const targets = reports.flatMap((report) => report.targets);
  const sections = reports.map((report) => report.section)
    .filter((section) => section !== "");
  return [
    "# Benchmarks",
    "",
    "`deno task bench` (scripts/bench.ts) runs every case below beside " +
    "its reference in one run, alternating the two over several rounds, " +
    "and rewrites this page. The machines are shared and noisy, so every " +
    "comparison is the ratio of two medians from the same run; the " +
    "absolute times hold only for the machine below.",
    "",
    `- Command: ${
      command === TASK_COMMAND
        ? `\`${TASK_COMMAND}\`, which runs \`${SCRIPT_COMMAND}\``
        : `\`${command}\``
    }; ${rounds(plan.rounds)} per case ` +
    `(VolumeFs streams: ${rounds(plan.fsRounds)}).`,
    `- Date: ${started.toISOString().slice(0, 16).replace("T", " ")} UTC; ` +
    `the run took ${seconds.toFixed(0)} s.`,
    `- Machine: ${machine}.`,
    "",
    "## Summary",
    "",
    "Ratio is the median of the case divided by the median of the " +
    "reference: of times for ms rows and of bytes for MiB rows, where " +
    "lower is better, and of throughputs for MiB/s rows, where higher is " +
    "better. A row without a target is reported only.",
    "",
    renderTable(rows),
    "",
    "## Targets",
    "",
    ...targets.map((sentence) => `- ${sentence}`),
    "",
    ...sections,
    "## deno bench",
    "",
    "`deno bench --allow-all bench/` runs the hot paths under Deno's own " +
    "benchmark runner, each beside a baseline in the same group. The " +
    "groups are formatExt4 of 1 GiB against mkfs.ext4, `Volume.list()` of 1,000 " +
    "volumes against a bare SELECT, create and remove of one `dir` volume " +
    "against `mkdir` + INSERT and `rmdir` + DELETE, and `parseSize` and " +
    "`validateName`. Its figures are not recorded on this page.",
    "",
  ].join("\n");
}

async function run(args: BenchArgs): Promise<number> {
  const started = new Date();
  const startedMs = performance.now();
  const base = args.smoke ? SMOKE_PLAN : FULL_PLAN;
  const plan: BenchPlan = args.rounds === null
    ? base
    : { ...base, rounds: args.rounds, fsRounds: args.rounds };
  const command = describeCommand(args);

  const reports: CaseReport[] = [];
  let failures = 0;
  for (const [name, bench] of caseGroups(plan, command)) {
    console.error(`bench: ${name}`);
    const caseStarted = performance.now();
    try {
      reports.push(await bench());
      console.error(
        `bench: ${name} took ${
          ((performance.now() - caseStarted) / 1000).toFixed(1)
        } s`,
      );
    } catch (err) {
      failures++;
      console.error(`error: ${name} failed:`, err);
    }
  }

  const tempDir = await Deno.makeTempDir({ prefix: "msb-bench-machine-" });
  let machine: string;
  try {
    machine = formatMachine(await describeMachine(tempDir));
  } finally {
    await Deno.remove(tempDir);
  }
  const seconds = (performance.now() - startedMs) / 1000;
  const page = renderPage(reports, plan, command, machine, started, seconds);
  console.log(page);

  if (failures > 0) {
    console.error(
      `error: ${failures} case group${
        failures === 1 ? "" : "s"
      } failed; ${DOCS.pathname} is unchanged.`,
    );
    return 1;
  }
  if (args.smoke) return 0;
  await Deno.writeTextFile(DOCS, page);
  // Let the project's formatter wrap the prose and align the tables.
  const fmt = await new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--quiet", DOCS.pathname],
  }).output();
  if (!fmt.success) {
    console.error(`error: deno fmt ${DOCS.pathname} failed`);
    return 1;
  }
  console.error(`bench: wrote ${DOCS.pathname}`);
  return 0;
}

if (import.meta.main) {
  let args: BenchArgs;
  try {
    args = parseArgs(Deno.args);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`error: ${err.message}`);
    console.error(`Usage: ${SCRIPT_COMMAND} [--smoke] [--rounds N]`);
    Deno.exit(2);
  }
  Deno.exit(await run(args));
}
