import { expect, test } from "bun:test";
import { nearestFlag } from "../../src/cli/did-you-mean.ts";
import { COMMANDS } from "../../src/config/flags.ts";

const PUBLISH = Object.values((COMMANDS.find((c) => c.cac === "") as (typeof COMMANDS)[number]).flags).map((flag) => flag.name);

test("a mistyped flag finds the flag it meant: underscores, case, a swap, a letter off", () => {
  expect(nearestFlag("resource_name", PUBLISH)).toBe("resource-name");
  expect(nearestFlag("Dev-Stage", PUBLISH)).toBe("dev-stage");
  expect(nearestFlag("dev-stgae", PUBLISH)).toBe("dev-stage");
  expect(nearestFlag("architecure", PUBLISH)).toBe("architecture");
  expect(nearestFlag("quite", PUBLISH)).toBe("quiet");
});

test("a flag that is not close to any is not given a guess", () => {
  expect(nearestFlag("colour", PUBLISH)).toBeUndefined();
  expect(nearestFlag("port", PUBLISH)).toBeUndefined();
  expect(nearestFlag("x", PUBLISH)).toBeUndefined();
});
