/**
 * Rendering of volumes for the command line: the `ls` table and the JSON
 * objects of `inspect` and `ls --format json`.
 *
 * @module
 */

import type { VolumeInfo } from "../backend/types.ts";
import { BYTES_PER_MIB, formatBytes, formatMib } from "../size.ts";

/** A volume as the JSON output describes it, with camelCase keys. */
export interface VolumeJson {
  /** Volume name. */
  name: string;
  /** `dir` or `disk`. */
  kind: string;
  /** Host directory. */
  path: string;
  /** Quota in MiB, or `null`. */
  quotaMib: number | null;
  /** Disk size or quota in bytes, or `null`. */
  capacityBytes: number | null;
  /** Host bytes in use. */
  usedBytes: number;
  /** `raw`, or `null`. */
  diskFormat: string | null;
  /** `ext4`, or `null`. */
  diskFstype: string | null;
  /** Image path, or `null`. */
  diskPath: string | null;
  /** Labels as an object. */
  labels: Record<string, string>;
  /** Creation time, ISO 8601 in UTC. */
  createdAt: string;
}

/** Converts a volume to its JSON form. */
export function toJson(info: VolumeInfo): VolumeJson {
  return {
    name: info.name,
    kind: info.kind,
    path: info.path,
    quotaMib: info.quotaMib,
    capacityBytes: info.capacityBytes,
    usedBytes: info.usedBytes,
    diskFormat: info.diskFormat,
    diskFstype: info.diskFstype,
    diskPath: info.diskPath,
    labels: Object.fromEntries(info.labels),
    createdAt: info.createdAt.toISOString(),
  };
}

/** Formats a capacity exactly when it is whole MiB (`8193M`, `20G`). */
function formatCapacity(bytes: number | null): string {
  if (bytes === null) return "-";
  return bytes % BYTES_PER_MIB === 0
    ? formatMib(bytes / BYTES_PER_MIB)
    : formatBytes(bytes);
}

/** Formats a creation time, or `-` when the stored time was unreadable. */
function formatCreatedAt(date: Date): string {
  return date.getTime() <= 0
    ? "-"
    : date.toISOString().slice(0, 19).replace("T", " ");
}

/** Renders the `ls` table: a header line and one line per volume. */
export function renderTable(volumes: ReadonlyArray<VolumeInfo>): string {
  const rows = [["NAME", "KIND", "SIZE", "USED", "CREATED", "LABELS"]];
  for (const volume of volumes) {
    rows.push([
      volume.name,
      volume.kind,
      formatCapacity(volume.capacityBytes),
      formatBytes(volume.usedBytes),
      formatCreatedAt(volume.createdAt),
      volume.labels.length === 0
        ? "-"
        : volume.labels.map(([key, value]) => `${key}=${value}`).join(","),
    ]);
  }
  const widths = rows[0].map((_, column) =>
    Math.max(...rows.map((row) => row[column].length))
  );
  return rows.map((row) =>
    row.map((cell, column) =>
      column === row.length - 1 ? cell : cell.padEnd(widths[column])
    ).join("  ")
  ).join("\n") + "\n";
}
