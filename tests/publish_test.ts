// Checks what `deno publish` would ship and that the public API is
// documented: the package must carry everything that runs (the embedded
// WebAssembly above all), the Rust sources that rebuild it, and no tests,
// scripts or benchmarks.

import assert from "node:assert/strict";
import { type CommandResult, runCommand } from "./_tools.ts";

const REPO = new URL("../", import.meta.url);

type Output = CommandResult;

/** Runs `deno` with `args` in the repository, without colors. */
async function runDeno(args: string[]): Promise<Output> {
  return await runCommand(Deno.execPath(), {
    args,
    cwd: REPO,
    env: { NO_COLOR: "1" },
  });
}

/** Paths of the files under `dir`, relative to the repository, sorted. */
async function filesUnder(dir: string, suffix: string): Promise<string[]> {
  const paths: string[] = [];
  for await (const entry of Deno.readDir(new URL(dir, REPO))) {
    if (entry.isDirectory) {
      paths.push(...await filesUnder(`${dir}${entry.name}/`, suffix));
    } else if (entry.isFile && entry.name.endsWith(suffix)) {
      paths.push(`${dir}${entry.name}`);
    }
  }
  return paths.sort();
}

let published: Promise<string[]> | undefined;

/**
 * Files that `deno publish --dry-run` lists, relative to the repository.
 * The dry run takes seconds, so the tests share one.
 */
function publishedFiles(): Promise<string[]> {
  published ??= runPublishDryRun();
  return published;
}

