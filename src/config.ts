/**
 * Volume configuration and the rules that every name, size, quota and label
 * must follow. Validation happens before anything touches the disk or the
 * database, so bad input changes nothing.
 *
 * @module
 */

import { InvalidConfigError } from "./errors.ts";
import {
  formatMib,
  MAX_SIZE_MIB,
  type Mebibytes,
  MIN_DISK_SIZE_MIB,
} from "./size.ts";

/**
 * Kind of a volume: a host directory (`dir`) or a sparse raw ext4 disk
 * image (`disk`).
 *
 * @example Pick the kind from a flag
 * ```ts
 * import assert from "node:assert/strict";
 * import type { VolumeKind } from "@msb/volumes";
 *
 * const kind: VolumeKind = Deno.args.includes("--disk") ? "disk" : "dir";
 * assert.ok(kind === "dir" || kind === "disk");
 * ```
 */
export type VolumeKind = "dir" | "disk";

/**
 * A label as a `[key, value]` pair.
 *
 * @example Labels of a volume configuration
 * ```ts
 * import assert from "node:assert/strict";
 * import { type Label, resolveConfig } from "@msb/volumes";
 *
 * const labels: Label[] = [["owner", "ci"], ["tier", "cache"]];
 * const config = resolveConfig({ name: "cache", labels });
 * assert.deepEqual(config.labels, labels);
 * ```
 */
export type Label = readonly [string, string];

/**
 * Configuration of a volume, as {@linkcode Volume.create} accepts it.
 * Omitted fields take their defaults.
 *
 * @example A 1 GiB disk volume
 * ```ts
 * import assert from "node:assert/strict";
 * import { gib, resolveConfig, type VolumeConfig } from "@msb/volumes";
 *
 * const config: VolumeConfig = { name: "img", kind: "disk", sizeMib: gib(1) };
 * assert.equal(resolveConfig(config).sizeMib, 1024);
 * ```
 */
export interface VolumeConfig {
  /** Volume name; see {@linkcode validateName} for the rules. */
  readonly name: string;
  /**
   * Kind of the volume.
   *
   * @default {"dir"}
   */
  readonly kind?: VolumeKind;
  /**
   * Quota of a `dir` volume in MiB, or `null` for none. A `disk` volume
   * rejects it. The quota is recorded for the sandbox runtime to enforce;
   * this module does not limit writes.
   *
   * @default {null}
   */
  readonly quotaMib?: Mebibytes | null;
  /**
   * Size of a `disk` volume in MiB, required for that kind. A `dir` volume
   * rejects it.
   *
   * @default {null}
   */
  readonly sizeMib?: Mebibytes | null;
  /**
   * Labels as `[key, value]` pairs. A later pair replaces an earlier one
   * with the same key.
   *
   * @default {[]}
   */
  readonly labels?: ReadonlyArray<Label>;
}

/**
 * A configuration after validation, with every field present, as
 * {@linkcode resolveConfig} and {@linkcode VolumeBuilder.build} return it.
 *
 * @example Defaults filled in
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveConfig, type ResolvedVolumeConfig } from "@msb/volumes";
 *
 * const config: ResolvedVolumeConfig = resolveConfig({ name: "cache" });
 * assert.deepEqual(config, {
 *   name: "cache",
 *   kind: "dir",
 *   quotaMib: null,
 *   sizeMib: null,
 *   labels: [],
 * });
 * ```
 */
export interface ResolvedVolumeConfig {
  /** Volume name. */
  readonly name: string;
  /** Kind of the volume. */
  readonly kind: VolumeKind;
  /** Quota of a `dir` volume in MiB, or `null`. */
  readonly quotaMib: Mebibytes | null;
  /** Size of a `disk` volume in MiB, or `null` for a `dir` volume. */
  readonly sizeMib: Mebibytes | null;
  /** Labels without duplicate keys, in first-seen key order. */
  readonly labels: ReadonlyArray<Label>;
}

