/**
 * Summary rows for formatting: formatExt4 against mkfs.ext4 per size, the
 * growth from 1 GiB to 1 TiB, the first call in a fresh process and the
 * size of the module. The figures come from {@linkcode benchFormat}.
 *
 * @module
 */

import {
  benchFormat,
  formatBenchReport,
  formatTargetSentences,
  sizeName,
} from "../bench_format.ts";
import { type CaseReport, type CaseRow, single } from "./report.ts";

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;
const TIB = 1024 * GIB;

/** Options of {@linkcode benchFormatCases}. */
export interface FormatCasesOptions {
  /** Rounds per size and tool. */
  readonly rounds: number;
  /** Image sizes in bytes; the growth row needs 1 GiB and 1 TiB. */
  readonly sizes: number[];
  /** Command to name in the Formatting section. */
  readonly command: string;
}

/**
 * Runs {@linkcode benchFormat} and turns its result into summary rows,
 * target sentences and the Formatting section.
 *
 * @param options Rounds, sizes and the command.
 * @returns Rows, targets and the section.
 * @throws {Error} If mkfs.ext4 is missing or a format fails.
 */
export async function benchFormatCases(
  options: FormatCasesOptions,
): Promise<CaseReport> {
  const result = await benchFormat({
    rounds: options.rounds,
    sizes: options.sizes,
  });
  const rows: CaseRow[] = [];
  for (const size of result.sizes) {
    rows.push({
      name: `format ${sizeName(size.sizeBytes)}`,
      workload: "sparse image, formatExt4 in process",
      reference: "mkfs.ext4 process",
      unit: "ms",
      value: size.formatExt4Ms,
      referenceValue: size.mkfsMs,
      ratio: size.timeRatio,
      target: { text: "≤ 1.0", met: size.timeRatio <= 1 },
    });
  }
  for (const size of result.sizes) {
    const ratio = size.formatExt4AllocatedBytes / size.mkfsAllocatedBytes;
    rows.push({
      name: `allocated ${sizeName(size.sizeBytes)}`,
      workload: "bytes the host allocated for the image",
      reference: "mkfs.ext4 image",
      unit: "MiB",
      value: single(size.formatExt4AllocatedBytes / MIB),
      referenceValue: single(size.mkfsAllocatedBytes / MIB),
      ratio,
      target: { text: "≤ 1.0", met: ratio <= 1 },
    });
  }
  const small = result.sizes.find((size) => size.sizeBytes === GIB);
  const large = result.sizes.find((size) => size.sizeBytes === TIB);
  if (small !== undefined && large !== undefined) {
    const growth = large.formatExt4Ms.median / small.formatExt4Ms.median;
    rows.push({
      name: "format growth 1 TiB / 1 GiB",
      workload: "formatExt4 at 1 TiB against 1 GiB",
      reference: "formatExt4 1 GiB",
      unit: "ms",
      value: large.formatExt4Ms,
      referenceValue: small.formatExt4Ms,
      ratio: growth,
      target: { text: "≤ 10", met: growth <= 10 },
    });
  }
  rows.push({
    name: "worker first call",
    workload: "fresh process: import, compile, start worker, format 8 MiB",
    reference: "—",
    unit: "ms",
    value: result.firstCallMs,
    referenceValue: null,
    ratio: null,
    target: null,
  }, {
    name: "ext4.wasm size",
    workload: "src/ext4/ext4.wasm as committed",
    reference: "—",
    unit: "bytes",
    value: single(result.wasmBytes),
    referenceValue: null,
    ratio: null,
    target: null,
  });
  return {
    rows,
    targets: formatTargetSentences(result),
    section: formatBenchReport(result, {
      command: options.command,
      targets: false,
    }),
  };
}
