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
 * @example
 * ```ts
 * import { CloudBackend, UnsupportedError } from "@msb/volumes";
 *
 * const cloud = new CloudBackend();
 * try {
 *   await cloud.scanVolumes();
 * } catch (err) {
 *   console.assert(err instanceof UnsupportedError);
 * }
 * ```
 */
export class CloudBackend implements VolumeBackend {
  /** Always `"cloud"`. */
  readonly kind: BackendKind = "cloud";

  /** Rejects: creating cloud volumes is not supported. */
  createVolume(
    _config: VolumeConfig,
    _options?: CreateOptions,
  ): Promise<VolumeInfo> {
    return Promise.reject(unsupported("create"));
  }

  /** Rejects: reading cloud volumes is not supported. */
  getVolume(_name: string): Promise<VolumeInfo> {
    return Promise.reject(unsupported("get"));
  }

  /** Rejects: listing cloud volumes is not supported. */
  scanVolumes(): Promise<ScanResult> {
    return Promise.reject(unsupported("list"));
  }

  /** Rejects: removing cloud volumes is not supported. */
  removeVolume(_name: string, _options?: RemoveOptions): Promise<void> {
    return Promise.reject(unsupported("remove"));
  }

  /** Rejects: locking cloud volumes is not supported. */
  lockVolume(_name: string, _options?: LockOptions): Promise<VolumeLock> {
    return Promise.reject(unsupported("lock"));
  }

  /** Rejects: pruning cloud volumes is not supported. */
  prune(_options?: PruneOptions): Promise<PruneReport> {
    return Promise.reject(unsupported("prune"));
  }

  /** Throws: the file API of cloud volumes is not supported. */
  volumeFs(_info: VolumeInfo): VolumeFs {
    throw unsupported("fs");
  }
}

function unsupported(operation: string): UnsupportedError {
  return new UnsupportedError(
    `CloudBackend does not support ${operation}: cloud volumes are not available in this module. Use LocalBackend.`,
  );
}
