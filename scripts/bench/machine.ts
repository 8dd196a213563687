/**
 * Describes the machine that a benchmark ran on: processors, memory, the
 * disk that held the temporary files, the kernel and the Deno version.
 *
 * @module
 */

const GIB = 1024 ** 3;

/** The machine and runtime of a benchmark run. */
export interface MachineInfo {
  /** Processors available to the process, as `nproc` prints them. */
  readonly processors: number;
  /** Model name from /proc/cpuinfo, or `"unknown CPU"`. */
  readonly cpu: string;
  /** Total memory in bytes, from /proc/meminfo. */
  readonly memoryBytes: number;
  /** Device of the temporary directory, from `df`. */
  readonly diskDevice: string;
  /** File system type of that device, from `df -T`. */
  readonly diskType: string;
  /** Size of that file system, as `df -h` prints it. */
  readonly diskSize: string;
  /** Kernel release. */
  readonly kernel: string;
  /** Deno version. */
  readonly deno: string;
  /** V8 version. */
  readonly v8: string;
}

/**
 * Runs a command and returns its standard output, or `null` when the
 * command is missing or fails.
 */
async function outputOf(
  command: string,
  args: string[],
): Promise<string | null> {
  try {
    const result = await new Deno.Command(command, {
      args,
      stdout: "piped",
      stderr: "null",
    }).output();
    return result.success ? new TextDecoder().decode(result.stdout) : null;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    throw err;
  }
}

/**
 * Describes this machine.
 *
 * Needs `--allow-run` for `nproc` and `df`, and `--allow-read` for /proc
 * and `dir`.
 *
 * @param dir A directory on the disk that contains the benchmark's files.
 * @returns The description.
 */
export async function describeMachine(dir: string): Promise<MachineInfo> {
  const nproc = Number((await outputOf("nproc", []))?.trim());
  const cpuInfo = await Deno.readTextFile("/proc/cpuinfo").catch(() => "");
  const memInfo = await Deno.readTextFile("/proc/meminfo").catch(() => "");
  const memKib = Number(/^MemTotal:\s+(\d+) kB/m.exec(memInfo)?.[1]);
  const df = (await outputOf("df", ["-hT", dir]))?.trim().split("\n").at(-1);
  const [device, type, size] = df?.split(/\s+/) ?? [];
  return {
    processors: Number.isInteger(nproc) && nproc > 0
      ? nproc
      : navigator.hardwareConcurrency,
    cpu: /model name\s*:\s*(.+)/.exec(cpuInfo)?.[1].trim() ?? "unknown CPU",
    memoryBytes: Number.isFinite(memKib)
      ? memKib * 1024
      : Deno.systemMemoryInfo().total,
    diskDevice: device ?? "unknown device",
    diskType: type ?? "unknown type",
    diskSize: size ?? "unknown size",
    kernel: `${Deno.build.os} ${Deno.osRelease()}`,
    deno: Deno.version.deno,
    v8: Deno.version.v8,
  };
}

/**
 * Formats a description as one line of prose.
 *
 * @param info Result of {@linkcode describeMachine}.
 * @returns For example "2 × AMD EPYC, 24 GiB memory, temporary files on
 * /dev/vda (ext4, 252G), Linux 6.1, Deno 2.9.6".
 */
export function formatMachine(info: MachineInfo): string {
  return `${info.processors} × ${info.cpu}, ` +
    `${(info.memoryBytes / GIB).toFixed(0)} GiB memory, temporary files on ` +
    `${info.diskDevice} (${info.diskType}, ${info.diskSize}), ` +
    `${info.kernel.replace(/^linux/, "Linux")}, Deno ${info.deno}`;
}
