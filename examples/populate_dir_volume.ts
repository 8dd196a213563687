// deno-lint-ignore-file no-console
/**
 * Creates a directory volume, fills it before any sandbox starts, reads it
 * back and removes it.
 *
 * Run: `deno run --allow-read --allow-write examples/populate_dir_volume.ts`
 *
 * The example works in a temporary home so that it leaves nothing behind;
 * drop the `setDefaultBackend` line to use `$MSB_HOME`.
 *
 * @module
 */

import { LocalBackend, setDefaultBackend, Volume } from "../mod.ts";

const home = await Deno.makeTempDir({ prefix: "msb-example-" });
setDefaultBackend(new LocalBackend({ home }));

try {
  const volume = await Volume.builder("site")
    .quota(256)
    .label("app", "web")
    .create();
  const files = volume.fs();

  await files.write("index.html", "<h1>Hello from a volume</h1>\n");
  await files.mkdir("assets/css");
  await files.write("assets/css/site.css", "h1 { color: teal; }\n");

  // Stream a larger file in chunks instead of building it in memory.
  const sink = await files.writeStream("logs/seed.log");
  for (let line = 0; line < 1000; line++) {
    await sink.write(`line ${line}\n`);
  }
  await sink.close();

  for (const entry of await files.list("")) {
    console.log(`${entry.kind.padEnd(9)} ${entry.path}`);
  }
  console.log(await files.readToString("index.html"));

  const handle = await Volume.get("site");
  console.log(`${handle.name} uses ${handle.usedBytes} bytes on the host`);

  await handle.remove();
} finally {
  await Deno.remove(home, { recursive: true });
}
