/**
 * Benchmarks of the volume lifecycle on a {@linkcode LocalBackend} in a
 * temporary home: `Volume.list()` against a bare `SELECT`, creating and
 * removing `dir` volumes against `mkdir` + `INSERT` and `rmdir` +
 * `DELETE`, and creating a 20 GiB `disk` volume against mkfs.ext4.
 *
 * @module
 */

import { DatabaseSync } from "node:sqlite";
import { gib, LocalBackend, setDefaultBackend, Volume } from "../../mod.ts";
import { Store } from "../../src/store.ts";
import { measureUsedBytes } from "../../src/usage.ts";
import { timeMkfs } from "../bench_format.ts";
import {
  type CaseReport,
  formatCount,
  formatNumber,
  formatSummary,
} from "./report.ts";
import { seedVolumes } from "./seed.ts";
import { alternate, summarize, type Summary, timeMs } from "./stats.ts";

/** Columns that `Store.list()` reads from a table that has them all. */
const LIST_COLUMNS =
  "id, name, kind, quota_mib, capacity_bytes, disk_format, disk_fstype, labels, created_at";
const LIST_TARGET_MS = 50;
const CREATE_REMOVE_TARGET = 3;

/** Options of {@linkcode benchList}. */
export interface ListOptions {
  /** Number of volumes in the home. */
  readonly count: number;
  /** Rounds. */
  readonly rounds: number;
}

/** Runs `du -s --block-size=1` on `path`; `null` when `du` is missing. */
async function timeDu(path: string): Promise<number | null> {
  const started = performance.now();
  try {
    const result = await new Deno.Command("du", {
      args: ["-s", "--block-size=1", path],
      stdout: "null",
      stderr: "piped",
    }).output();
    if (!result.success) {
      throw new Error(
        `du -s ${path} failed: ${new TextDecoder().decode(result.stderr)}`,
      );
    }
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    throw err;
  }
  return performance.now() - started;
}

/**
 * Measures `Volume.list()` on a home with `count` `dir` volumes against a
 * bare `SELECT` of the same rows through `node:sqlite`, and breaks the
 * list down into its parts.
 *
 * @param options Volume count and rounds.
 * @returns One row, the target sentence and a breakdown section.
 * @throws {Error} If the list or the select returns another count.
 */
export async function benchList(options: ListOptions): Promise<CaseReport> {
  const { count, rounds } = options;
  const home = await Deno.makeTempDir({ prefix: "msb-bench-list-" });
  const backend = new LocalBackend({ home });
  const databasePath = `${home}/db/msb.db`;
  let db: DatabaseSync | null = null;
  let store: Store | null = null;
  try {
    const names = seedVolumes(home, count);
    const dirs = names.map((name) => `${home}/volumes/${name}`);
    setDefaultBackend(backend);
    db = new DatabaseSync(databasePath, { readOnly: true });
    const select = db.prepare(
      `SELECT ${LIST_COLUMNS} FROM volume ORDER BY created_at DESC, id DESC`,
    );
    store = Store.openForWrite(databasePath);
    const openedStore = store;

    const checkCount = (source: string, found: number) => {
      if (found !== count) {
        throw new Error(
          `${source} returned ${found} volumes, expected ${count}.`,
        );
      }
    };
    // Warm up the JIT, the statement caches and the page cache.
    checkCount("Volume.list()", (await Volume.list()).length);
    checkCount("SELECT", select.all().length);

    const main = await alternate(
      rounds,
      async () => {
        let found = 0;
        const ms = await timeMs(async () => {
          found = (await Volume.list()).length;
        });
        checkCount("Volume.list()", found);
        return ms;
      },
      () => {
        let found = 0;
        const ms = timeMsSync(() => {
          found = select.all().length;
        });
        checkCount("SELECT", found);
        return Promise.resolve(ms);
      },
    );

    // The parts of a list, each measured on its own in every round.
    const storeList: number[] = [];
    const usage: number[] = [];
    const readVolumesDir: number[] = [];
    const du: number[] = [];
    for (let round = 0; round < rounds; round++) {
      storeList.push(timeMsSync(() => openedStore.list()));
      usage.push(timeMsSync(() => {
        for (const dir of dirs) measureUsedBytes(dir);
      }));
      readVolumesDir.push(timeMsSync(() => {
        for (const _ of Deno.readDirSync(`${home}/volumes`)) {
          // Only the iteration is timed.
        }
      }));
      const duMs = await timeDu(`${home}/volumes`);
      if (duMs !== null) du.push(duMs);
    }

    const list = summarize(main.case);
    const bare = summarize(main.reference);
    const parts = {
      storeList: summarize(storeList),
      usage: summarize(usage),
      readVolumesDir: summarize(readVolumesDir),
      du: du.length > 0 ? summarize(du) : null,
    };
    const met = list.median <= LIST_TARGET_MS;
    return {
      rows: [{
        name: "Volume.list()",
        workload: `${formatCount(count)} dir volumes`,
        reference: "bare SELECT via node:sqlite",
        unit: "ms",
        value: list,
        referenceValue: bare,
        ratio: list.median / bare.median,
        target: { text: `≤ ${LIST_TARGET_MS} ms`, met },
      }],
      targets: [listSentence(count, met, list, bare, parts)],
      section: listSection(count, list, bare, parts),
    };
  } finally {
    setDefaultBackend(null);
    store?.close();
    db?.close();
    backend.close();
    await Deno.remove(home, { recursive: true });
  }
}

