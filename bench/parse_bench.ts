/**
 * `deno bench` of the input checks that every command runs: `parseSize`
 * and `validateName`.
 *
 * @module
 */

import { parseSize, validateName } from "../mod.ts";

Deno.bench("parseSize 20G", { group: "parseSize" }, () => {
  parseSize("20G");
});

Deno.bench("parseSize 512", { group: "parseSize" }, () => {
  parseSize("512");
});

Deno.bench("validateName cache-01", { group: "validateName" }, () => {
  validateName("cache-01");
});

const MAX_LENGTH_NAME = "a".repeat(128);
Deno.bench("validateName 128 characters", { group: "validateName" }, () => {
  validateName(MAX_LENGTH_NAME);
});
