/**
 * Temporary directories for `deno bench` files.
 *
 * @module
 */

/**
 * Makes a temporary directory that is removed when the bench process
 * ends. `deno bench` dispatches `beforeunload` but not `unload`, so the
 * removal listens to the former.
 *
 * @param prefix Prefix of the directory name.
 * @returns Absolute path of the directory.
 */
export async function makeTempDirRemovedAtExit(
  prefix: string,
): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix });
  globalThis.addEventListener("beforeunload", () => {
    Deno.removeSync(dir, { recursive: true });
  });
  return dir;
}
