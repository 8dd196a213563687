/**
 * The command line's start-up cost: `ls` on a home without volumes
 * against `deno run` of an empty script, both as whole processes.
 *
 * @module
 */

import { type CaseReport, formatNumber } from "./report.ts";
import { alternate, summarize, timeMs } from "./stats.ts";

const CLI_PATH = new URL("../../src/cli/main.ts", import.meta.url).pathname;
/** The permissions that the README gives for the command line. */
const CLI_PERMISSIONS = [
  "--allow-read",
  "--allow-write",
  "--allow-env=MSB_HOME,HOME",
];

/** Options of {@linkcode benchCli}. */
export interface CliOptions {
  /** Rounds. */
  readonly rounds: number;
}

/** Runs `deno run --quiet ARGS` and fails unless it exits with 0. */
async function runDeno(args: string[], env: Record<string, string> = {}) {
  const result = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", ...args],
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!result.success) {
    throw new Error(
      `deno run ${args.join(" ")} exited with ${result.code}: ` +
        new TextDecoder().decode(result.stderr).trim(),
    );
  }
}

/**
 * Measures `msb-volume ls` on a home without volumes against `deno run`
 * of an empty script, each from spawn to exit.
 *
 * @param options Rounds.
 * @returns One row, reported without a target, and its sentence.
 * @throws {Error} If either process fails.
 */
export async function benchCli(options: CliOptions): Promise<CaseReport> {
  const dir = await Deno.makeTempDir({ prefix: "msb-bench-cli-" });
  try {
    const home = `${dir}/home`;
    const empty = `${dir}/empty.ts`;
    await Deno.writeTextFile(empty, "");
    const ls = () =>
      runDeno([...CLI_PERMISSIONS, CLI_PATH, "ls"], { MSB_HOME: home });
    const bare = () => runDeno([empty]);
    // The first runs fill Deno's module cache and make the home's database.
    await ls();
    await bare();
    const series = await alternate(
      options.rounds,
      () => timeMs(ls),
      () => timeMs(bare),
    );
    const value = summarize(series.case);
    const referenceValue = summarize(series.reference);
    const ratio = value.median / referenceValue.median;
    return {
      rows: [{
        name: "CLI ls",
        workload: "`ls` on a home without volumes, spawn to exit",
        reference: "deno run of an empty script",
        unit: "ms",
        value,
        referenceValue,
        ratio,
        target: null,
      }],
      targets: [
        `The command line's \`ls\` on a home without volumes takes ` +
        `${formatNumber(value.median)} ms from spawn to exit, ` +
        `${formatNumber(ratio)} × an empty \`deno run\` ` +
        `(${formatNumber(referenceValue.median)} ms); reported, no target.`,
      ],
      section: "",
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
