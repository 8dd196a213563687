/**
 * Size helpers. Sizes and quotas are whole mebibytes (MiB) throughout the
 * API, so `quota(1024)` and `quota(gib(1))` mean the same.
 *
 * @module
 */

import { InvalidConfigError } from "./errors.ts";

/**
 * A size in whole mebibytes (1 MiB = 1,048,576 bytes).
 *
 * @example Sizes in MiB
 * ```ts
 * import assert from "node:assert/strict";
 * import { gib, type Mebibytes } from "@msb/volumes";
 *
 * const quota: Mebibytes = gib(2);
 * assert.equal(quota, 2048);
 * ```
 */
export type Mebibytes = number;

/**
 * Bytes in one mebibyte.
 *
 * @example Convert MiB to bytes
 * ```ts
 * import assert from "node:assert/strict";
 * import { BYTES_PER_MIB, gib } from "@msb/volumes";
 *
 * assert.equal(gib(1) * BYTES_PER_MIB, 1073741824);
 * ```
 */
export const BYTES_PER_MIB = 1024 * 1024;

/**
 * Smallest disk volume size, in MiB: the smallest image with room for an
 * ext4 journal.
 *
 * @example Reject a smaller disk
 * ```ts
 * import assert from "node:assert/strict";
 * import { MIN_DISK_SIZE_MIB, resolveConfig } from "@msb/volumes";
 *
 * assert.equal(MIN_DISK_SIZE_MIB, 8);
 * assert.throws(() =>
 *   resolveConfig({ name: "tiny", kind: "disk", sizeMib: MIN_DISK_SIZE_MIB - 1 })
 * );
 * ```
 */
export const MIN_DISK_SIZE_MIB: Mebibytes = 8;

/**
 * Largest disk volume size and largest quota, in MiB: 16 TiB minus 1 MiB,
 * the largest ext4 image with 4 KiB blocks that the formatter builds.
 *
 * @example The largest disk volume
 * ```ts
 * import assert from "node:assert/strict";
 * import { MAX_SIZE_MIB, resolveConfig, tib } from "@msb/volumes";
 *
 * assert.equal(MAX_SIZE_MIB, tib(16) - 1);
 * const config = resolveConfig({ name: "big", kind: "disk", sizeMib: MAX_SIZE_MIB });
 * assert.equal(config.sizeMib, MAX_SIZE_MIB);
 * ```
 */
export const MAX_SIZE_MIB: Mebibytes = 16 * 1024 * 1024 - 1;

/**
 * Converts kibibytes to mebibytes. The result must be a whole number of MiB
 * when it is passed to the builder.
 *
 * @example Convert KiB
 * ```ts
 * import assert from "node:assert/strict";
 * import { kib } from "@msb/volumes";
 * assert.equal(kib(2048), 2);
 * ```
 *
 * @param n Number of KiB.
 * @returns The same size in MiB.
 */
export function kib(n: number): Mebibytes {
  return n / 1024;
}

/**
 * Returns the number of MiB unchanged, for symmetry with {@linkcode gib}.
 *
 * @example Keep MiB
 * ```ts
 * import assert from "node:assert/strict";
 * import { mib } from "@msb/volumes";
 * assert.equal(mib(512), 512);
 * ```
 *
 * @param n Number of MiB.
 * @returns The same size in MiB.
 */
export function mib(n: number): Mebibytes {
  return n;
}

/**
 * Converts gibibytes to mebibytes.
 *
 * @example Convert GiB
 * ```ts
 * import assert from "node:assert/strict";
 * import { gib } from "@msb/volumes";
 * assert.equal(gib(1), 1024);
 * ```
 *
 * @param n Number of GiB.
 * @returns The same size in MiB.
 */
export function gib(n: number): Mebibytes {
  return n * 1024;
}