/** Measured parts of a list. */
interface ListParts {
  readonly storeList: Summary;
  readonly usage: Summary;
  readonly readVolumesDir: Summary;
  readonly du: Summary | null;
}

function timeMsSync(work: () => unknown): number {
  const started = performance.now();
  work();
  return performance.now() - started;
}

function ms(value: number): string {
  return `${formatNumber(value)} ms`;
}

function listSentence(
  count: number,
  met: boolean,
  list: Summary,
  bare: Summary,
  parts: ListParts,
): string {
  const head = `\`Volume.list()\` of ${formatCount(count)} volumes at most ` +
    `${LIST_TARGET_MS} ms: ${met ? "met" : "missed"}, ${ms(list.median)} ` +
    `(${formatNumber(list.median / bare.median)} × the bare SELECT's ` +
    `${ms(bare.median)}).`;
  if (met) return head;
  let duText = "";
  if (parts.du !== null) {
    duText = ` \`du -s\`, a C program, needs ${ms(parts.du.median)} for ` +
      `the same walk, process start included`;
    duText += parts.du.median > LIST_TARGET_MS
      ? `, so the system calls alone exceed ${LIST_TARGET_MS} ms on this ` +
        `machine.`
      : ".";
  }
  return `${head} Measuring \`usedBytes\` takes ` +
    `${ms(parts.usage.median)} of it: an \`lstat\` and a \`readDir\` of ` +
    `every volume directory. Both are needed, because \`usedBytes\` is the ` +
    `allocated bytes measured when the handle is made, and on ext4 a ` +
    `directory's own size does not show whether it has entries.${duText} The store's SELECT and decode ` +
    `take ${ms(parts.storeList.median)} and reading the volumes directory ` +
    `${ms(parts.readVolumesDir.median)}. Callers that need no usage skip ` +
    `the walk with \`scanVolumes({ measureUsage: false })\`, as the ` +
    `command line's \`ls -q\` does. \`Volume.list()\` keeps measuring, ` +
    `because \`usedBytes\` belongs to every handle in the microsandbox ` +
    `SDK; a lazy \`usedBytes\` would change when it is measured.`;
}

