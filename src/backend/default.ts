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
 * `$MSB_HOME` (else `~/.microsandbox`) on first use.
 *
 * @example
 * ```ts ignore
 * import { getDefaultBackend } from "@msb/volumes";
 * console.log(getDefaultBackend().kind); // "local"
 * ```
 *
 * @returns The backend that the static `Volume` methods use.
 */
export function getDefaultBackend(): VolumeBackend {
  current ??= new LocalBackend();
  return current;
}

/**
 * Replaces the default backend. Volumes made before keep the backend that
 * made them.
 *
 * @example
 * ```ts
 * import { LocalBackend, setDefaultBackend } from "@msb/volumes";
 * setDefaultBackend(new LocalBackend({ home: "/tmp/msb-example-home" }));
 * ```
 *
 * @param backend The new default, or `null` to return to the lazily made
 * local backend.
 */
export function setDefaultBackend(backend: VolumeBackend | null): void {
  current = backend;
}
