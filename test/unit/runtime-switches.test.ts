import { expect, test } from "bun:test";
import { RUNTIME_SWITCHES, runtimeSwitchProblems } from "../../src/config/runtime-switches.ts";

test("under Bun every switch that is set is one line naming it; harmless values and unset ones are none", () => {
  const all = Object.fromEntries(RUNTIME_SWITCHES.map((entry) => [entry.name, "x"]));
  const lines = runtimeSwitchProblems(all, true);
  expect(lines).toHaveLength(RUNTIME_SWITCHES.length);
  for (const entry of RUNTIME_SWITCHES) expect(lines.some((line) => line.startsWith(`${entry.name} is set: `))).toBe(true);
  expect(runtimeSwitchProblems({ BUN_CONFIG_VERBOSE_FETCH: "0", NODE_TLS_REJECT_UNAUTHORIZED: "1", BUN_OPTIONS: "" }, true)).toEqual([]);
});

test("under Deno none is read: Deno obeys none of them, and a read outside --allow-env would prompt on a terminal", () => {
  const reads: string[] = [];
  const env = new Proxy({} as Record<string, string | undefined>, { get: (_, name) => (reads.push(String(name)), "x") });
  expect(runtimeSwitchProblems(env, false)).toEqual([]);
  expect(reads).toEqual([]);
});
