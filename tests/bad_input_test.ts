import assert from "node:assert/strict";
import {
  InvalidConfigError,
  MAX_SIZE_MIB,
  type VolumeConfig,
  VolumeHandle,
} from "../mod.ts";
import { snapshot, tempHome } from "./_helpers.ts";

const BAD_NAMES = [
  "",
  ".",
  "..",
  "-x",
  ".x",
  "a/b",
  "a\\b",
  "a b",
  "naïve",
  "日本",
  "x".repeat(129),
];

const BAD_NUMBERS = [
  0,
  -1,
  -1024,
  1.5,
  NaN,
  Infinity,
  -Infinity,
  MAX_SIZE_MIB + 1,
];

const BAD_CONFIGS: Array<[string, VolumeConfig]> = [
  ...BAD_NAMES.map((name): [string, VolumeConfig] => [
    `name ${JSON.stringify(name)}`,
    { name },
  ]),
  ...BAD_NUMBERS.map((value): [string, VolumeConfig] => [
    `quota ${value}`,
    { name: "q", quotaMib: value },
  ]),
  ...BAD_NUMBERS.map((value): [string, VolumeConfig] => [
    `size ${value}`,
    { name: "s", kind: "disk", sizeMib: value },
  ]),
  ["size 7 below the disk minimum", { name: "s", kind: "disk", sizeMib: 7 }],
  ["size as a string", {
    name: "s",
    kind: "disk",
    sizeMib: "1G" as unknown as number,
  }],
  ["dir with a size", { name: "d", sizeMib: 64 }],
  ["disk with a quota", {
    name: "d",
    kind: "disk",
    sizeMib: 64,
    quotaMib: 64,
  }],
  ["disk without a size", { name: "d", kind: "disk" }],
  ["empty label key", { name: "l", labels: [["", "v"]] }],
  ["label key with =", { name: "l", labels: [["a=b", "v"]] }],
  ["label key with a space", { name: "l", labels: [["a b", "v"]] }],
  ["label value with a newline", { name: "l", labels: [["k", "a\nb"]] }],
  ["label value too long", {
    name: "l",
    labels: [["k", "v".repeat(1025)]],
  }],
  ["label that is not a pair", {
    name: "l",
    labels: [["k"] as unknown as [string, string]],
  }],
];

Deno.test("createVolume() rejects bad input unchanged", async () => {
  await using temp = await tempHome();
  await temp.backend.createVolume({ name: "seed", labels: [["k", "v"]] });
  const before = snapshot(temp.home);
  for (const [what, config] of BAD_CONFIGS) {
    await assert.rejects(
      temp.backend.createVolume(config),
      InvalidConfigError,
      what,
    );
    assert.deepEqual(snapshot(temp.home), before, what);
  }
});

Deno.test("name lookups reject bad names unchanged", async () => {
  await using temp = await tempHome();
  await temp.backend.createVolume({ name: "seed" });
  const before = snapshot(temp.home);
  for (const name of BAD_NAMES) {
    const label = JSON.stringify(name);
    await assert.rejects(
      temp.backend.getVolume(name),
      InvalidConfigError,
      label,
    );
    await assert.rejects(
      temp.backend.removeVolume(name),
      InvalidConfigError,
      label,
    );
    await assert.rejects(
      temp.backend.removeVolume(name, { force: true }),
      InvalidConfigError,
      label,
    );
    await assert.rejects(
      temp.backend.lockVolume(name),
      InvalidConfigError,
      label,
    );
    assert.deepEqual(snapshot(temp.home), before, label);
  }
});

Deno.test("a traversal name never reaches the disk", async () => {
  await using temp = await tempHome();
  await Deno.mkdir(`${temp.home}/outside`);
  await Deno.writeTextFile(`${temp.home}/outside/keep`, "keep");
  for (const name of ["../outside", "../db", "/etc"]) {
    await assert.rejects(
      temp.backend.removeVolume(name, { force: true }),
      InvalidConfigError,
    );
  }
  assert.equal(await Deno.readTextFile(`${temp.home}/outside/keep`), "keep");
});

Deno.test("duplicate label keys keep the last value", async () => {
  await using temp = await tempHome();
  const info = await temp.backend.createVolume({
    name: "dup",
    labels: [["owner", "a"], ["team", "x"], ["owner", "b"]],
  });
  assert.deepEqual(info.labels, [["owner", "b"], ["team", "x"]]);
  const handle = new VolumeHandle(
    await temp.backend.getVolume("dup"),
    temp.backend,
  );
  assert.deepEqual(handle.labels, [["owner", "b"], ["team", "x"]]);
});
