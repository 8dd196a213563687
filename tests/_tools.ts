// deno-lint-ignore-file no-console
/**
 * Access to the host tools that image tests use (`e2fsck`, `mount`), with
 * the reason to skip a test when one is missing.
 *
 * @module
 */

/** Exit status and decoded output of a finished program. */
export interface CommandResult {
  /** Exit status. */
  readonly code: number;
  /** Standard output. */
  readonly stdout: string;
  /** Standard error. */
  readonly stderr: string;
}

/**
 * Runs `program` to completion with piped output, and returns its status
 * and its output decoded as UTF-8.
 */
export async function runCommand(
  program: string,
  options: Deno.CommandOptions,
): Promise<CommandResult> {
  const output = await new Deno.Command(program, {
    stdout: "piped",
    stderr: "piped",
    ...options,
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/** Result of running a host tool. */
export interface ToolResult {
  /** Exit status. */
  readonly code: number;
  /** Standard output and error, joined. */
  readonly output: string;
}

/** Runs a tool; resolves `null` when it is not installed. */
export async function runTool(
  command: string,
  args: string[],
): Promise<ToolResult | null> {
  try {
    const result = await runCommand(command, { args });
    return { code: result.code, output: result.stdout + result.stderr };
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    throw err;
  }
}

/** Reports whether `e2fsck` is installed, printing why a test skips otherwise. */
export async function haveE2fsck(test: string): Promise<boolean> {
  if ((await runTool("e2fsck", ["-V"])) !== null) return true;
  console.log(
    `${test}: skipped, e2fsck is not installed (apt install e2fsprogs)`,
  );
  return false;
}

/**
 * Mounts a tmpfs of `sizeKib` KiB at a new temporary directory, or returns
 * `null` and prints why the test skips.
 */
export async function mountTmpfs(
  test: string,
  sizeKib: number,
): Promise<string | null> {
  if (Deno.uid() !== 0) {
    console.log(`${test}: skipped, mounting a tmpfs needs root`);
    return null;
  }
  const dir = await Deno.makeTempDir({ prefix: "msb-tmpfs-" });
  const result = await runTool("mount", [
    "-t",
    "tmpfs",
    "-o",
    `size=${sizeKib}k`,
    "tmpfs",
    dir,
  ]);
  if (result === null || result.code !== 0) {
    console.log(
      `${test}: skipped, mount -t tmpfs failed: ${
        result?.output ?? "no mount"
      }`,
    );
    await Deno.remove(dir);
    return null;
  }
  return dir;
}

/** Unmounts and removes a directory made by {@linkcode mountTmpfs}. */
export async function unmount(dir: string): Promise<void> {
  await runTool("umount", [dir]);
  await Deno.remove(dir, { recursive: true });
}
