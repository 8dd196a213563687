// Private helpers of VolumeFs: request path parsing, host path joining,
// hidden sibling names and byte-order name comparison.

import { InvalidPathError } from "./errors.ts";

/** Quotes a name or path for an error message, escaping control characters. */
export function quote(value: string): string {
  return JSON.stringify(value);
}

/**
 * Splits a request path into normalized segments, where `[]` is the volume
 * root.
 *
 * A leading `/` means the volume root, empty and `.` segments are dropped,
 * and `..` removes the previous segment as written, before any symlink is
 * looked at. The path is rejected when `..` climbs above the root, or when it
 * contains a NUL byte or a backslash.
 *
 * @throws {InvalidPathError} If the path is not a string or breaks a rule.
 */
export function parseRequestPath(volumeName: string, path: string): string[] {
  if (typeof path !== "string") {
    throw new InvalidPathError(
      `Invalid path ${String(path)} in volume ${quote(volumeName)}: ` +
        `expected a string, got ${typeof path}.`,
    );
  }
  if (path.includes("\0")) {
    throw new InvalidPathError(
      `Invalid path ${quote(path)} in volume ${quote(volumeName)}: ` +
        "paths must not contain NUL bytes.",
    );
  }
  if (path.includes("\\")) {
    throw new InvalidPathError(
      `Invalid path ${quote(path)} in volume ${quote(volumeName)}: ` +
        'backslashes are not allowed, use "/" to separate segments.',
    );
  }

  const segments: string[] = [];
  for (const segment of path.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment !== "..") {
      segments.push(segment);
      continue;
    }
    if (segments.length === 0) {
      throw new InvalidPathError(
        `Invalid path ${quote(path)} in volume ${quote(volumeName)}: ` +
          '".." leads above the volume root.',
      );
    }
    segments.pop();
  }
  return segments;
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

const encoder = new TextEncoder();

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