/**
 * Converts tebibytes to mebibytes.
 *
 * @example Convert TiB
 * ```ts
 * import assert from "node:assert/strict";
 * import { tib } from "@msb/volumes";
 * assert.equal(tib(1), 1048576);
 * ```
 *
 * @param n Number of TiB.
 * @returns The same size in MiB.
 */
export function tib(n: number): Mebibytes {
  return n * 1024 * 1024;
}

const SIZE_PATTERN = /^(\d+)\s*(?:([KMGT])(?:i?B)?|(B))?$/i;

const UNIT_TO_BYTES: Record<string, number> = {
  B: 1,
  K: 1024,
  M: 1024 ** 2,
  G: 1024 ** 3,
  T: 1024 ** 4,
};

/**
 * Parses a size string such as `100M`, `1G`, `10G` or `1T` into whole MiB.
 *
 * Units are binary and case-insensitive: `K`, `M`, `G`, `T`, optionally
 * followed by `B` or `iB` (`1GiB`, `1gb`), and `B` alone for bytes. A bare
 * number means MiB. The number must be a whole, non-negative decimal, so
 * `1.5G`, `-1G` and `1e3` are rejected. The result must be a whole number
 * of MiB: `512K` is rejected, `2048K` is 2 MiB and `1048576B` is 1 MiB.
 *
 * @example Parse sizes
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSize } from "@msb/volumes";
 * assert.equal(parseSize("1G"), 1024);
 * assert.equal(parseSize("100M"), 100);
 * assert.equal(parseSize("256"), 256);
 * ```
 *
 * @param text Size with an optional unit.
 * @returns The size in MiB.
 * @throws {InvalidConfigError} If the text is not a whole size in a known unit.
 */
export function parseSize(text: string): Mebibytes {
  if (typeof text !== "string") {
    throw new InvalidConfigError(
      `Invalid size ${
        String(text)
      }: expected a string such as 512M, 20G or 1T, got ${typeof text}.`,
    );
  }
  const match = SIZE_PATTERN.exec(text.trim());
  if (match === null) {
    throw new InvalidConfigError(
      `Invalid size ${JSON.stringify(text)}: expected a whole number with ` +
        `an optional unit K, M, G or T, such as 512M, 20G or 1T.`,
    );
  }
  const unit = (match[2] ?? match[3] ?? "M").toUpperCase();
  const bytes = Number(match[1]) * UNIT_TO_BYTES[unit];
  if (!Number.isSafeInteger(bytes) || bytes % BYTES_PER_MIB !== 0) {
    throw new InvalidConfigError(
      `Invalid size ${JSON.stringify(text)}: expected a whole number of MiB ` +
        `no larger than ${formatMib(MAX_SIZE_MIB)}.`,
    );
  }
  return bytes / BYTES_PER_MIB;
}

/**
 * Formats a size in MiB with the largest binary unit that keeps it whole,
 * as the CLI prints it: `512M`, `20G`, `1T`.
 *
 * @example Format sizes
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatMib } from "@msb/volumes";
 * assert.equal(formatMib(20480), "20G");
 * assert.equal(formatMib(1536), "1536M");
 * ```
 *
 * @param value Size in MiB.
 * @returns The size with a unit suffix.
 */
export function formatMib(value: Mebibytes): string {
  if (value !== 0 && value % (1024 * 1024) === 0) {
    return `${value / (1024 * 1024)}T`;
  }
  if (value !== 0 && value % 1024 === 0) return `${value / 1024}G`;
  return `${value}M`;
}

/**
 * Formats a byte count for people, with one decimal in the largest binary
 * unit below it: `0B`, `12.0K`, `1.5G`.
 *
 * @example Format a byte count
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatBytes } from "@msb/volumes";
 * assert.equal(formatBytes(1536), "1.5K");
 * ```
 *
 * @param bytes Byte count.
 * @returns The count with a unit suffix.
 */
export function formatBytes(bytes: number): string {
  const units = ["B", "K", "M", "G", "T", "P"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes}B` : `${value.toFixed(1)}${units[unit]}`;
}
