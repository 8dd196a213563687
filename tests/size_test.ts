import assert from "node:assert/strict";
import {
  formatBytes,
  formatMib,
  gib,
  InvalidConfigError,
  kib,
  MAX_SIZE_MIB,
  mib,
  parseSize,
  tib,
} from "../mod.ts";

Deno.test("size helpers convert to MiB", () => {
  assert.equal(mib(1024), gib(1));
  assert.equal(gib(20), 20480);
  assert.equal(tib(1), 1048576);
  assert.equal(kib(2048), 2);
});

Deno.test("parseSize() accepts binary units", () => {
  const cases: Array<[string, number]> = [
    ["100M", 100],
    ["1G", 1024],
    ["10G", 10240],
    ["1T", 1048576],
    ["256", 256],
    ["2048K", 2],
    ["1GiB", 1024],
    ["1gb", 1024],
    ["16383G", 16383 * 1024],
    [" 8M ", 8],
  ];
  for (const [text, expected] of cases) {
    assert.equal(parseSize(text), expected, text);
  }
});

Deno.test("parseSize() rejects malformed sizes", () => {
  const cases = [
    "",
    "10X",
    "1.5G",
    "-1G",
    "1e3",
    "G",
    "0x10",
    "512K",
    "NaN",
    "Infinity",
    "99999999999999999999T",
  ];
  for (const text of cases) {
    assert.throws(() => parseSize(text), InvalidConfigError, text);
  }
});

Deno.test("parseSize() error names the value", () => {
  assert.throws(() => parseSize("10X"), (err: Error) => {
    assert.match(err.message, /"10X"/);
    assert.match(err.message, /512M, 20G or 1T/);
    return true;
  });
});

Deno.test("formatMib() picks the largest whole unit", () => {
  assert.equal(formatMib(20480), "20G");
  assert.equal(formatMib(1048576), "1T");
  assert.equal(formatMib(1536), "1536M");
  assert.equal(formatMib(MAX_SIZE_MIB), `${MAX_SIZE_MIB}M`);
});

Deno.test("formatBytes() rounds to one decimal", () => {
  assert.equal(formatBytes(0), "0B");
  assert.equal(formatBytes(1023), "1023B");
  assert.equal(formatBytes(1536), "1.5K");
  assert.equal(formatBytes(20 * 1024 ** 3), "20.0G");
});

Deno.test("parseSize() reads B as bytes", () => {
  assert.equal(parseSize("1048576B"), 1);
  assert.equal(parseSize("2097152b"), 2);
  assert.throws(() => parseSize("1024B"), InvalidConfigError);
  assert.throws(() => parseSize("1iB"), InvalidConfigError);
  assert.throws(() => parseSize(8 as unknown as string), InvalidConfigError);
});