/**
 * Maximum length of a volume name in bytes.
 *
 * @example Reject a long name early
 * ```ts
 * import assert from "node:assert/strict";
 * import { MAX_NAME_LENGTH, validateName } from "@msb/volumes";
 *
 * assert.equal(MAX_NAME_LENGTH, 128);
 * assert.throws(() => validateName("a".repeat(MAX_NAME_LENGTH + 1)));
 * ```
 */
export const MAX_NAME_LENGTH = 128;

/**
 * Maximum length of a label key in bytes.
 *
 * @example Reject a long key
 * ```ts
 * import assert from "node:assert/strict";
 * import { MAX_LABEL_KEY_LENGTH, validateLabel } from "@msb/volumes";
 *
 * assert.equal(MAX_LABEL_KEY_LENGTH, 128);
 * assert.throws(() => validateLabel("k".repeat(MAX_LABEL_KEY_LENGTH + 1), ""));
 * ```
 */
export const MAX_LABEL_KEY_LENGTH = 128;

/**
 * Maximum length of a label value in bytes.
 *
 * @example Reject a long value
 * ```ts
 * import assert from "node:assert/strict";
 * import { MAX_LABEL_VALUE_LENGTH, validateLabel } from "@msb/volumes";
 *
 * assert.equal(MAX_LABEL_VALUE_LENGTH, 1024);
 * assert.throws(() =>
 *   validateLabel("note", "x".repeat(MAX_LABEL_VALUE_LENGTH + 1))
 * );
 * ```
 */
export const MAX_LABEL_VALUE_LENGTH = 1024;

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

// Control and format characters (C0, DEL, C1, zero-width and bidirectional
// marks, line and paragraph separators) would break the one-line table
// output or hide the real text of a label.
const CONTROL_PATTERN = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

/**
 * Checks a volume name. A name starts with an ASCII letter or digit and
 * contains only ASCII letters, digits, `.`, `-` and `_`, at most
 * {@linkcode MAX_NAME_LENGTH} (128) bytes. The limit keeps every file name
 * that the module derives from a volume name, such as
 * `.staging-<name>-<16 hex digits>`, under the 255-byte limit of Linux file
 * systems.
 *
 * @example Accept and reject names
 * ```ts
 * import assert from "node:assert/strict";
 * import { InvalidConfigError, validateName } from "@msb/volumes";
 *
 * validateName("cache-01");
 * assert.throws(() => validateName(".hidden"), InvalidConfigError);
 * assert.throws(() => validateName("a/b"), InvalidConfigError);
 * ```
 *
 * @param name Candidate volume name.
 * @throws {InvalidConfigError} If the name breaks a rule; the message names it.
 */
export function validateName(name: string): void {
  if (typeof name !== "string") {
    throw new InvalidConfigError(
      `Invalid volume name ${
        String(name)
      }: expected a string, got ${typeof name}.`,
    );
  }
  if (name.length === 0) {
    throw new InvalidConfigError(
      "Invalid volume name: the name is empty. Use letters, digits, '.', '-' and '_', starting with a letter or digit.",
    );
  }
  if (name.length > MAX_NAME_LENGTH) {
    throw new InvalidConfigError(
      `Invalid volume name ${
        JSON.stringify(shorten(name))
      }: ${name.length} characters, expected at most ${MAX_NAME_LENGTH}.`,
    );
  }
  if (!NAME_PATTERN.test(name)) {
    throw new InvalidConfigError(
      `Invalid volume name ${
        JSON.stringify(name)
      }: use only ASCII letters, digits, '.', '-' and '_', starting with a letter or digit.`,
    );
  }
}

/**
 * Checks one label. The key is 1 to 128 bytes with no `=`, white space,
 * control or format characters. The value is at most 1024 bytes with no
 * control or format characters, and may be empty.
 *
 * @example Accept and reject labels
 * ```ts
 * import assert from "node:assert/strict";
 * import { InvalidConfigError, validateLabel } from "@msb/volumes";
 *
 * validateLabel("owner", "");
 * assert.throws(() => validateLabel("a=b", "c"), InvalidConfigError);
 * assert.throws(() => validateLabel("", "value"), InvalidConfigError);
 * ```
 *
 * @param key Label key.
 * @param value Label value.
 * @throws {InvalidConfigError} If the key or value breaks a rule.
 */
