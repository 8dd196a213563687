/**
 * The fluent builder behind `Volume.builder(name)`.
 *
 * @module
 */

import { getDefaultBackend } from "./backend/default.ts";
import type { CreateOptions, VolumeBackend } from "./backend/types.ts";
import {
  type Label,
  resolveConfig,
  type ResolvedVolumeConfig,
  type VolumeKind,
} from "./config.ts";
import type { Mebibytes } from "./size.ts";
import { Volume } from "./volume.ts";

/**
 * Collects the configuration of a new volume. Nothing is checked until
 * {@linkcode VolumeBuilder.build} or {@linkcode VolumeBuilder.create}, so
 * the calls may come in any order.
 *
 * @example A 20 GiB disk volume with a label
 * ```ts
 * import assert from "node:assert/strict";
 * import { gib, LocalBackend, setDefaultBackend, Volume } from "@msb/volumes";
 *
 * const home = await Deno.makeTempDir();
 * setDefaultBackend(new LocalBackend({ home }));
 * const volume = await Volume.builder("pgdata")
 *   .disk()
 *   .size(gib(20))
 *   .label("owner", "db")
 *   .create();
 * assert.equal(volume.diskPath, `${home}/volumes/pgdata/disk.raw`);
 *
 * await Deno.remove(home, { recursive: true });
 * ```
 */
export class VolumeBuilder {
  readonly #name: string;
  readonly #backend: VolumeBackend | null;
  #kind: VolumeKind = "dir";
  #quotaMib: Mebibytes | null = null;
  #sizeMib: Mebibytes | null = null;
  readonly #labels: Label[] = [];

  /**
   * Starts a configuration; `Volume.builder(name)` is the usual way. Pass a
   * backend to create on it instead of the default one.
   *
   * @example Create on a backend of its own
   * ```ts
   * import assert from "node:assert/strict";
   * import { LocalBackend, VolumeBuilder } from "@msb/volumes";
   *
   * const home = await Deno.makeTempDir();
   * const backend = new LocalBackend({ home });
   * const volume = await new VolumeBuilder("cache", backend).create();
   * assert.equal(volume.path, `${home}/volumes/cache`);
   *
   * backend.close();
   * await Deno.remove(home, { recursive: true });
   * ```
   *
   * @param name Volume name.
   * @param backend Backend to create on; the default backend at
   * {@linkcode VolumeBuilder.create} time when omitted.
   */
  constructor(name: string, backend?: VolumeBackend) {
    this.#name = name;
    this.#backend = backend ?? null;
  }

  /**
   * Makes a `dir` volume, a host directory (the default).
   *
   * @example Switch back to a directory
   * ```ts
   * import assert from "node:assert/strict";
   * import { Volume } from "@msb/volumes";
   *
   * const config = Volume.builder("cache").disk().directory().build();
   * assert.equal(config.kind, "dir");
   * ```
   *
   * @returns This builder.
   */
  directory(): this {
    this.#kind = "dir";
    return this;
  }

  /**
   * Makes a `disk` volume, a sparse raw ext4 image; it needs a size.
   *
   * @example A 64 MiB ext4 image
   * ```ts
   * import assert from "node:assert/strict";
   * import { LocalBackend, setDefaultBackend, Volume } from "@msb/volumes";
   *
   * const home = await Deno.makeTempDir();
   * setDefaultBackend(new LocalBackend({ home }));
   * const volume = await Volume.builder("img").disk().size(64).create();
   * const { size } = await Deno.stat(volume.diskPath!);
   * assert.equal(size, 64 * 1024 * 1024);
   *
   * await Deno.remove(home, { recursive: true });
   * ```
   *
   * @returns This builder.
   */
  disk(): this {
    this.#kind = "disk";
    return this;
  }

  /**
   * Sets the quota of a `dir` volume in whole MiB (`gib(1)` is 1024). The
   * quota is stored in the database; this module does not enforce it, so
   * writes through {@linkcode VolumeFs} may exceed it.
   *
   * @example A directory volume with a 1 GiB quota
   * ```ts
   * import assert from "node:assert/strict";
   * import {
   *   gib,
   *   LocalBackend,
   *   setDefaultBackend,
   *   Volume,
   * } from "@msb/volumes";
   *
   * const home = await Deno.makeTempDir();
   * setDefaultBackend(new LocalBackend({ home }));
   * const volume = await Volume.builder("cache").quota(gib(1)).create();
   * assert.equal(volume.quotaMib, 1024);
   *
   * await Deno.remove(home, { recursive: true });
   * ```
   *
   * @param mib Quota in MiB, from 1 to 16 TiB minus 1 MiB.
   * @returns This builder.
   */
  quota(mib: Mebibytes): this {
    this.#quotaMib = mib;
    return this;
  }