function listSection(
  count: number,
  list: Summary,
  bare: Summary,
  parts: ListParts,
): string {
  const rest = list.median - parts.storeList.median - parts.usage.median -
    parts.readVolumesDir.median;
  const rows = [
    ["`Volume.list()`, the whole call", list],
    ["bare `SELECT` of the same rows (the reference)", bare],
    ["`Store.list()`: the SELECT and decoding the rows", parts.storeList],
    [
      "`measureUsedBytes()` of every volume directory (`lstat` + `readDir`)",
      parts.usage,
    ],
    [
      "`readDir` of the volumes directory, to find leftovers",
      parts.readVolumesDir,
    ],
  ] as const;
  const lines = [
    "## Volume.list() breakdown",
    "",
    `A home with ${formatCount(count)} \`dir\` volumes: rows inserted ` +
    `with node:sqlite in one transaction, each with its empty directory. ` +
    `Each part below is measured on its own, in every round, after the ` +
    `alternating rounds of the whole call and the bare SELECT.`,
    "",
    "| part | median (min–max) |",
    "| --- | --- |",
    ...rows.map(([label, summary]) =>
      `| ${label} | ${formatSummary(summary, "ms")} |`
    ),
  ];
  if (parts.du !== null) {
    lines.push(
      `| \`du -s --block-size=1\` of the volumes directory, process spawn ` +
        `included | ${formatSummary(parts.du, "ms")} |`,
    );
  }
  lines.push(
    "",
    `The medians of the parts leave ${ms(rest)} of the whole call for ` +
      `classifying the directory entries, building the handles and ` +
      `variation between the measurements.`,
    "",
  );
  return lines.join("\n");
}

/** Options of {@linkcode benchCreateRemove}. */
export interface CreateRemoveOptions {
  /** Volumes created and then removed per round. */
  readonly count: number;
  /** Rounds. */
  readonly rounds: number;
}

/**
 * Measures creating and removing `count` `dir` volumes with
 * `Volume.builder(name).create()` and `Volume.remove(name)` against
 * `mkdir` + a bare `INSERT` and `rmdir` + a bare `DELETE` on a database of
 * the same layout and settings (WAL). Each round uses fresh names. It also
 * measures the directory fsync that each create makes.
 *
 * @param options Volume count and rounds.
 * @returns Two rows, the target sentence and a section.
 */