export function validateLabel(key: string, value: string): void {
  if (typeof key !== "string") {
    throw new InvalidConfigError(
      `Invalid label key ${String(key)}: expected a string, got ${typeof key}.`,
    );
  }
  if (key.length === 0) {
    throw new InvalidConfigError(
      `Invalid label ${
        JSON.stringify(`${key ?? ""}=${value ?? ""}`)
      }: the key is empty. Use KEY=VALUE with a non-empty key.`,
    );
  }
  if (typeof value !== "string") {
    throw new InvalidConfigError(
      `Invalid label ${
        JSON.stringify(key)
      }: the value must be a string, got ${typeof value}.`,
    );
  }
  if (
    byteLength(key) > MAX_LABEL_KEY_LENGTH || key.includes("=") ||
    /\s/.test(key) || CONTROL_PATTERN.test(key)
  ) {
    throw new InvalidConfigError(
      `Invalid label key ${
        JSON.stringify(shorten(key))
      }: expected at most ${MAX_LABEL_KEY_LENGTH} bytes without '=', white space, control or format characters.`,
    );
  }
  if (
    byteLength(value) > MAX_LABEL_VALUE_LENGTH || CONTROL_PATTERN.test(value)
  ) {
    throw new InvalidConfigError(
      `Invalid value for label ${
        JSON.stringify(key)
      }: expected at most ${MAX_LABEL_VALUE_LENGTH} bytes without control or format characters.`,
    );
  }
}

/**
 * Parses a `KEY=VALUE` label as the CLI takes it. The first `=` splits key
 * from value, so `a=b=c` is key `a` with value `b=c`, and `owner=` has an
 * empty value.
 *
 * @example Split at the first `=`
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseLabel } from "@msb/volumes";
 *
 * assert.deepEqual(parseLabel("a=b=c"), ["a", "b=c"]);
 * assert.deepEqual(parseLabel("owner="), ["owner", ""]);
 * ```
 *
 * @param text Label in `KEY=VALUE` form.
 * @returns The label as a `[key, value]` pair.
 * @throws {InvalidConfigError} If there is no `=` or the pair breaks a rule.
 */
export function parseLabel(text: string): Label {
  const at = text.indexOf("=");
  if (at < 0) {
    throw new InvalidConfigError(
      `Invalid label ${JSON.stringify(text)}: expected KEY=VALUE.`,
    );
  }
  const label: Label = [text.slice(0, at), text.slice(at + 1)];
  validateLabel(label[0], label[1]);
  return label;
}

/**
 * Validates a configuration and fills in the defaults. It touches neither
 * the disk nor the database, so it needs no permissions.
 *
 * @example Check a disk configuration
 * ```ts
 * import assert from "node:assert/strict";
 * import { InvalidConfigError, resolveConfig } from "@msb/volumes";
 *
 * const config = resolveConfig({ name: "img", kind: "disk", sizeMib: 64 });
 * assert.equal(config.quotaMib, null);
 * // A disk volume needs a size.
 * assert.throws(
 *   () => resolveConfig({ name: "img", kind: "disk" }),
 *   InvalidConfigError,
 * );
 * ```
 *
 * @param config Configuration to check.
 * @returns The configuration with every field present and labels deduplicated.
 * @throws {InvalidConfigError} If any field breaks a rule.
 */