async function runPublishDryRun(): Promise<string[]> {
  // --allow-dirty: the check is about the file list, and the working tree
  // of a developer is usually dirty. It needs no network access.
  const result = await runDeno(["publish", "--dry-run", "--allow-dirty"]);
  const output = result.stdout + result.stderr;
  assert.equal(result.code, 0, `deno publish --dry-run failed:\n${output}`);
  // Slow types fail the dry run; other findings are printed as warnings.
  assert.doesNotMatch(output, /warning/i, output);
  const prefix = REPO.href;
  const files: string[] = [];
  for (const match of output.matchAll(/^\s+(file:\/\/\S+) \(/gm)) {
    assert.ok(
      match[1].startsWith(prefix),
      `outside the repository: ${match[1]}`,
    );
    files.push(decodeURIComponent(match[1].slice(prefix.length)));
  }
  assert.ok(files.length > 0, `no file list in the output:\n${output}`);
  return files;
}

Deno.test("publish dry run ships runtime files", async () => {
  const files = new Set(await publishedFiles());
  const required = [
    "README.md",
    "deno.json",
    "mod.ts",
    "src/ext4/_ext4_wasm.ts",
    "src/ext4/ext4.wasm",
    ...await filesUnder("src/", ".ts"),
  ];
  for (const path of required) {
    assert.ok(files.has(path), `${path} is not published`);
  }
});

Deno.test("publish dry run ships wasm sources", async () => {
  const files = new Set(await publishedFiles());
  // The module embeds a hash of exactly these files, so a user can rebuild
  // it with scripts/build_wasm.sh and compare.
  const required = [
    "wasm/Cargo.toml",
    "wasm/Cargo.lock",
    "scripts/build_wasm.sh",
    ...await filesUnder("wasm/src/", ".rs"),
  ];
  for (const path of required) {
    assert.ok(files.has(path), `${path} is not published`);
  }
});

Deno.test("publish dry run leaves out dev files", async () => {
  const files = await publishedFiles();
  const excluded = [
    /^tests\//,
    /^bench\//,
    /^docs\/bench\//,
    /^\.ci\//,
    /^wasm\/target\//,
    /^scripts\/(?!build_wasm\.sh$)/,
  ];
  for (const path of files) {
    for (const pattern of excluded) {
      assert.doesNotMatch(path, pattern, `${path} is published`);
    }
  }
});

Deno.test("deno doc --lint reports nothing", async () => {
  const result = await runDeno(["doc", "--lint", "mod.ts", "src/cli/main.ts"]);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.doesNotMatch(result.stdout + result.stderr, /error/);
});

interface JsDocTag {
  kind: string;
  doc?: string;
}

interface JsDoc {
  doc?: string;
  tags?: JsDocTag[];
}

interface Member {
  name?: string;
  jsDoc?: JsDoc;
  accessibility?: string;
}

interface Declaration {
  kind: string;
  jsDoc?: JsDoc;
  def?: {
    constructors?: Member[];
    methods?: Member[];
    properties?: Member[];
    callSignatures?: Member[];
  };
}

interface DocJson {
  nodes: Record<string, {
    symbols?: { name: string; declarations: Declaration[] }[];
  }>;
}

/** Problems with the `@example` tags of one symbol, empty when fine. */
function exampleProblems(name: string, jsDoc: JsDoc | undefined): string[] {
  const examples = (jsDoc?.tags ?? []).filter((tag) => tag.kind === "example");
  if (examples.length === 0) return [`${name}: no @example`];
  const problems: string[] = [];
  for (const example of examples) {
    const doc = example.doc ?? "";
    if (doc.startsWith("```") || doc.trim() === "") {
      problems.push(`${name}: @example without a title`);
    }
    if (!/```(ts|sh)/.test(doc)) {
      problems.push(`${name}: @example without a ts or sh code block`);
    }
  }
  return problems;
}

// These are the rules of the Deno standard library's documentation check.
// Every exported symbol, and every public method and property of an
// exported class, has a titled example. Constructors and interface members
// need documentation but no example of their own.
Deno.test("every public symbol has an example", async () => {
  const result = await runDeno([
    "doc",
    "--json",
    "mod.ts",
    "src/cli/main.ts",
  ]);
  assert.equal(result.code, 0, result.stderr);
  const json = JSON.parse(result.stdout) as DocJson;
  const problems: string[] = [];
  let symbols = 0;
  for (const node of Object.values(json.nodes)) {
    for (const symbol of node.symbols ?? []) {
      for (const declaration of symbol.declarations) {
        symbols++;
        problems.push(...exampleProblems(symbol.name, declaration.jsDoc));
        const def = declaration.def ?? {};
        if (declaration.kind === "class") {
          for (
            const member of [...def.methods ?? [], ...def.properties ?? []]
          ) {
            if (member.accessibility === "private") continue;
            problems.push(
              ...exampleProblems(`${symbol.name}.${member.name}`, member.jsDoc),
            );
          }
          for (const constructor of def.constructors ?? []) {
            if (constructor.accessibility === "private") continue;
            if (!constructor.jsDoc?.doc) {
              problems.push(`${symbol.name}: constructor without a summary`);
            }
          }
        }
        if (declaration.kind === "interface") {
          for (
            const member of [...def.methods ?? [], ...def.properties ?? []]
          ) {
            if (!member.jsDoc?.doc) {
              problems.push(`${symbol.name}.${member.name}: no documentation`);
            }
          }
        }
      }
    }
  }
  assert.ok(symbols > 50, `only ${symbols} symbols found`);
  assert.deepEqual(problems, []);
});

// deno.json leaves README.md out of `deno test --doc`, because its example
// works on the default home, ~/.microsandbox. Type-checking still catches
// an example that no longer matches the API.
Deno.test("README examples type-check", async () => {
  const result = await runDeno(["check", "--doc-only", "README.md"]);
  assert.equal(result.code, 0, result.stdout + result.stderr);
});

Deno.test("formatExt4 needs no read permission", async () => {
  // The WebAssembly module comes from _ext4_wasm.ts, a TypeScript module,
  // so formatting needs write access to the image and nothing else: no
  // --allow-read for a .wasm file and no --allow-net to fetch one.
  // `deno eval` would grant every permission, so the script is a file;
  // loading it needs no permission either.
  const dir = await Deno.makeTempDir({ prefix: "msb-publish-test-" });
  try {
    const modUrl = new URL("mod.ts", REPO).href;
    await Deno.writeTextFile(
      `${dir}/format.ts`,
      `import { formatExt4 } from ${JSON.stringify(modUrl)};\n` +
        "await formatExt4(Deno.args[0], { sizeBytes: 8 * 1024 * 1024 });\n",
    );
    await Deno.mkdir(`${dir}/out`);
    const result = await runDeno([
      "run",
      "--no-prompt",
      `--allow-write=${dir}/out`,
      `${dir}/format.ts`,
      `${dir}/out/disk.raw`,
    ]);
    assert.equal(result.code, 0, result.stderr);
    const { size } = await Deno.stat(`${dir}/out/disk.raw`);
    assert.equal(size, 8 * 1024 * 1024);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
