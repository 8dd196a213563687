import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url).pathname;

/** Serves the repository's files over HTTP on a free loopback port. */
function serveRepository(): Deno.HttpServer<Deno.NetAddr> {
  return Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (request) => {
      const path = decodeURIComponent(new URL(request.url).pathname);
      if (path.includes("..")) return new Response("bad path", { status: 400 });
      try {
        const body = await Deno.readFile(`${ROOT}${path.slice(1)}`);
        const type = path.endsWith(".ts")
          ? "application/typescript"
          : "application/octet-stream";
        return new Response(body, { headers: { "content-type": type } });
      } catch {
        return new Response("not found", { status: 404 });
      }
    },
  );
}

Deno.test("module formats when imported over HTTP", async () => {
  // As from a registry: the package's own files are not readable, so the
  // formatter must reach its WebAssembly through the module graph.
  const server = serveRepository();
  const base = `127.0.0.1:${server.addr.port}`;
  const dir = await Deno.makeTempDir({ prefix: "msb-remote-" });
  try {
    const script = `${dir}/format.ts`;
    await Deno.writeTextFile(
      script,
      `import { formatExt4 } from "http://${base}/mod.ts";\n` +
        `await formatExt4(Deno.args[0], { sizeBytes: 8 * 1024 * 1024 });\n`,
    );
    const output = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--quiet",
        "--reload",
        `--allow-import=${base}`,
        `--allow-read=${script}`,
        `--allow-write=${dir}`,
        script,
        `${dir}/disk.raw`,
      ],
      env: { DENO_DIR: `${dir}/deno-cache`, NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(
      output.code,
      0,
      new TextDecoder().decode(output.stderr),
    );
    assert.equal((await Deno.stat(`${dir}/disk.raw`)).size, 8 * 1024 * 1024);
  } finally {
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});
