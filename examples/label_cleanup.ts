// deno-lint-ignore-file no-console
/**
 * Labels volumes, lists them by label, and removes the unused ones with a
 * label filter in the manner of `docker volume prune --filter`.
 *
 * Run: `deno run --allow-read --allow-write examples/label_cleanup.ts`
 *
 * @module
 */

import { LocalBackend, setDefaultBackend, Volume } from "../mod.ts";

const home = await Deno.makeTempDir({ prefix: "msb-example-" });
setDefaultBackend(new LocalBackend({ home }));

try {
  await Volume.builder("ci-cache-1").label("purpose", "ci").create();
  await Volume.builder("ci-cache-2").label("purpose", "ci").create();
  await Volume.builder("ci-cache-3").label("purpose", "ci").create();
  await Volume.builder("userdata").label("purpose", "prod").create();

  const ci = (await Volume.list()).filter((handle) =>
    handle.labels.some(([key, value]) => key === "purpose" && value === "ci")
  );
  console.log("ci volumes:", ci.map((handle) => handle.name).join(", "));

  // A running sandbox has locked ci-cache-3, so prune keeps it.
  const busy = await Volume.get("ci-cache-3");
  await using _lock = await busy.lock();

  const preview = await Volume.prune({
    dryRun: true,
    labels: [["purpose", "ci"]],
  });
  console.log("would remove:", preview.volumes.join(", "));

  const report = await Volume.prune({ labels: [["purpose", "ci"]] });
  console.log("removed:", report.volumes.join(", "));
  console.log(
    "left:",
    (await Volume.list()).map((handle) => handle.name).join(", "),
  );
} finally {
  await Deno.remove(home, { recursive: true });
}
