/**
 * The ambient default backend that the static `Volume` methods use.
 *
 * @module
 */

import { LocalBackend } from "./local.ts";
import type { VolumeBackend } from "./types.ts";

let current: VolumeBackend | null = null;

/**
 * Returns the default backend, making a {@linkcode LocalBackend} for
 * `$MSB_HOME` (else `~/.microsandbox`) on first use. Making it needs
 * `--allow-env=MSB_HOME,HOME`; it reads and creates nothing on disk until
 * its first operation.
 *
 * @example Ask which backend is in use
 * ```ts
 * import assert from "node:assert/strict";
 * import { getDefaultBackend } from "@msb/volumes";
 *
 * assert.equal(getDefaultBackend().kind, "local");
 * ```
 *
 * @returns The backend that the static `Volume` methods use.
 * @throws {InvalidConfigError} If neither `MSB_HOME` nor `HOME` is set.
 * @throws {PermissionDeniedError} If Deno denied reading either variable.
 */
export function getDefaultBackend(): VolumeBackend {
  current ??= new LocalBackend();
  return current;
}

/**
 * Replaces the default backend. Volumes made before keep the backend that
 * made them.
 *
 * @example Keep volumes in a home of their own
 * ```ts
 * import assert from "node:assert/strict";
 * import { LocalBackend, setDefaultBackend, Volume } from "@msb/volumes";
 *
 * const home = await Deno.makeTempDir();
 * setDefaultBackend(new LocalBackend({ home }));
 * const volume = await Volume.builder("cache").create();
 * assert.equal(volume.path, `${home}/volumes/cache`);
 *
 * await Deno.remove(home, { recursive: true });
 * ```
 *
 * @param backend The new default, or `null` to return to the lazily made
 * local backend.
 */
export function setDefaultBackend(backend: VolumeBackend | null): void {
  current = backend;
}
