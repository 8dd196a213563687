// Private helpers of VolumeFs: request path parsing, host path joining,
// hidden sibling names, byte-order name comparison, and the quoting of
// values in error messages.

import { InvalidPathError } from "./errors.ts";

/** Max length in UTF-8 bytes of one path segment, the `NAME_MAX` of Linux. */
export const MAX_SEGMENT_BYTES = 255;

/**
 * Max length in UTF-8 bytes of a normalized volume path, without a leading
 * `/`. It is the `PATH_MAX` of Linux (4096) minus the terminating NUL.
 *
 * NOTE: The host path adds the volume root in front, so a path below this
 * limit can still fail on the host with an IoError (ENAMETOOLONG).
 */
export const MAX_PATH_BYTES = 4095;

// Max length in UTF-16 code units of a value that `quoteShortened` quotes
// whole. Longer values keep their first and last characters.
const MAX_QUOTED_LENGTH = 120;
const QUOTED_HEAD_LENGTH = 80;
const QUOTED_TAIL_LENGTH = 30;

const encoder = new TextEncoder();

/** Quotes a name or path for an error message, escaping control characters. */
export function quote(value: string): string {
  return JSON.stringify(value);
}

/**
 * Quotes a name or path for an error message, replacing the middle of a
 * value longer than 120 UTF-16 code units with `…`.
 */
export function quoteShortened(value: string): string {
  if (value.length <= MAX_QUOTED_LENGTH) return quote(value);
  let head = value.slice(0, QUOTED_HEAD_LENGTH);
  let tail = value.slice(-QUOTED_TAIL_LENGTH);
  // Drop the halves of a surrogate pair that the cuts split.
  if (/[\uD800-\uDBFF]$/.test(head)) head = head.slice(0, -1);
  if (/^[\uDC00-\uDFFF]/.test(tail)) tail = tail.slice(1);
  return quote(`${head}…${tail}`);
}

/**
 * Describes the type of a value for an error message, such as `number (42)`,
 * `null` or `DataView`. An object is described by its constructor name and
 * never converted to a string, because its conversion can throw.
 */
export function describeType(value: unknown): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "undefined":
    case "symbol":
    case "function":
      return typeof value;
    case "object":
      return className(value) ?? "object";
    default:
      return `${typeof value} (${String(value)})`;
  }
}

// Returns the constructor name of an object, or null when it has none or a
// proxy throws while it is looked up.
function className(value: object): string | null {
  try {
    const name = Object.getPrototypeOf(value)?.constructor?.name;
    return typeof name === "string" && name !== "" ? name : null;
  } catch {
    return null;
  }
}

/**
 * Splits a request path into normalized segments, where `[]` is the volume
 * root.
 *
 * A leading `/` means the volume root, empty and `.` segments are dropped,
 * and `..` removes the previous segment as written, before any symlink is
 * looked at. The path is rejected when `..` climbs above the root, when it
 * contains a NUL byte, a backslash or an unpaired UTF-16 surrogate, when a
 * segment is longer than {@linkcode MAX_SEGMENT_BYTES}, or when the
 * normalized path is longer than {@linkcode MAX_PATH_BYTES}.
 *
 * @throws {InvalidPathError} If the path is not a string or breaks a rule.
 */
export function parseRequestPath(volumeName: string, path: unknown): string[] {
  if (typeof path !== "string") {
    throw new InvalidPathError(
      `Invalid path in volume ${quote(volumeName)}: expected a string, ` +
        `got ${describeType(path)}.`,
    );
  }
  const invalidPath = (reason: string) =>
    new InvalidPathError(
      `Invalid path ${quoteShortened(path)} in volume ${quote(volumeName)}: ` +
        reason,
    );
  if (path.includes("\0")) {
    throw invalidPath("paths must not contain NUL bytes.");
  }
  if (path.includes("\\")) {
    throw invalidPath(
      'backslashes are not allowed, use "/" to separate segments.',
    );
  }
  // UTF-8 cannot encode an unpaired surrogate, and the host would get
  // U+FFFD in its place, so two different paths would name one file.
  if (!path.isWellFormed()) {
    throw invalidPath(
      "paths must be well-formed Unicode, without unpaired UTF-16 " +
        "surrogates.",
    );
  }

  const segments: string[] = [];
  for (const segment of path.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment !== "..") {
      const bytes = utf8Length(segment);
      if (bytes > MAX_SEGMENT_BYTES) {
        throw invalidPath(
          `segment ${quoteShortened(segment)} is ${bytes} bytes long in ` +
            `UTF-8, and the maximum is ${MAX_SEGMENT_BYTES} bytes.`,
        );
      }
      segments.push(segment);
      continue;
    }
    if (segments.length === 0) {
      throw invalidPath('".." leads above the volume root.');
    }
    segments.pop();
  }

  const bytes = utf8Length(segments.join("/"));
  if (bytes > MAX_PATH_BYTES) {
    throw invalidPath(
      `the normalized path is ${bytes} bytes long in UTF-8, and the maximum ` +
        `is ${MAX_PATH_BYTES} bytes.`,
    );
  }
  return segments;
}

function utf8Length(value: string): number {
  return encoder.encode(value).length;
}

/** Joins the real root and volume segments into an absolute host path. */
export function joinHostPath(
  realRoot: string,
  segments: readonly string[],
): string {
  if (segments.length === 0) return realRoot;
  const separator = realRoot.endsWith("/") ? "" : "/";
  return realRoot + separator + segments.join("/");
}

/** Returns whether a canonical host path is the real root or below it. */
export function isInsideRoot(realRoot: string, hostPath: string): boolean {
  if (hostPath === realRoot) return true;
  const prefix = realRoot.endsWith("/") ? realRoot : realRoot + "/";
  return hostPath.startsWith(prefix);
}

/** Formats volume segments for messages, with the root shown as `/`. */
export function formatSegments(segments: readonly string[]): string {
  return segments.length === 0 ? "/" : segments.join("/");
}

// Bytes of the original name kept in a hidden name, so that the hidden name
// stays below the usual 255-byte limit of a file name.
const MAX_KEPT_NAME_BYTES = 200;

/**
 * Returns a sibling name that no other writer can predict:
 * `.<name>.msb-<purpose>-<16 hex digits>`, with `name` cut to 200 UTF-8
 * bytes.
 */
export function hiddenSiblingName(
  name: string,
  purpose: "tmp" | "del" | "mv",
): string {
  let shortName = "";
  let shortNameBytes = 0;
  for (const character of name) {
    const size = encoder.encode(character).length;
    if (shortNameBytes + size > MAX_KEPT_NAME_BYTES) break;
    shortName += character;
    shortNameBytes += size;
  }
  const random = crypto.getRandomValues(new Uint8Array(8));
  const hex = Array.from(random, (byte) => byte.toString(16).padStart(2, "0"))
    .join("");
  return `.${shortName}.msb-${purpose}-${hex}`;
}

/** Compares two names by their UTF-8 bytes, the order of `LC_ALL=C ls`. */
export function compareUtf8(a: string, b: string): number {
  const left = encoder.encode(a);
  const right = encoder.encode(b);
  const length = Math.min(left.length, right.length);
  for (let i = 0; i < length; i++) {
    if (left[i] !== right[i]) return left[i] - right[i];
  }
  return left.length - right.length;
}
