/**
 * Timing helpers shared by the benchmark scripts: a summary of a series
 * and a runner that alternates a case with its reference.
 *
 * @module
 */

/** Median, minimum and maximum of a series, in the series' unit. */
export interface Summary {
  /** Median; the mean of the two middle values for an even count. */
  readonly median: number;
  /** Minimum. */
  readonly min: number;
  /** Maximum. */
  readonly max: number;
}

/**
 * Summarizes a series.
 *
 * @param values At least one value.
 * @returns Median, minimum and maximum.
 * @throws {RangeError} If `values` is empty.
 */
export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) {
    throw new RangeError("Cannot summarize an empty series.");
  }
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1
    ? sorted[middle]
    : (sorted[middle - 1] + sorted[middle]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1] };
}

/** Measurements of a case and its reference over the same rounds. */
export interface PairedSeries {
  /** One measurement of the case per round, in run order. */
  readonly case: number[];
  /** One measurement of the reference per round, in run order. */
  readonly reference: number[];
}

/**
 * Runs `measureCase` and `measureReference` once per round, the case
 * first in even rounds and the reference first in odd rounds, so that a
 * drift of the machine during the run touches both alike.
 *
 * Each function returns its own measurement (usually milliseconds), so it
 * can leave setup and cleanup out of the timed part.
 *
 * @param rounds Number of rounds, at least 1.
 * @param measureCase Measures the case once.
 * @param measureReference Measures the reference once.
 * @returns Both series.
 */
export async function alternate(
  rounds: number,
  measureCase: () => Promise<number>,
  measureReference: () => Promise<number>,
): Promise<PairedSeries> {
  const series: PairedSeries = { case: [], reference: [] };
  for (let round = 0; round < rounds; round++) {
    if (round % 2 === 0) {
      series.case.push(await measureCase());
      series.reference.push(await measureReference());
    } else {
      series.reference.push(await measureReference());
      series.case.push(await measureCase());
    }
  }
  return series;
}

/**
 * Times one call.
 *
 * @param work The work to time.
 * @returns Elapsed wall time in milliseconds.
 */
export async function timeMs(work: () => unknown): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}
