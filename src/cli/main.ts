/**
 * The `msb-volume` command line: create, list, inspect, remove and prune
 * volumes.
 *
 * Exit status 0 on success, 1 when an operation fails, 2 on a usage error.
 * Errors go to standard error, one line each.
 *
 * Permissions: `--allow-read --allow-write --allow-env=MSB_HOME,HOME`; the
 * read and write flags may be scoped to the home. With `--home DIR` the
 * command reads no environment variables.
 *
 * @example Install it as `msb-volume`
 * ```sh
 * deno install --global --name msb-volume \
 *   --allow-read --allow-write --allow-env=MSB_HOME,HOME \
 *   jsr:@msb/volumes/cli
 * msb-volume ls
 * ```
 *
 * @example Run it from a checkout
 * ```sh
 * deno run --allow-read --allow-write --allow-env=MSB_HOME,HOME \
 *   src/cli/main.ts ls
 * ```
 *
 * @module
 */

import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { LocalBackend } from "../backend/local.ts";
import type { VolumeBackend } from "../backend/types.ts";
import {
  matchesLabelFilters,
  parseLabel,
  resolveConfig,
  validateName,
  type VolumeKind,
} from "../config.ts";
import { InvalidConfigError, MicrosandboxError } from "../errors.ts";
import { MAX_SIZE_MIB, MIN_DISK_SIZE_MIB, parseSize } from "../size.ts";
import { COMMAND_HELP, MAIN_HELP, PROGRAM } from "./help.ts";
import { ProgressLine } from "./progress.ts";
import { renderTable, toJson } from "./output.ts";

/**
 * Output streams of the command line; tests pass their own.
 *
 * @example Capture the output of a command
 * ```ts
 * import assert from "node:assert/strict";
 * import { type CliIo, main } from "@msb/volumes/cli";
 *
 * let stdout = "";
 * const io: CliIo = {
 *   stdout: (text) => stdout += text,
 *   stderr: () => {},
 *   interactive: false,
 *   color: false,
 * };
 * assert.equal(await main(["--help"], io), 0);
 * assert.match(stdout, /^Usage: msb-volume/);
 * ```
 */
export interface CliIo {
  /** Writes text to standard output. */
  stdout(text: string): void;
  /** Writes text to standard error. */
  stderr(text: string): void;
  /** Whether standard error is an interactive terminal. */
  readonly interactive: boolean;
  /** Whether ANSI colors may be used on standard error. */
  readonly color: boolean;
}

/** A usage error: exit status 2 and a hint to read the help. */
class UsageError extends Error {
  constructor(message: string, readonly command: string | null) {
    super(message);
  }
}

const encoder = new TextEncoder();

const processIo: CliIo = {
  stdout: (text) => writeAll(Deno.stdout, text),
  stderr: (text) => writeAll(Deno.stderr, text),
  interactive: Deno.stderr.isTerminal(),
  color: Deno.stderr.isTerminal() && !Deno.noColor,
};