export async function benchCreateRemove(
  options: CreateRemoveOptions,
): Promise<CaseReport> {
  const { count, rounds } = options;
  const home = await Deno.makeTempDir({ prefix: "msb-bench-create-" });
  const referenceHome = await Deno.makeTempDir({
    prefix: "msb-bench-create-ref-",
  });
  const backend = new LocalBackend({ home });
  let db: DatabaseSync | null = null;
  try {
    setDefaultBackend(backend);
    // The store makes the table and switches the file to WAL.
    Store.openForWrite(`${referenceHome}/db/msb.db`).close();
    const referenceVolumes = `${referenceHome}/volumes`;
    Deno.mkdirSync(referenceVolumes);
    db = new DatabaseSync(`${referenceHome}/db/msb.db`);
    const insert = db.prepare(
      "INSERT INTO volume (name, kind, labels, created_at, updated_at) " +
        "VALUES (?, 'dir', '[]', ?, ?)",
    );
    const remove = db.prepare("DELETE FROM volume WHERE name = ?");

    const names = (round: number) =>
      Array.from({ length: count }, (_, index) => `r${round}-v${index}`);
    const runCase = async (batch: string[]) => {
      const create = await timeMs(async () => {
        for (const name of batch) await Volume.builder(name).create();
      });
      const removal = await timeMs(async () => {
        for (const name of batch) await Volume.remove(name);
      });
      return { create, removal };
    };
    const runReference = (batch: string[]) => {
      const create = timeMsSync(() => {
        for (const name of batch) {
          Deno.mkdirSync(`${referenceVolumes}/${name}`);
          const now = new Date().toISOString();
          insert.run(name, now, now);
        }
      });
      const removal = timeMsSync(() => {
        for (const name of batch) {
          Deno.removeSync(`${referenceVolumes}/${name}`);
          remove.run(name);
        }
      });
      return { create, removal };
    };

    // Warm up both sides.
    await runCase(["warm-up"]);
    runReference(["warm-up"]);

    const series = {
      create: [] as number[],
      remove: [] as number[],
      referenceCreate: [] as number[],
      referenceRemove: [] as number[],
      fsyncs: [] as number[],
    };
    for (let round = 0; round < rounds; round++) {
      const batch = names(round);
      const sides = [
        async () => {
          const { create, removal } = await runCase(batch);
          series.create.push(create);
          series.remove.push(removal);
        },
        () => {
          const { create, removal } = runReference(batch);
          series.referenceCreate.push(create);
          series.referenceRemove.push(removal);
        },
      ];
      if (round % 2 === 1) sides.reverse();
      for (const side of sides) await side();
      series.fsyncs.push(timeDirectoryFsyncs(referenceVolumes, count));
    }
    const create = summarize(series.create);
    const removal = summarize(series.remove);
    const referenceCreate = summarize(series.referenceCreate);
    const referenceRemove = summarize(series.referenceRemove);
    const costs: CreateRemoveCosts = {
      count,
      create,
      removal,
      referenceCreate,
      referenceRemove,
      fsyncs: summarize(series.fsyncs),
    };
    const createRatio = create.median / referenceCreate.median;
    const removeRatio = removal.median / referenceRemove.median;
    const workload = `${formatCount(count)} dir volumes, one at a time`;
    return {
      rows: [{
        name: "create dir volumes",
        workload,
        reference: "mkdir + bare INSERT",
        unit: "ms",
        value: create,
        referenceValue: referenceCreate,
        ratio: createRatio,
        target: {
          text: `≤ ${CREATE_REMOVE_TARGET}`,
          met: createRatio <= CREATE_REMOVE_TARGET,
        },
      }, {
        name: "remove dir volumes",
        workload,
        reference: "rmdir + bare DELETE",
        unit: "ms",
        value: removal,
        referenceValue: referenceRemove,
        ratio: removeRatio,
        target: {
          text: `≤ ${CREATE_REMOVE_TARGET}`,
          met: removeRatio <= CREATE_REMOVE_TARGET,
        },
      }],
      targets: createRemoveSentences(costs),
      section: "",
    };
  } finally {
    setDefaultBackend(null);
    db?.close();
    backend.close();
    await Deno.remove(home, { recursive: true });
    await Deno.remove(referenceHome, { recursive: true });
  }
}

/**
 * Times the directory fsync that each create adds for durability: for each
 * of `count` new empty directories, renamed into `parent` as a volume is,
 * an fsync of `parent`. Making, renaming and removing the directories is
 * not timed.
 */
function timeDirectoryFsyncs(parent: string, count: number): number {
  let total = 0;
  for (let index = 0; index < count; index++) {
    const staging = `${parent}/.fsync-probe-${index}`;
    const dir = `${parent}/fsync-probe-${index}`;
    Deno.mkdirSync(staging);
    Deno.renameSync(staging, dir);
    total += timeMsSync(() => {
      using file = Deno.openSync(parent, { read: true });
      file.syncSync();
    });
    Deno.removeSync(dir);
  }
  return total;
}

/** Medians and costs measured by {@linkcode benchCreateRemove}. */
interface CreateRemoveCosts {
  /** Volumes per round. */
  readonly count: number;
  readonly create: Summary;
  readonly removal: Summary;
  readonly referenceCreate: Summary;
  readonly referenceRemove: Summary;
  /** One directory fsync per volume, for `count` volumes. */
  readonly fsyncs: Summary;
}

