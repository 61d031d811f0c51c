import { expect, test } from "bun:test";
import { hasUnprintable, printable } from "../../src/format.ts";

test("printable: control characters, DEL, C1, line separators and bidi overrides become \\u escapes; line feeds stay", () => {
  expect(printable("a\u001b[31mred\rb\u0008\u007f\u0085\u2028\u202e\tc\nd")).toBe("a\\u001b[31mred\\u000db\\u0008\\u007f\\u0085\\u2028\\u202e\\u0009c\nd");
  // In a JSON line the escapes are JSON's own.
  const json = printable(JSON.stringify({ name: "x\u007f\u0085\u202ey" }));
  expect(JSON.parse(json)).toEqual({ name: "x\u007f\u0085\u202ey" });
  expect(printable("plain text, ünïcödé and emoji 🙂")).toBe("plain text, ünïcödé and emoji 🙂");
});

test("hasUnprintable: what printable escapes, and line feeds", () => {
  for (const bad of ["a\nb", "a\u001bb", "\u0085", "x\u202ey", "\t"]) expect(hasUnprintable(bad)).toBe(true);
  for (const good of ["dev/m-arm64-1.enc", "https://a.example/x?y=1", "ünï 🙂", ""]) expect(hasUnprintable(good)).toBe(false);
});
