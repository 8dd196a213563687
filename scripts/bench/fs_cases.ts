/**
 * Summary rows for `VolumeFs` streaming, from {@linkcode benchFs}.
 *
 * @module
 */

import {
  benchFs,
  formatFsBenchReport,
  type FsBenchReport,
} from "../bench_fs.ts";
import { type CaseReport, type CaseRow, formatNumber } from "./report.ts";
import type { Summary } from "./stats.ts";

const THROUGHPUT_TARGET = 0.8;

/** Options of {@linkcode benchFsCases}. */
export interface FsCasesOptions {
  /** Size of the file in MiB. */
  readonly sizeMib: number;
  /** Rounds. */
  readonly rounds: number;
}

/** Throughput of one contender in MiB/s: median, and min–max over rounds. */
function throughput(report: FsBenchReport, name: string): Summary {
  const timing = report.timings.find((entry) => entry.name === name);
  if (timing === undefined) {
    throw new Error(`benchFs reported no timing named ${name}.`);
  }
  return {
    median: timing.medianMibPerSecond,
    min: report.sizeMib / timing.maxSeconds,
    max: report.sizeMib / timing.minSeconds,
  };
}

/**
 * Runs {@linkcode benchFs} and turns its report into summary rows, target
 * sentences and a section with the report itself.
 *
 * @param options File size and rounds.
 * @returns Rows, targets and the section.
 */
export async function benchFsCases(
  options: FsCasesOptions,
): Promise<CaseReport> {
  const report = await benchFs({
    sizeMib: options.sizeMib,
    rounds: options.rounds,
  });
  const workload = `${report.sizeMib} MiB file in 1 MiB chunks`;
  const row = (
    name: string,
    caseName: string,
    reference: string,
    ratio: number,
  ): CaseRow => ({
    name,
    workload,
    reference,
    unit: "MiB/s",
    value: throughput(report, caseName),
    referenceValue: throughput(report, reference),
    ratio,
    target: { text: `≥ ${THROUGHPUT_TARGET}`, met: ratio >= THROUGHPUT_TARGET },
  });
  const rows = [
    row(
      "VolumeFs.writeStream",
      "VolumeFs.writeStream",
      "Deno.writeFile + fsync",
      report.writeRatio,
    ),
    row(
      "VolumeFs.writeStream, unsynced reference",
      "VolumeFs.writeStream",
      "Deno.writeFile",
      report.writeRatioNoFsync,
    ),
    row(
      "VolumeFs.readStream",
      "VolumeFs.readStream",
      "Deno.readFile",
      report.readRatio,
    ),
  ];
  return {
    rows,
    targets: fsSentences(report),
    section: [
      "## VolumeFs streaming",
      "",
      "Output of `benchFs` (scripts/bench_fs.ts) in this run. " +
      "`VolumeFs.writeStream` writes a temporary file, and its `close()` " +
      "flushes that file with `fsync` and renames it into place, so the " +
      "write is compared both with `Deno.writeFile` followed by an `fsync` " +
      "and with plain `Deno.writeFile`. Reads come from the page cache.",
      "",
      "```text",
      formatFsBenchReport(report),
      "```",
      "",
    ].join("\n"),
  };
}

function verdict(ratio: number): string {
  return `${ratio >= THROUGHPUT_TARGET ? "met" : "missed"}, ` +
    formatNumber(ratio);
}

function fsSentences(report: FsBenchReport): string[] {
  const synced = `VolumeFs write throughput against \`Deno.writeFile\` + ` +
    `\`fsync\` at least ${THROUGHPUT_TARGET}: ${verdict(report.writeRatio)}.`;
  let unsynced = `Against plain \`Deno.writeFile\`: ` +
    `${verdict(report.writeRatioNoFsync)}.`;
  if (report.writeRatioNoFsync < THROUGHPUT_TARGET) {
    unsynced += ` Plain \`Deno.writeFile\` returns before the data reaches ` +
      `the disk, while VolumeFs waits for its \`fsync\`, so that a ` +
      `completed write survives a crash; the synced comparison above is ` +
      `the like-for-like one, and dropping the \`fsync\` would close this ` +
      `gap at the cost of that guarantee.`;
  }
  const read = `VolumeFs read throughput against \`Deno.readFile\` at ` +
    `least ${THROUGHPUT_TARGET}: ${verdict(report.readRatio)}.`;
  return [synced, unsynced, read];
}