const COMMON_OPTIONS = {
  home: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

/**
 * Runs the command line with `args` and returns the exit status.
 *
 * @example List volumes as JSON
 * ```ts
 * import assert from "node:assert/strict";
 * import { main } from "@msb/volumes/cli";
 *
 * const home = await Deno.makeTempDir();
 * let stdout = "";
 * const status = await main(["ls", "--format", "json", "--home", home], {
 *   stdout: (text) => stdout += text,
 *   stderr: () => {},
 *   interactive: false,
 *   color: false,
 * });
 * assert.equal(status, 0);
 * assert.deepEqual(JSON.parse(stdout), []);
 *
 * await Deno.remove(home, { recursive: true });
 * ```
 *
 * @param args Arguments after the program name.
 * @param io Where output goes; standard output and error by default.
 * @returns 0 on success, 1 when an operation failed, 2 on a usage error.
 */
export async function main(
  args: string[],
  io: CliIo = processIo,
): Promise<number> {
  const command = args[0];
  try {
    if (command === undefined) {
      io.stderr(MAIN_HELP);
      return 2;
    }
    if (command === "-h" || command === "--help" || command === "help") {
      io.stdout(MAIN_HELP);
      return 0;
    }
    const rest = args.slice(1);
    switch (command) {
      case "create":
        return await runCreate(rest, io);
      case "ls":
      case "list":
        return await runList(rest, io);
      case "inspect":
        return await runInspect(rest, io);
      case "rm":
      case "remove":
        return await runRemove(rest, io);
      case "prune":
        return await runPrune(rest, io);
      default:
        throw new UsageError(`Unknown command '${command}'`, null);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      const help = err.command === null
        ? `${PROGRAM} --help`
        : `${PROGRAM} ${err.command} --help`;
      io.stderr(`${errorLabel(io)} ${err.message}\nRun '${help}' for usage.\n`);
      return 2;
    }
    io.stderr(`${errorLabel(io)} ${errorMessage(err)}\n`);
    return 1;
  } finally {
    closeBackends();
  }
}

async function runCreate(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse("create", args, {
    kind: { type: "string" },
    size: { type: "string" },
    quota: { type: "string" },
    label: { type: "string", multiple: true },
    quiet: { type: "boolean", short: "q" },
  });
  if (values.help) return help("create", io);
  const name = onePositional("create", positionals, "NAME");
  const kind = values.kind ?? "dir";
  if (kind !== "dir" && kind !== "disk") {
    throw new UsageError(
      `Invalid --kind '${kind}': expected dir or disk`,
      "create",
    );
  }
  const config = usage("create", () =>
    resolveConfig({
      name,
      kind: kind as VolumeKind,
      sizeMib: values.size === undefined
        ? null
        : parseSizeOption("--size", values.size, MIN_DISK_SIZE_MIB),
      quotaMib: values.quota === undefined
        ? null
        : parseSizeOption("--quota", values.quota, 1),
      labels: (values.label ?? []).map(parseLabel),
    }));
  const progress = config.kind === "disk" && !values.quiet && io.interactive
    ? new ProgressLine(`Formatting ${config.name}`, io.stderr, io.color)
    : null;
  let info;
  try {
    info = await makeBackend(values.home).createVolume(config, {
      onProgress: progress === null
        ? undefined
        : (done, total) => progress.update(done, total),
    });
  } finally {
    progress?.finish();
  }
  if (!values.quiet) {
    io.stdout(`Created ${info.kind} volume ${info.name} at ${info.path}\n`);
  }
  return 0;
}

async function runList(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse("ls", args, {
    format: { type: "string" },
    quiet: { type: "boolean", short: "q" },
    filter: { type: "string", multiple: true },
  });
  if (values.help) return help("ls", io);
  noPositionals("ls", positionals);
  const format = values.format ?? "table";
  if (format !== "table" && format !== "json") {
    throw new UsageError(
      `Invalid --format '${format}': expected table or json`,
      "ls",
    );
  }
  const filters = (values.filter ?? []).map((text) => parseFilter("ls", text));

  // Names alone need no walk of every volume tree.
  const { volumes, leftovers } = await makeBackend(values.home).scanVolumes({
    measureUsage: !values.quiet,
  });
  const matching = volumes.filter((volume) =>
    matchesLabelFilters(volume.labels, filters)
  );

  for (const leftover of leftovers) {
    io.stderr(
      `${warningLabel(io)} ${leftover.description}${
        leftover.prunable && !leftover.inProgress
          ? ` Run '${PROGRAM} prune' to remove it.`
          : ""
      }\n`,
    );
  }

  if (values.quiet) {
    io.stdout(matching.map((volume) => `${volume.name}\n`).join(""));
  } else if (format === "json") {
    io.stdout(`${JSON.stringify(matching.map(toJson), null, 2)}\n`);
  } else {
    io.stdout(renderTable(matching));
  }
  return 0;
}

async function runInspect(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse("inspect", args, {});
  if (values.help) return help("inspect", io);
  const names = someNames("inspect", positionals);
  const backend = makeBackend(values.home);
  const found = [];
  let failed = false;
  for (const name of names) {
    try {
      found.push(toJson(await backend.getVolume(name)));
    } catch (err) {
      if (!(err instanceof MicrosandboxError)) throw err;
      io.stderr(`${errorLabel(io)} ${err.message}\n`);
      failed = true;
    }
  }
  io.stdout(`${JSON.stringify(found, null, 2)}\n`);
  return failed ? 1 : 0;
}

async function runRemove(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse("rm", args, {
    force: { type: "boolean", short: "f" },
    quiet: { type: "boolean", short: "q" },
  });
  if (values.help) return help("rm", io);
  const names = someNames("rm", positionals);
  const backend = makeBackend(values.home);
  let failed = false;
  for (const name of names) {
    try {
      await backend.removeVolume(name, { force: values.force === true });
      if (!values.quiet) io.stdout(`Removed volume ${name}\n`);
    } catch (err) {
      if (!(err instanceof MicrosandboxError)) throw err;
      io.stderr(`${errorLabel(io)} ${err.message}\n`);
      failed = true;
    }
  }
  return failed ? 1 : 0;
}

async function runPrune(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse("prune", args, {
    "dry-run": { type: "boolean" },
    filter: { type: "string", multiple: true },
    quiet: { type: "boolean", short: "q" },
  });
  if (values.help) return help("prune", io);
  noPositionals("prune", positionals);
  const filters = (values.filter ?? []).map((text) =>
    parseFilter("prune", text)
  );
  const dryRun = values["dry-run"] === true;
  const backend = makeBackend(values.home);
  const report = await backend.prune({ dryRun, labels: filters });
  for (const message of report.errors) {
    io.stderr(`${errorLabel(io)} ${message}\n`);
  }
  const status = report.errors.length === 0 ? 0 : 1;
  if (values.quiet) return status;
  const verb = dryRun ? "Would remove" : "Removed";
  for (const leftover of report.leftovers) {
    io.stdout(`${verb} leftover: ${leftover.description}\n`);
  }
  for (const name of report.volumes) {
    io.stdout(`${verb} volume ${name}\n`);
  }
  for (const name of report.inUse) {
    io.stdout(`Kept volume ${name}: it is in use\n`);
  }
  if (
    report.leftovers.length === 0 && report.volumes.length === 0 &&
    report.inUse.length === 0
  ) {
    io.stdout("Nothing to prune.\n");
  }
  return status;
}

/** Parses the arguments of `command` with its options and the common ones. */
function parse<T extends ParseArgsOptionsConfig>(
  command: string,
  args: string[],
  options: T,
) {
  try {
    return parseArgs({
      args,
      options: { ...COMMON_OPTIONS, ...options },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    throw new UsageError(
      errorMessage(err).replace(/\. To specify a positional.*$/s, ""),
      command,
    );
  }
}

function help(command: string, io: CliIo): number {
  io.stdout(COMMAND_HELP[command]);
  return 0;
}

function onePositional(
  command: string,
  positionals: string[],
  argument: string,
): string {
  if (positionals.length === 0) {
    throw new UsageError(`Missing argument ${argument}`, command);
  }
  if (positionals.length > 1) {
    throw new UsageError(
      `Unexpected argument '${
        positionals[1]
      }': ${command} takes one ${argument}`,
      command,
    );
  }
  return positionals[0];
}

function noPositionals(command: string, positionals: string[]): void {
  if (positionals.length > 0) {
    throw new UsageError(`Unexpected argument '${positionals[0]}'`, command);
  }
}

/** Checks every name before any is used, so bad input changes nothing. */
function someNames(command: string, positionals: string[]): string[] {
  if (positionals.length === 0) {
    throw new UsageError("Missing argument NAME", command);
  }
  usage(command, () => positionals.forEach(validateName));
  return positionals;
}

function parseFilter(command: string, text: string): [string, string | null] {
  if (!text.startsWith("label=") || text.length === "label=".length) {
    throw new UsageError(
      `Invalid --filter '${text}': expected label=KEY or label=KEY=VALUE`,
      command,
    );
  }
  const body = text.slice("label=".length);
  const at = body.indexOf("=");
  return at < 0 ? [body, null] : [body.slice(0, at), body.slice(at + 1)];
}

/**
 * Parses a size option and checks its range, so that an error quotes the
 * value as the user typed it.
 */
function parseSizeOption(flag: string, text: string, min: number): number {
  const mib = parseSize(text);
  if (mib < min || mib > MAX_SIZE_MIB) {
    throw new InvalidConfigError(
      `Invalid ${flag} ${JSON.stringify(text)}: expected ${min}M to 16T ` +
        `minus 1M (${MAX_SIZE_MIB}M).`,
    );
  }
  return mib;
}

/** Runs argument checks, turning an invalid value into a usage error. */
function usage<T>(command: string, check: () => T): T {
  try {
    return check();
  } catch (err) {
    if (err instanceof InvalidConfigError) {
      throw new UsageError(err.message, command);
    }
    throw err;
  }
}

function errorLabel(io: CliIo): string {
  return io.color ? "\x1b[31merror:\x1b[0m" : "error:";
}

function warningLabel(io: CliIo): string {
  return io.color ? "\x1b[33mwarning:\x1b[0m" : "warning:";
}

/** Backends that a command opened, closed when it ends. */
const openBackends: LocalBackend[] = [];

function makeBackend(home: string | undefined): VolumeBackend {
  const backend = new LocalBackend({ home });
  openBackends.push(backend);
  return backend;
}

/**
 * Closes the database connections, so that SQLite folds its write-ahead
 * log into the database file and a plain copy of the file is complete.
 */
function closeBackends(): void {
  for (const backend of openBackends.splice(0)) backend.close();
}

function errorMessage(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.replace(/\s*\n\s*/g, " ");
}

function writeAll(target: typeof Deno.stdout, text: string): void {
  const bytes = encoder.encode(text);
  let offset = 0;
  try {
    while (offset < bytes.length) {
      offset += target.writeSync(bytes.subarray(offset));
    }
  } catch (err) {
    // A reader that stops early, as in `ls | head -1`, closes the pipe.
    // Exit quietly with the status of a process killed by SIGPIPE.
    if (err instanceof Deno.errors.BrokenPipe) Deno.exit(141);
    throw err;
  }
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
