// The flag tables (src/config/flags.ts) are the one declaration of every flag: cac, --help, the validation and
// the README's table are made from them. These tests fail when one of those drifts from the tables.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { README, readmeWithTables } from "../../scripts/readme-tables.ts";
import { helpText } from "../../src/cli/help.ts";
import { runCli } from "../../src/cli/run-cli.ts";
import { COMMANDS, PUBLISH, VERIFY, allFlags, keyOf, type CommandSpec, type Flag } from "../../src/config/flags.ts";
import { VARIABLES } from "../../src/config/variables.ts";

/** How often `--name` appears as a flag heading in help text (at the start of a line, after the indent). */
function headings(text: string, flag: Flag): number {
  return text.split("\n").filter((line) => new RegExp(`^  --${flag.name}( |$)`).test(line)).length;
}

async function problemsOf(argv: string[]): Promise<string> {
  let stderr = "";
  await runCli(argv, {}, { stdout: () => {}, stderr: (text) => (stderr += `${text}\n`) });
  return stderr;
}

/** An argv that gives `flag` to `command` (with a value when it takes one). */
function withFlag(command: CommandSpec, flag: Flag): string[] {
  const word = command.cac === "" ? [] : [command.name];
  const positional = command.name === "decrypt" ? ["in.enc", "out"] : [];
  return [...word, `--${flag.name}`, ...(flag.kind === "switch" ? [] : ["x"]), ...positional];
}

describe("the flag tables", () => {
  test("the README's flag table is the one made from the tables (bun scripts/readme-tables.ts --write)", () => {
    const readme = readFileSync(README, "utf8");
    expect(readme).toBe(readmeWithTables(readme));
    for (const flag of allFlags()) expect(readme).toContain(`| \`--${flag.name}`);
  });

  test("each table keys a flag by the name cac gives it, and a name is declared once", () => {
    for (const command of COMMANDS) {
      for (const [key, flag] of Object.entries(command.flags)) expect(`${command.name}: ${key}`).toBe(`${command.name}: ${keyOf(flag)}`);
    }
    const names = allFlags().map((flag) => flag.name);
    expect(names.length).toBe(new Set(names).size);
  });

  test("a whole-number flag's help states the range its validation enforces", () => {
    for (const flag of allFlags()) {
      if (flag.kind === "whole") expect(flag.help).toMatch(new RegExp(`\\b${flag.min}\\b.* to ${flag.max}\\b`));
    }
  });

  test("every help fits 100 columns, no variable name is cut, and no heading stands empty", () => {
    for (const text of [helpText(), ...COMMANDS.map((command) => helpText(command))]) {
      for (const line of text.split("\n")) expect(line.length).toBeLessThanOrEqual(100);
      expect(text).not.toMatch(/:\n\n/);
    }
    for (const name of Object.keys(VARIABLES)) expect(helpText()).toContain(name);
  });

  test("--help lists every flag once; a command's --help lists its own flags and no other", () => {
    const all = helpText();
    for (const flag of allFlags()) expect(`${flag.name}: ${headings(all, flag)}`).toBe(`${flag.name}: 1`);
    const verify = helpText(VERIFY);
    for (const flag of allFlags()) {
      const expected = Object.values<Flag>(VERIFY.flags).includes(flag) ? 1 : 0;
      expect(`${flag.name}: ${headings(verify, flag)}`).toBe(`${flag.name}: ${expected}`);
    }
  });

  test("cac takes every flag of a command's table, and refuses the flags of other commands", async () => {
    for (const command of COMMANDS) {
      for (const flag of allFlags()) {
        const stderr = await problemsOf(withFlag(command, flag));
        const known = Object.values<Flag>(command.flags).includes(flag);
        expect(`${command.name} --${flag.name}: ${stderr.includes(`unknown flag --${flag.name}`) ? "refused" : "taken"}`).toBe(
          `${command.name} --${flag.name}: ${known ? "taken" : "refused"}`,
        );
      }
    }
  });

  test("validation follows the table: a value of the wrong type is refused with the flag's example", async () => {
    for (const flag of Object.values<Flag>(PUBLISH.flags)) {
      if (flag.kind !== "whole" && flag.kind !== "size") continue;
      const stderr = await problemsOf([`--${flag.name}`, "lots"]);
      expect(stderr).toContain(`--${flag.name} must be`);
      expect(stderr).toContain(`e.g. --${flag.name} ${flag.example}`);
    }
  });
});
