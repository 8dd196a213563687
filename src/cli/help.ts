/**
 * Help texts of the command line, one per command, in the fixed order
 * usage, description, arguments, options, examples.
 *
 * @module
 */

/** Name of the installed command. */
export const PROGRAM = "msb-volume";

/** Help of the program itself. */
export const MAIN_HELP = `Usage: ${PROGRAM} <command> [options]

Manage microsandbox volumes: named host directories (dir) and sparse ext4
disk images (disk) under $MSB_HOME/volumes (default ~/.microsandbox), with
their metadata in $MSB_HOME/db/msb.db.

Commands:
  create NAME       Create a volume
  ls, list          List volumes
  inspect NAME...   Print volumes as JSON
  rm NAME...        Remove volumes and their data
  prune             Remove leftovers of interrupted operations

Options:
  --home DIR        Home directory (default: $MSB_HOME, else ~/.microsandbox)
  -h, --help        Show this help

Run '${PROGRAM} <command> --help' for the options of a command.
`;

/** Help of each command. */
export const COMMAND_HELP: Record<string, string> = {
  create: `Usage: ${PROGRAM} create NAME [options]

Create a volume. A dir volume is a host directory; a disk volume is a sparse
raw ext4 image (disk.raw) that occupies host disk only as it fills.

Arguments:
  NAME                  Letters, digits, '.', '-' and '_', starting with a
                        letter or digit; at most 128 characters

Options:
  --kind dir|disk       Volume kind (default: dir)
  --size SIZE           Size of a disk volume, required for disk; 8M to 16T
                        minus 1M. SIZE is a whole number with an optional
                        binary unit M, G or T (a bare number means MiB)
  --quota SIZE          Quota of a dir volume; same units as --size
  --label KEY=VALUE     Add a label; repeatable. The first '=' splits key
                        from value; a repeated key keeps the last value
  -q, --quiet           Print nothing on success
  --home DIR            Home directory (default: $MSB_HOME)
  -h, --help            Show this help

Examples:
  ${PROGRAM} create cache
  ${PROGRAM} create pgdata --kind disk --size 20G --label owner=db
`,
  ls: `Usage: ${PROGRAM} ls [options]

List volumes, newest first. Leftovers of interrupted operations and
entries that are not volumes are reported on standard error, each with what
to do about it.

Options:
  --format table|json      Output format (default: table). SIZE is the disk
                           size or the quota; USED is host disk in use
  -q, --quiet              Print names only, one per line
  --filter label=KEY[=VALUE]
                           Show only volumes with the label (and value);
                           repeatable, every filter must match
  --home DIR               Home directory (default: $MSB_HOME)
  -h, --help               Show this help

Examples:
  ${PROGRAM} ls
  ${PROGRAM} ls --format json --filter label=owner=db
`,
  inspect: `Usage: ${PROGRAM} inspect NAME... [options]

Print a JSON array that describes each volume. Sizes are in bytes, except
quotaMib in MiB; createdAt is an ISO 8601 time in UTC.

Arguments:
  NAME...               One or more volume names

Options:
  --home DIR            Home directory (default: $MSB_HOME)
  -h, --help            Show this help

Examples:
  ${PROGRAM} inspect cache pgdata
`,
  rm: `Usage: ${PROGRAM} rm NAME... [options]

Remove volumes and their data. Every name that can be removed is removed;
each failure is reported on standard error, and the exit status is 1 if any
failed. A volume that a process holds locked is in use and kept, unless
--force is given.

Arguments:
  NAME...               One or more volume names

Options:
  -f, --force           Remove volumes even while they are in use
  -q, --quiet           Print nothing on success
  --home DIR            Home directory (default: $MSB_HOME)
  -h, --help            Show this help

Examples:
  ${PROGRAM} rm cache
  ${PROGRAM} rm -f pgdata scratch
`,
  prune: `Usage: ${PROGRAM} prune [options]

Remove what interrupted creates and removes left behind: staging and
half-removed directories, volume directories whose operation was recorded
but not finished, and rows whose directory is gone. A directory without a
row and without such a record, as after the database was replaced, may hold
data and is kept. With --filter, also remove every volume that matches the
labels and that no process holds locked; volumes in use are kept and named.

Options:
  --dry-run             Print what would be removed; remove nothing
  --filter label=KEY[=VALUE]
                        Also remove unused volumes with the label (and
                        value); repeatable, every filter must match
  -q, --quiet           Print nothing
  --home DIR            Home directory (default: $MSB_HOME)
  -h, --help            Show this help

Examples:
  ${PROGRAM} prune --dry-run
  ${PROGRAM} prune --filter label=tmp
`,
};
COMMAND_HELP.list = COMMAND_HELP.ls;