export function resolveConfig(config: VolumeConfig): ResolvedVolumeConfig {
  if (config === null || typeof config !== "object") {
    throw new InvalidConfigError(
      `Invalid volume config ${
        String(config)
      }: expected an object with at least a name.`,
    );
  }
  validateName(config.name);
  const kind = config.kind ?? "dir";
  if (kind !== "dir" && kind !== "disk") {
    throw new InvalidConfigError(
      `Invalid volume kind ${JSON.stringify(kind)}: expected "dir" or "disk".`,
    );
  }
  const quotaMib = config.quotaMib ?? null;
  const sizeMib = config.sizeMib ?? null;
  if (kind === "dir") {
    if (sizeMib !== null) {
      throw new InvalidConfigError(
        `Invalid config for volume ${
          JSON.stringify(config.name)
        }: a dir volume takes no size (got ${
          String(sizeMib)
        } MiB). Use quota for a dir volume, or make it a disk volume.`,
      );
    }
    if (quotaMib !== null) checkMib("quota", quotaMib, 1);
  } else {
    if (quotaMib !== null) {
      throw new InvalidConfigError(
        `Invalid config for volume ${
          JSON.stringify(config.name)
        }: a disk volume takes no quota (got ${
          String(quotaMib)
        } MiB). Its size is its limit.`,
      );
    }
    if (sizeMib === null) {
      throw new InvalidConfigError(
        `Invalid config for volume ${
          JSON.stringify(config.name)
        }: a disk volume needs a size in MiB, for example size(1024) or --size 1G.`,
      );
    }
    checkMib("size", sizeMib, MIN_DISK_SIZE_MIB);
  }
  return {
    name: config.name,
    kind,
    quotaMib,
    sizeMib,
    labels: dedupeLabels(config.labels ?? []),
  };
}

/**
 * Validates labels and removes duplicate keys: the last value wins, at the
 * position where the key first appeared.
 *
 * @example Later values replace earlier ones
 * ```ts
 * import assert from "node:assert/strict";
 * import { dedupeLabels } from "@msb/volumes";
 *
 * const labels = dedupeLabels([["a", "1"], ["b", "2"], ["a", "3"]]);
 * assert.deepEqual(labels, [["a", "3"], ["b", "2"]]);
 * ```
 *
 * @param labels Labels as `[key, value]` pairs.
 * @returns The labels without duplicate keys, in first-seen key order.
 * @throws {InvalidConfigError} If `labels` is not an array of pairs, or a
 * pair breaks a rule of {@linkcode validateLabel}.
 */
export function dedupeLabels(labels: ReadonlyArray<Label>): Label[] {
  if (!Array.isArray(labels)) {
    throw new InvalidConfigError(
      `Invalid labels ${
        String(labels)
      }: expected an array of [key, value] pairs.`,
    );
  }
  const byKey = new Map<string, string>();
  for (const pair of labels) {
    if (!Array.isArray(pair) || pair.length !== 2) {
      throw new InvalidConfigError(
        `Invalid label ${
          JSON.stringify(pair)
        }: expected a [key, value] pair of strings.`,
      );
    }
    validateLabel(pair[0], pair[1]);
    byKey.set(pair[0], pair[1]);
  }
  return [...byKey];
}

function checkMib(field: string, value: unknown, min: number): void {
  if (
    typeof value !== "number" || !Number.isInteger(value) || value < min ||
    value > MAX_SIZE_MIB
  ) {
    throw new InvalidConfigError(
      `Invalid ${field} ${String(value)}: expected a whole number of MiB ` +
        `from ${min} to ${MAX_SIZE_MIB} (${
          formatMib(min)
        } to 16 TiB minus 1 MiB).`,
    );
  }
}

function byteLength(text: string): number {
  return new TextEncoder().encode(text).length;
}

function shorten(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}...` : text;
}

/**
 * Reports whether `labels` match every filter: a filter `[key, value]`
 * needs a label with that key and value, and `[key, null]` any label with
 * that key. Label filters of prune and `ls --filter` use it.
 */
export function matchesLabelFilters(
  labels: ReadonlyArray<Label>,
  filters: ReadonlyArray<readonly [string, string | null]>,
): boolean {
  return filters.every(([key, value]) =>
    labels.some(([labelKey, labelValue]) =>
      labelKey === key && (value === null || labelValue === value)
    )
  );
}
