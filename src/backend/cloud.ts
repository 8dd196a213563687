/**
 * A placeholder for volumes kept by a microsandbox cloud service.
 *
 * @module
 */

import type { VolumeConfig } from "../config.ts";
import { UnsupportedError } from "../errors.ts";
import type { VolumeFs } from "../fs.ts";
import type {
  BackendKind,
  CreateOptions,
  LockOptions,
  PruneOptions,
  PruneReport,
  RemoveOptions,
  ScanOptions,
  ScanResult,
  VolumeBackend,
  VolumeInfo,
  VolumeLock,
} from "./types.ts";

/**
 * A backend for cloud volumes. This module has no cloud client yet, so
 * every operation rejects with {@linkcode UnsupportedError} naming the
 * operation.
 *
 * @example Every operation is unsupported
 * ```ts
 * import assert from "node:assert/strict";
 * import { CloudBackend, UnsupportedError } from "@msb/volumes";
 *
 * const cloud = new CloudBackend();
 * await assert.rejects(cloud.scanVolumes(), UnsupportedError);
 * ```
 */
export class CloudBackend implements VolumeBackend {
  /**
   * Always `"cloud"`.
   *
   * @example Tell a cloud backend apart
   * ```ts
   * import assert from "node:assert/strict";
   * import { CloudBackend } from "@msb/volumes";
   *
   * assert.equal(new CloudBackend().kind, "cloud");
   * ```
   */
  readonly kind: BackendKind = "cloud";

  /**
   * Rejects: creating cloud volumes is not supported.
   *
   * @example Reject create
   * ```ts
   * import assert from "node:assert/strict";
   * import { CloudBackend, UnsupportedError } from "@msb/volumes";
   *
   * const cloud = new CloudBackend();
   * await assert.rejects(cloud.createVolume({ name: "data" }), UnsupportedError);
   * ```
   *
   * @param _config Volume configuration, unused.
   * @param _options Create options, unused.
   * @returns A promise that always rejects.
   * @throws {UnsupportedError} Always, as the rejection reason.
   */
  createVolume(
    _config: VolumeConfig,
    _options?: CreateOptions,
  ): Promise<VolumeInfo> {
    return Promise.reject(unsupported("create"));
  }

  /**
   * Rejects: reading cloud volumes is not supported.
   *
   * @example Reject get
   * ```ts
   * import assert from "node:assert/strict";
   * import { CloudBackend, UnsupportedError } from "@msb/volumes";
   *
   * const cloud = new CloudBackend();
   * await assert.rejects(cloud.getVolume("data"), UnsupportedError);
   * ```
   *
   * @param _name Volume name, unused.
   * @returns A promise that always rejects.
   * @throws {UnsupportedError} Always, as the rejection reason.
   */
  getVolume(_name: string): Promise<VolumeInfo> {
    return Promise.reject(unsupported("get"));
  }

  /**
   * Rejects: listing cloud volumes is not supported.
   *
   * @example Reject list
   * ```ts
   * import assert from "node:assert/strict";
   * import { CloudBackend, UnsupportedError } from "@msb/volumes";
   *
   * const cloud = new CloudBackend();
   * await assert.rejects(cloud.scanVolumes(), UnsupportedError);
   * ```
   *
   * @returns A promise that always rejects.
   * @throws {UnsupportedError} Always, as the rejection reason.
   */
  scanVolumes(_options?: ScanOptions): Promise<ScanResult> {
    return Promise.reject(unsupported("list"));
  }

  /**
   * Rejects: removing cloud volumes is not supported.
   *
   * @example Reject remove
   * ```ts
   * import assert from "node:assert/strict";
   * import { CloudBackend, UnsupportedError } from "@msb/volumes";
   *
   * const cloud = new CloudBackend();
   * await assert.rejects(cloud.removeVolume("data"), UnsupportedError);
   * ```
   *
   * @param _name Volume name, unused.
   * @param _options Remove options, unused.
   * @returns A promise that always rejects.
   * @throws {UnsupportedError} Always, as the rejection reason.
   */
  removeVolume(_name: string, _options?: RemoveOptions): Promise<void> {
    return Promise.reject(unsupported("remove"));
  }

  /**
   * Rejects: locking cloud volumes is not supported.
   *
   * @example Reject lock
   * ```ts
   * import assert from "node:assert/strict";
   * import { CloudBackend, UnsupportedError } from "@msb/volumes";
   *
   * const cloud = new CloudBackend();
   * await assert.rejects(cloud.lockVolume("data"), UnsupportedError);
   * ```
   *
   * @param _name Volume name, unused.
   * @param _options Lock options, unused.
   * @returns A promise that always rejects.
   * @throws {UnsupportedError} Always, as the rejection reason.
   */
  lockVolume(_name: string, _options?: LockOptions): Promise<VolumeLock> {
    return Promise.reject(unsupported("lock"));
  }

  /**
   * Rejects: pruning cloud volumes is not supported.
   *
   * @example Reject prune
   * ```ts
   * import assert from "node:assert/strict";
   * import { CloudBackend, UnsupportedError } from "@msb/volumes";
   *
   * const cloud = new CloudBackend();
   * await assert.rejects(cloud.prune(), UnsupportedError);
   * ```
   *
   * @param _options Prune options, unused.
   * @returns A promise that always rejects.
   * @throws {UnsupportedError} Always, as the rejection reason.
   */
  prune(_options?: PruneOptions): Promise<PruneReport> {
    return Promise.reject(unsupported("prune"));
  }

  /**
   * Throws: the file API of cloud volumes is not supported.
   *
   * @example Reject the file API
   * ```ts
   * import assert from "node:assert/strict";
   * import { CloudBackend, UnsupportedError, type VolumeInfo } from "@msb/volumes";
   *
   * const info: VolumeInfo = {
   *   name: "data",
   *   kind: "dir",
   *   path: "/unused",
   *   quotaMib: null,
   *   capacityBytes: null,
   *   diskFormat: null,
   *   diskFstype: null,
   *   diskPath: null,
   *   labels: [],
   *   createdAt: new Date(),
   *   usedBytes: 0,
   * };
   * assert.throws(() => new CloudBackend().volumeFs(info), UnsupportedError);
   * ```
   *
   * @param _info Volume description, unused.
   * @returns Never returns.
   * @throws {UnsupportedError} Always.
   */
  volumeFs(_info: VolumeInfo): VolumeFs {
    throw unsupported("fs");
  }
}

function unsupported(operation: string): UnsupportedError {
  return new UnsupportedError(
    `CloudBackend does not support ${operation}: cloud volumes are not available in this module. Use LocalBackend.`,
  );
}
