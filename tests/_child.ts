/**
 * A child process for the concurrency and crash tests. It runs one
 * operation on the home in `MSB_HOME` and prints one JSON line per result:
 * `{"ok":true}` or `{"ok":false,"code":"VolumeAlreadyExists","name":"..."}`.
 * An error that is not a module error prints `"code":null`.
 *
 * Usage:
 *   create NAME [dir|disk]       create one volume
 *   churn PREFIX COUNT           create and remove COUNT volumes
 *   loop PREFIX                  create and remove dir and 1 GiB disk
 *                                volumes until killed
 *   hold NAME                    lock a volume, print "locked", wait
 *   list                         list the names of the volumes
 *   remove NAME                  remove one volume
 *
 * @module
 */

import { LocalBackend, MicrosandboxError } from "../mod.ts";

const backend = new LocalBackend();
const [command, name, arg] = Deno.args;

function report(result: unknown): void {
  Deno.stdout.writeSync(
    new TextEncoder().encode(`${JSON.stringify(result)}\n`),
  );
}

async function attempt(operation: () => Promise<unknown>): Promise<boolean> {
  try {
    await operation();
    report({ ok: true });
    return true;
  } catch (err) {
    report({
      ok: false,
      code: err instanceof MicrosandboxError ? err.code : null,
      name: err instanceof Error ? err.name : String(err),
      message: err instanceof Error ? err.message : String(err),
    });
    return false;
  }
}

/** Creates and removes volumes until the process is killed. */
async function loop(prefix: string): Promise<never> {
  for (let i = 0;; i++) {
    const volume = `${prefix}-${i}`;
    const disk = i % 2 === 1;
    await attempt(() =>
      backend.createVolume({
        name: volume,
        kind: disk ? "disk" : "dir",
        sizeMib: disk ? 1024 : null,
      })
    );
    await attempt(() => backend.removeVolume(volume));
  }
}

switch (command) {
  case "create":
    await attempt(() =>
      backend.createVolume({
        name,
        kind: arg === "disk" ? "disk" : "dir",
        sizeMib: arg === "disk" ? 64 : null,
      })
    );
    break;
  case "churn":
    for (let i = 0; i < Number(arg); i++) {
      const volume = `${name}-${i}`;
      await attempt(() => backend.createVolume({ name: volume }));
      await attempt(() => backend.removeVolume(volume));
    }
    break;
  case "loop":
    await loop(name);
    break;
  case "list":
    try {
      const { volumes } = await backend.scanVolumes();
      report({ ok: true, names: volumes.map((volume) => volume.name) });
    } catch (err) {
      await attempt(() => Promise.reject(err));
    }
    break;
  case "remove":
    await attempt(() => backend.removeVolume(name));
    break;
  case "hold": {
    const lock = await backend.lockVolume(name);
    Deno.stdout.writeSync(new TextEncoder().encode("locked\n"));
    await new Promise((resolve) => setTimeout(resolve, 60_000));
    lock.release();
    break;
  }
  default:
    throw new Error(`unknown child command ${command}`);
}
backend.close();
