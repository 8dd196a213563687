/**
 * The rows of the benchmark summary table and their Markdown.
 *
 * @module
 */

import type { Summary } from "./stats.ts";

/** A target of one row and whether this run met it. */
export interface Target {
  /** The target as the table shows it, such as `"≤ 1.0"`. */
  readonly text: string;
  /** Whether the run met it. */
  readonly met: boolean;
}

/** One row of the summary table. */
export interface CaseRow {
  /** Name of the case; stable across runs, so tests can look for it. */
  readonly name: string;
  /** Workload of the case in this run, such as `"10,000 volumes"`. */
  readonly workload: string;
  /** Reference that the case is compared with, or `"—"`. */
  readonly reference: string;
  /** Unit of `value` and `referenceValue`. */
  readonly unit: "ms" | "MiB/s" | "MiB" | "bytes";
  /** The case's measurements. */
  readonly value: Summary;
  /** The reference's measurements, or `null` when there is none. */
  readonly referenceValue: Summary | null;
  /**
   * Median of the case divided by median of the reference, or `null`.
   * For `MiB/s` rows it is a throughput ratio, so higher is better; for
   * the others lower is better.
   */
  readonly ratio: number | null;
  /** The target, or `null` when the row is only reported. */
  readonly target: Target | null;
}

/** Rows, target sentences and a section: one group's part of the page. */
export interface CaseReport {
  /** Rows of the summary table. */
  readonly rows: CaseRow[];
  /**
   * One Markdown sentence or more per target: met, or missed with the
   * measured cause and what would close it.
   */
  readonly targets: string[];
  /** A detail section that starts with `## `, or `""`. */
  readonly section: string;
}

/** Returns the summary of one value, for rows measured once (bytes). */
export function single(value: number): Summary {
  return { median: value, min: value, max: value };
}

/** Formats a number with 2 significant decimals below 10, else none. */
export function formatNumber(value: number): string {
  if (Math.abs(value) >= 100) return value.toFixed(0);
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/** Formats a summary as `median (min–max) unit`. */
export function formatSummary(summary: Summary, unit: string): string {
  if (summary.min === summary.max) {
    return `${formatNumber(summary.median)} ${unit}`;
  }
  return `${formatNumber(summary.median)} (${formatNumber(summary.min)}–` +
    `${formatNumber(summary.max)}) ${unit}`;
}

/** Formats a whole count with thousands separators: `10,000`. */
export function formatCount(count: number): string {
  return count.toLocaleString("en-US");
}

/** Formats the target cell of a row. */
function formatTarget(target: Target | null): string {
  if (target === null) return "reported";
  return `${target.text}: ${target.met ? "met" : "missed"}`;
}

/**
 * Renders the summary table.
 *
 * @param rows Rows in display order.
 * @returns Markdown table without a trailing newline.
 */
export function renderTable(rows: readonly CaseRow[]): string {
  const lines = [
    "| case | workload | reference | case, median (min–max) | reference, median (min–max) | ratio | target |",
    "| --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const row of rows) {
    const cells = [
      row.name,
      row.workload,
      row.reference,
      formatSummary(row.value, row.unit),
      row.referenceValue === null
        ? "—"
        : formatSummary(row.referenceValue, row.unit),
      row.ratio === null ? "—" : row.ratio.toFixed(2),
      formatTarget(row.target),
    ];
    lines.push(`| ${cells.join(" | ")} |`);
  }
  return lines.join("\n");
}