  /**
   * Sets the size of a `disk` volume in whole MiB (`gib(20)` is 20480).
   *
   * @example Size from a string
   * ```ts
   * import assert from "node:assert/strict";
   * import {
   *   LocalBackend,
   *   parseSize,
   *   setDefaultBackend,
   *   Volume,
   * } from "@msb/volumes";
   *
   * const home = await Deno.makeTempDir();
   * setDefaultBackend(new LocalBackend({ home }));
   * const size = parseSize("256M");
   * const volume = await Volume.builder("img").disk().size(size).create();
   * assert.equal(volume.capacityBytes, 256 * 1024 * 1024);
   *
   * await Deno.remove(home, { recursive: true });
   * ```
   *
   * @param mib Size in MiB, from 8 MiB to 16 TiB minus 1 MiB.
   * @returns This builder.
   */
  size(mib: Mebibytes): this {
    this.#sizeMib = mib;
    return this;
  }

  /**
   * Adds a label. A later label with the same key replaces the value.
   *
   * @example The last value of a key wins
   * ```ts
   * import assert from "node:assert/strict";
   * import { LocalBackend, setDefaultBackend, Volume } from "@msb/volumes";
   *
   * const home = await Deno.makeTempDir();
   * setDefaultBackend(new LocalBackend({ home }));
   * const volume = await Volume.builder("cache")
   *   .label("owner", "ci")
   *   .label("tier", "hot")
   *   .label("owner", "db")
   *   .create();
   * assert.deepEqual(volume.labels, [["owner", "db"], ["tier", "hot"]]);
   *
   * await Deno.remove(home, { recursive: true });
   * ```
   *
   * @param key Label key, 1 to 128 bytes without `=` or white space.
   * @param value Label value, at most 1024 bytes; may be empty.
   * @returns This builder.
   */
  label(key: string, value: string): this {
    this.#labels.push([key, value]);
    return this;
  }

  /**
   * Returns the checked configuration as a plain object, which
   * {@linkcode Volume.create} accepts.
   *
   * @example Check a configuration without creating it
   * ```ts
   * import assert from "node:assert/strict";
   * import { InvalidConfigError, Volume } from "@msb/volumes";
   *
   * const config = Volume.builder("logs").quota(512).build();
   * assert.equal(config.kind, "dir");
   * assert.equal(config.quotaMib, 512);
   * // A disk volume needs a size.
   * const disk = Volume.builder("img").disk();
   * assert.throws(() => disk.build(), InvalidConfigError);
   * ```
   *
   * @returns The configuration with every field present.
   * @throws {InvalidConfigError} If a field breaks a rule.
   */
  build(): ResolvedVolumeConfig {
    return resolveConfig({
      name: this.#name,
      kind: this.#kind,
      quotaMib: this.#quotaMib,
      sizeMib: this.#sizeMib,
      labels: this.#labels,
    });
  }

  /**
   * Creates the volume on the builder's backend, else on the default backend.
   *
   * @example Create a directory volume
   * ```ts
   * import assert from "node:assert/strict";
   * import {
   *   LocalBackend,
   *   setDefaultBackend,
   *   Volume,
   *   VolumeAlreadyExistsError,
   * } from "@msb/volumes";
   *
   * const home = await Deno.makeTempDir();
   * setDefaultBackend(new LocalBackend({ home }));
   * const volume = await Volume.builder("cache").create();
   * assert.equal(volume.kind, "dir");
   * await assert.rejects(
   *   Volume.builder("cache").create(),
   *   VolumeAlreadyExistsError,
   * );
   *
   * await Deno.remove(home, { recursive: true });
   * ```
   *
   * @param options Progress callback for formatting a disk volume.
   * @returns The new volume.
   * @throws {InvalidConfigError} If a field breaks a rule.
   * @throws {VolumeAlreadyExistsError} If the name is taken.
   */
  async create(options?: CreateOptions): Promise<Volume> {
    const config = this.build();
    const backend = this.#backend ?? getDefaultBackend();
    return new Volume(await backend.createVolume(config, options), backend);
  }
}
