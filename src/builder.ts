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
 * ```ts ignore
 * import { gib, Volume } from "@msb/volumes";
 *
 * const volume = await Volume.builder("pgdata")
 *   .disk()
 *   .size(gib(20))
 *   .label("owner", "db")
 *   .create();
 * console.log(volume.diskPath);
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
   * Starts a configuration; `Volume.builder(name)` is the usual way.
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
   * @returns This builder.
   */
  directory(): this {
    this.#kind = "dir";
    return this;
  }

  /**
   * Makes a `disk` volume, a sparse raw ext4 image; it needs a size.
   *
   * @returns This builder.
   */
  disk(): this {
    this.#kind = "disk";
    return this;
  }

  /**
   * Sets the quota of a `dir` volume in whole MiB (`gib(1)` is 1024).
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
   * @example
   * ```ts
   * import { Volume } from "@msb/volumes";
   * const config = Volume.builder("logs").quota(512).build();
   * console.assert(config.kind === "dir" && config.quotaMib === 512);
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
   * Creates the volume.
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
