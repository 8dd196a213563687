// Checks that the committed src/ext4/ext4.wasm (and its base64 copy) were
// built from the current sources in wasm/, and runs the crate's own tests.
//
// Run with: deno test --allow-all tests/ext4_*.ts

import assert from "node:assert/strict";
import { EXT4_WASM_BASE64 } from "../src/ext4/_ext4_wasm.ts";

const REPO = new URL("../", import.meta.url);
const REBUILD = "run scripts/build_wasm.sh and commit src/ext4/ext4.wasm " +
  "and src/ext4/_ext4_wasm.ts";

/**
 * Recomputes the source hash as scripts/build_wasm.sh does: SHA-256 over
 * wasm/Cargo.toml, wasm/src/*.rs and scripts/build_wasm.sh in byte order
 * of their paths, each as "<path>\n<size>\n" followed by its bytes.
 */
async function sourceHash(): Promise<string> {
  const paths = ["wasm/Cargo.toml", "scripts/build_wasm.sh"];
  for await (const entry of Deno.readDir(new URL("wasm/src/", REPO))) {
    if (entry.isFile && entry.name.endsWith(".rs")) {
      paths.push(`wasm/src/${entry.name}`);
    }
  }
  // Default sort compares UTF-16 code units, which for these ASCII paths
  // is the byte order of `LC_ALL=C sort`.
  paths.sort();
  const encoder = new TextEncoder();
  const parts: Uint8Array[] = [];
  for (const path of paths) {
    const bytes = await Deno.readFile(new URL(path, REPO));
    parts.push(encoder.encode(`${path}\n${bytes.length}\n`), bytes);
  }
  const input = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    input.set(part, offset);
    offset += part.length;
  }
  const digest = await crypto.subtle.digest("SHA-256", input);
  return Array.from(new Uint8Array(digest))
    .map((byte) => byte.toString(16).padStart(2, "0"))
    .join("");
}

async function committedModule(): Promise<Uint8Array<ArrayBuffer>> {
  return await Deno.readFile(new URL("src/ext4/ext4.wasm", REPO));
}

interface ModuleInfo {
  memory: WebAssembly.Memory;
  ext4_source_hash_ptr(): number;
  ext4_source_hash_len(): number;
  ext4_format_version(): number;
}

Deno.test("ext4.wasm is built from current sources", async () => {
  const bytes = await committedModule();
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
  const exports = instance.exports as unknown as ModuleInfo;
  const embedded = new TextDecoder().decode(
    new Uint8Array(
      exports.memory.buffer,
      exports.ext4_source_hash_ptr(),
      exports.ext4_source_hash_len(),
    ),
  );
  const expected = await sourceHash();
  assert.equal(
    embedded,
    expected,
    `src/ext4/ext4.wasm was built from other sources; ${REBUILD}`,
  );
});

Deno.test("_ext4_wasm.ts holds the same module", async () => {
  const bytes = await committedModule();
  const decoded = atob(EXT4_WASM_BASE64);
  assert.equal(decoded.length, bytes.length, `length differs; ${REBUILD}`);
  const same = bytes.every((byte, index) => decoded.charCodeAt(index) === byte);
  assert.ok(same, `src/ext4/_ext4_wasm.ts is stale; ${REBUILD}`);
});

Deno.test("ext4.wasm needs no imports", async () => {
  const module = new WebAssembly.Module(await committedModule());
  assert.deepEqual(WebAssembly.Module.imports(module), []);
  const exported = WebAssembly.Module.exports(module).map((e) => e.name);
  for (
    const name of [
      "memory",
      "ext4_format_version",
      "ext4_source_hash_ptr",
      "ext4_source_hash_len",
      "ext4_params_ptr",
      "ext4_format_begin",
      "ext4_format_next",
      "ext4_runs_ptr",
      "ext4_data_ptr",
      "ext4_total_bytes",
      "ext4_done_bytes",
    ]
  ) {
    assert.ok(exported.includes(name), `missing export ${name}`);
  }
});

Deno.test("ext4.wasm reports the crate's format version", async () => {
  const source = await Deno.readTextFile(
    new URL("wasm/src/constants.rs", REPO),
  );
  const match = /pub const FORMAT_VERSION: u32 = (\d+);/.exec(source);
  assert.ok(match, "FORMAT_VERSION not found in wasm/src/constants.rs");
  const instance = new WebAssembly.Instance(
    new WebAssembly.Module(await committedModule()),
    {},
  );
  const exports = instance.exports as unknown as ModuleInfo;
  assert.equal(exports.ext4_format_version(), Number(match[1]));
});

Deno.test("cargo test passes for the crate", async () => {
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command("cargo", {
      args: ["test", "--quiet", "--manifest-path", "wasm/Cargo.toml"],
      cwd: REPO,
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      // deno-lint-ignore no-console
      console.log("skipped: cargo is not installed");
      return;
    }
    throw error;
  }
  const decoder = new TextDecoder();
  assert.equal(
    output.code,
    0,
    `cargo test failed:\n${decoder.decode(output.stdout)}` +
      decoder.decode(output.stderr),
  );
});