function createRemoveSentences(costs: CreateRemoveCosts): string[] {
  const { count, create, removal, fsyncs } = costs;
  const createRatio = create.median / costs.referenceCreate.median;
  const removeRatio = removal.median / costs.referenceRemove.median;

  let createSentence = `Create against \`mkdir\` + \`INSERT\` at most ` +
    `${CREATE_REMOVE_TARGET}: ${
      createRatio <= CREATE_REMOVE_TARGET ? "met" : "missed"
    }, ${formatNumber(createRatio)}.`;
  if (createRatio > CREATE_REMOVE_TARGET) {
    const withoutFsyncs = (create.median - fsyncs.median) /
      costs.referenceCreate.median;
    createSentence += ` Each create fsyncs the volumes directory after it ` +
      `renames the new volume into place, so that a volume whose row is ` +
      `committed survives a power loss. Those fsyncs take ` +
      `${ms(fsyncs.median)} for ${formatCount(count)} volumes in this run, ` +
      `and without them the ratio would be about ` +
      `${formatNumber(withoutFsyncs)}. They stay, because dropping them ` +
      `would trade crash safety for speed. The rest is a second commit, ` +
      `because create records its intent before it moves the volume into ` +
      `place, so that prune can tell what a killed create left from a ` +
      `directory that contains data. Then come the name lock, the checks ` +
      `that the name is free (a SELECT and an lstat) and the rename out of ` +
      `staging.`;
  }

  let removeSentence = `Remove against \`rmdir\` + \`DELETE\` at most ` +
    `${CREATE_REMOVE_TARGET}: ${
      removeRatio <= CREATE_REMOVE_TARGET ? "met" : "missed"
    }, ${formatNumber(removeRatio)}.`;
  if (removeRatio > CREATE_REMOVE_TARGET) {
    removeSentence += ` Beyond \`rmdir\` and \`DELETE\`, each remove ` +
      `takes the name lock and the volume's in-use lock, reads the row, ` +
      `records its intent with the delete, and renames the directory ` +
      `aside before deleting it, so that an interrupted remove leaves a ` +
      `leftover that prune finds.`;
  }
  return [createSentence, removeSentence];
}

/** Options of {@linkcode benchDiskCreate}. */
export interface DiskCreateOptions {
  /** Rounds. */
  readonly rounds: number;
}

/**
 * Measures `Volume.builder(name).disk().size(gib(20)).create()` end to end
 * against mkfs.ext4 on a fresh 20 GiB sparse file. Removing the volume
 * after each round is not timed.
 *
 * @param options Rounds.
 * @returns One row, reported without a target.
 * @throws {Error} If mkfs.ext4 is missing or fails.
 */
export async function benchDiskCreate(
  options: DiskCreateOptions,
): Promise<CaseReport> {
  const home = await Deno.makeTempDir({ prefix: "msb-bench-disk-" });
  const scratch = await Deno.makeTempDir({ prefix: "msb-bench-mkfs-" });
  const backend = new LocalBackend({ home });
  const sizeBytes = 20 * 1024 ** 3;
  try {
    setDefaultBackend(backend);
    let round = 0;
    const createOnce = async () => {
      const name = `disk-${round++}`;
      const ms = await timeMs(() =>
        Volume.builder(name).disk().size(gib(20)).create()
      );
      await Volume.remove(name);
      return ms;
    };
    // Starts the format worker and opens the database.
    await createOnce();
    let referenceRound = 0;
    const series = await alternate(options.rounds, createOnce, async () => {
      const path = `${scratch}/mkfs-${referenceRound++}.raw`;
      const ms = await timeMkfs(path, sizeBytes);
      await Deno.remove(path);
      return ms;
    });
    const value = summarize(series.case);
    const referenceValue = summarize(series.reference);
    return {
      rows: [{
        name: "create disk volume",
        workload: "Volume.builder().disk().size(gib(20)).create()",
        reference: "mkfs.ext4 process, 20 GiB",
        unit: "ms",
        value,
        referenceValue,
        ratio: value.median / referenceValue.median,
        target: null,
      }],
      targets: [],
      section: "",
    };
  } finally {
    setDefaultBackend(null);
    backend.close();
    await Deno.remove(home, { recursive: true });
    await Deno.remove(scratch, { recursive: true });
  }
}
