import assert from "node:assert/strict";
import {
  InvalidConfigError,
  MAX_NAME_LENGTH,
  MAX_SIZE_MIB,
  parseLabel,
  resolveConfig,
  validateName,
  Volume,
} from "../mod.ts";

Deno.test("validateName() accepts the name alphabet", () => {
  for (
    const name of ["a", "0", "data", "my-vol_1.2", "A".repeat(MAX_NAME_LENGTH)]
  ) {
    validateName(name);
  }
});

Deno.test("validateName() rejects bad names", () => {
  const cases = [
    "",
    ".",
    "..",
    "-x",
    ".x",
    "_x",
    "a/b",
    "a\\b",
    "a b",
    " a",
    "a\n",
    "naïve",
    "a:b",
    "a\0b",
    "x".repeat(MAX_NAME_LENGTH + 1),
  ];
  for (const name of cases) {
    assert.throws(
      () => validateName(name),
      InvalidConfigError,
      JSON.stringify(name),
    );
  }
});

Deno.test("validateName() error names the value", () => {
  assert.throws(() => validateName("a/b"), (err: Error) => {
    assert.match(err.message, /"a\/b"/);
    assert.match(err.message, /letters, digits/);
    return true;
  });
});

Deno.test("parseLabel() splits at the first equals sign", () => {
  assert.deepEqual(parseLabel("a=b=c"), ["a", "b=c"]);
  assert.deepEqual(parseLabel("owner="), ["owner", ""]);
  assert.deepEqual(parseLabel("k=v with spaces"), ["k", "v with spaces"]);
});

Deno.test("parseLabel() rejects bad labels", () => {
  for (const text of ["=v", "novalue", "a b=c", "k=line\nbreak"]) {
    assert.throws(() => parseLabel(text), InvalidConfigError, text);
  }
});

Deno.test("resolveConfig() defaults to a dir volume", () => {
  assert.deepEqual(resolveConfig({ name: "a" }), {
    name: "a",
    kind: "dir",
    quotaMib: null,
    sizeMib: null,
    labels: [],
  });
});

Deno.test("resolveConfig() keeps the last duplicate label", () => {
  const config = resolveConfig({
    name: "a",
    labels: [["k", "1"], ["j", "2"], ["k", "3"]],
  });
  assert.deepEqual(config.labels, [["k", "3"], ["j", "2"]]);
});

Deno.test("resolveConfig() rejects bad sizes and quotas", () => {
  const bad: Array<[string, Parameters<typeof resolveConfig>[0]]> = [
    ["dir with size", { name: "a", sizeMib: 10 }],
    ["disk with quota", { name: "a", kind: "disk", sizeMib: 10, quotaMib: 5 }],
    ["disk without size", { name: "a", kind: "disk" }],
    ["disk below 8 MiB", { name: "a", kind: "disk", sizeMib: 7 }],
    ["disk above max", { name: "a", kind: "disk", sizeMib: MAX_SIZE_MIB + 1 }],
    ["zero quota", { name: "a", quotaMib: 0 }],
    ["negative quota", { name: "a", quotaMib: -1 }],
    ["fractional quota", { name: "a", quotaMib: 1.5 }],
    ["NaN quota", { name: "a", quotaMib: NaN }],
    ["Infinity quota", { name: "a", quotaMib: Infinity }],
    ["quota above max", { name: "a", quotaMib: MAX_SIZE_MIB + 1 }],
    ["string size", {
      name: "a",
      kind: "disk",
      sizeMib: "10" as unknown as number,
    }],
    ["unknown kind", { name: "a", kind: "tmpfs" as unknown as "dir" }],
    ["empty label key", { name: "a", labels: [["", "v"]] }],
    ["label pair too long", {
      name: "a",
      labels: [["a", "b", "c"] as unknown as [string, string]],
    }],
  ];
  for (const [what, config] of bad) {
    assert.throws(() => resolveConfig(config), InvalidConfigError, what);
  }
});

Deno.test("resolveConfig() error states both size limits", () => {
  assert.throws(
    () => resolveConfig({ name: "a", kind: "disk", sizeMib: 4 }),
    (err: Error) => {
      assert.match(err.message, /Invalid size 4/);
      assert.match(err.message, /from 8 to 16777215/);
      return true;
    },
  );
});

Deno.test("VolumeBuilder.build() returns the plain config", () => {
  const config = Volume.builder("pg").disk().size(2048).label("a", "1")
    .label("b", "").build();
  assert.deepEqual(config, {
    name: "pg",
    kind: "disk",
    quotaMib: null,
    sizeMib: 2048,
    labels: [["a", "1"], ["b", ""]],
  });
});

Deno.test("VolumeBuilder.build() checks in any call order", () => {
  assert.throws(
    () => Volume.builder("pg").quota(10).disk().size(100).build(),
    InvalidConfigError,
  );
  assert.throws(
    () => Volume.builder("pg").disk().size(100).directory().build(),
    InvalidConfigError,
  );
  const config = Volume.builder("pg").quota(5).disk().directory().build();
  assert.equal(config.kind, "dir");
  assert.equal(config.quotaMib, 5);
});

Deno.test("validateLabel() rejects invisible characters", () => {
  const cases: Array<[string, string]> = [
    ["\u200b", "v"],
    ["k\u202e", "v"],
    ["k", "right\u202eto left"],
    ["k", "line\u2028separator"],
    ["k", "zero\u200bwidth"],
  ];
  for (const [key, value] of cases) {
    assert.throws(
      () => resolveConfig({ name: "a", labels: [[key, value]] }),
      InvalidConfigError,
      JSON.stringify([key, value]),
    );
  }
});

Deno.test("validateName() names a non-string type", () => {
  assert.throws(
    () => validateName(42 as unknown as string),
    (err: Error) => {
      assert.ok(err instanceof InvalidConfigError);
      assert.match(err.message, /expected a string, got number/);
      return true;
    },
  );
  assert.throws(
    () => parseLabel("5"),
    InvalidConfigError,
  );
  assert.throws(
    () => resolveConfig({ name: "a", labels: [[5 as unknown as string, "v"]] }),
    /expected a string, got number/,
  );
});
