import assert from "node:assert/strict";

/** Runs an example with exactly the permissions its header documents. */
async function runExample(
  file: string,
  permissions: string[],
): Promise<string> {
  const path = new URL(`../examples/${file}`, import.meta.url).pathname;
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", ...permissions, path],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(output.stdout);
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 0, `${file} failed: ${stderr}`);
  return stdout;
}

Deno.test("example populate_dir_volume runs", async () => {
  const output = await runExample("populate_dir_volume.ts", [
    "--allow-read",
    "--allow-write",
  ]);
  assert.match(
    output,
    /^directory assets\nfile +index\.html\ndirectory logs\n/,
  );
  assert.match(output, /<h1>Hello from a volume<\/h1>/);
  assert.match(output, /site uses \d+ bytes on the host/);
});

Deno.test("example disk_volume_mount runs", async () => {
  const output = await runExample("disk_volume_mount.ts", [
    "--allow-read",
    "--allow-write",
    "--allow-run",
  ]);
  assert.match(output, /disk\.raw: 1073741824 bytes long, \d+ bytes allocated/);
  if (Deno.uid() === 0) {
    assert.match(output, /written by Linux/);
    assert.match(output, /e2fsck: image is clean/);
  }
});

Deno.test("example label_cleanup runs", async () => {
  const output = await runExample("label_cleanup.ts", [
    "--allow-read",
    "--allow-write",
  ]);
  assert.match(output, /ci volumes: ci-cache-3, ci-cache-2, ci-cache-1\n/);
  assert.match(output, /would remove: ci-cache-2, ci-cache-1\n/);
  assert.match(output, /removed: ci-cache-2, ci-cache-1\n/);
  assert.match(output, /left: userdata, ci-cache-3\n/);
});
