import { expect, test } from "bun:test";
import { markFlagValues, unmark } from "../../src/cli/argv.ts";

const FLAGS = new Set(["version", "file"]);

test("marked values come back exactly as typed", () => {
  const marked = markFlagValues(["--version", "1.10", "--file=007", "--json", "--", "0x1f"], FLAGS);
  expect(marked.map((a) => unmark(a))).toEqual(["--version", "1.10", "--file=\u0000007", "--json", "--", "0x1f"]);
  expect(unmark(marked[1])).toBe("1.10");
  expect(unmark(true)).toBe(true);
});

test("a flag followed by another flag has no value to mark", () => {
  expect(markFlagValues(["--version", "--file", "-"], FLAGS)).toEqual(["--version", "--file", "\u0000-"]);
});
