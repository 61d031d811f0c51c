// The variable table (src/config/variables.ts) is the one declaration of every environment variable: the
// validation, --help, the README's table and Deno line, the tests' Deno permissions and the redaction are made
// from it. These tests fail when one of those drifts from the table.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { README, readmeWithTables } from "../../scripts/readme-tables.ts";
import { helpText } from "../../src/cli/help.ts";
import { runCli } from "../../src/cli/run-cli.ts";
import { ADMIN_VARIABLES } from "../../src/config/admin-variables.ts";
import { KEY_VARIABLES } from "../../src/config/key-config.ts";
import { CDN_VARIABLES, OPTIONAL_S3_PLACE, S3_VARIABLES } from "../../src/config/s3-variables.ts";
import { PROXY_VARIABLES, VARIABLES, flagVariables, variablesRead, type Variable } from "../../src/config/variables.ts";

const table = Object.values<Variable>(VARIABLES);

describe("the variable table", () => {
  test("the README's variable table and its Deno --allow-env list are the ones made from it (bun scripts/readme-tables.ts --write)", () => {
    const readme = readFileSync(README, "utf8");
    expect(readme).toBe(readmeWithTables(readme));
    for (const variable of table) expect(readme).toContain(`| \`${variable.name}\` | ${variable.required ? "yes" : "no"} |`);
    expect(/--allow-env=(\S+)/.exec(readme)?.[1]?.split(",")).toEqual(variablesRead());
  });

  test("every variable of the table is validated, under its own name, and nothing is validated that the table lacks", () => {
    const validated = new Set([...Object.keys(S3_VARIABLES), ...Object.keys(ADMIN_VARIABLES), ...Object.keys(CDN_VARIABLES), ...Object.keys(OPTIONAL_S3_PLACE), ...Object.keys(KEY_VARIABLES)]);
    expect([...validated].sort()).toEqual(Object.keys(VARIABLES).sort());
    for (const [key, variable] of Object.entries(VARIABLES)) expect(variable.name as string).toBe(key);
  });

  test("--help lists each variable once, with required or optional as the table says", () => {
    const help = helpText();
    const helpLines = help.split("\n");
    for (const variable of table) {
      // A name too long for its column has a line of its own, its text on the next.
      const at = helpLines.flatMap((line, i) => (line.startsWith(`  ${variable.name} `) || line === `  ${variable.name}` ? [i] : []));
      expect(at).toHaveLength(1);
      const text = helpLines[at[0] as number] === `  ${variable.name}` ? helpLines[(at[0] as number) + 1] : helpLines[at[0] as number];
      expect(text).toContain(variable.required ? "required:" : "optional:");
    }
    for (const name of flagVariables()) expect(help.split("\n").filter((line) => line.trim() === name || line.startsWith(`  ${name} `))).toHaveLength(1);
    expect(help).toContain(PROXY_VARIABLES.filter((name) => name === name.toUpperCase()).join(", "));
  });

  test("a required variable's problem is worded from the table: its name and its fix", async () => {
    let stderr = "";
    await runCli(["--file", "x", "--resource-name", "m", "--dev-stage", "d", "--architecture", "a", "--version", "1"], {}, { stdout: () => {}, stderr: (text) => (stderr += `${text}\n`) });
    for (const variable of table.filter((v) => v.required)) expect(stderr).toContain(`${variable.name} is not set: ${variable.fix}`);
  });

  test("every secret of the table is redacted from the output, and only those", async () => {
    const values = Object.fromEntries(table.map((variable) => [variable.name, `value-of-${variable.name}-123`]));
    let stderr = "";
    // A publish refused for a missing --file prints nothing of the environment; an unknown command echoes argv,
    // where every value is put here to be seen (or redacted).
    await runCli([Object.values(values).join(" ")], values, { stdout: () => {}, stderr: (text) => (stderr += text) });
    for (const variable of table) expect(`${variable.name}: ${stderr.includes(values[variable.name] as string)}`).toBe(`${variable.name}: ${!variable.secret}`);
  });
});
