// The README's tables that the source declares: the flag table (src/config/flags.ts), the variable table
// (src/config/variables.ts) and the Deno line's --allow-env list (every variable the CLI reads).
// test/unit/flags.test.ts and test/unit/variables.test.ts check that the README holds exactly these;
// `bun scripts/readme-tables.ts --write` puts them there after a change.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { COMMANDS, allFlags, type Flag } from "../src/config/flags.ts";
import { PROXY_VARIABLES, VARIABLES, variablesRead, type Variable } from "../src/config/variables.ts";

export const README = join(import.meta.dir, "..", "README.md");
const FLAGS = { begin: "<!-- flags: made from src/config/flags.ts by scripts/readme-tables.ts; edit there -->", end: "<!-- end of flags -->" };
const VARIABLE_MARKS = {
  begin: "<!-- variables: made from src/config/variables.ts by scripts/readme-tables.ts; edit there -->",
  end: "<!-- end of variables -->",
};

function cell(text: string): string {
  return text.replace(/\|/g, "\\|");
}

function exampleOf(flag: Flag): string {
  return flag.kind === "switch" ? flag.example : `--${flag.name} ${flag.example}`;
}

export function flagTable(): string {
  const rows = allFlags().map((flag) => {
    const commands = COMMANDS.filter((command) => Object.values(command.flags).includes(flag)).map((command) => command.name);
    const name = `\`--${flag.name}${flag.value === undefined ? "" : ` ${flag.value}`}\``;
    const variable = flag.env === undefined ? "" : `\`${flag.env}\``;
    return `| ${name} | ${commands.join(", ")} | ${cell(flag.help)} | \`${cell(exampleOf(flag))}\` | ${variable} |`;
  });
  return ["| Flag | Commands | Meaning | Example | Default from |", "|---|---|---|---|---|", ...rows, "| `-h`, `--help` | all | help; after a command, that command's flags alone | `verify --help` | |"].join("\n");
}

export function variableTable(): string {
  const own = Object.values<Variable>(VARIABLES).map((variable) => `| \`${variable.name}\` | ${variable.required ? "yes" : "no"} | ${cell(variable.help)} |`);
  const defaults = allFlags().flatMap((flag) =>
    flag.env === undefined ? [] : [`| \`${flag.env}\` | no | the default of \`--${flag.name}\`${flag.kind === "switch" ? " (`1` or `0`)" : ""} |`],
  );
  const proxies = PROXY_VARIABLES.filter((name) => name === name.toUpperCase()).map((name) => `\`${name}\``).join(", ");
  return [
    "| Variable | Required (by a publish) | Purpose |",
    "|---|---|---|",
    ...own,
    ...defaults,
    `| ${proxies} (and lowercase) | no | proxies, followed by the runtime: see [Private CA and proxies](#private-ca-and-proxies) |`,
    "| `SSL_CERT_FILE`, `NODE_EXTRA_CA_CERTS`, `DENO_CERT` | no | a private CA, read by the runtime: see [Private CA and proxies](#private-ca-and-proxies) |",
  ].join("\n");
}

function between(text: string, marks: { begin: string; end: string }, content: string): string {
  const begin = text.indexOf(marks.begin);
  const end = text.indexOf(marks.end);
  if (begin < 0 || end < begin) throw new Error(`README.md has no ${marks.begin} ... ${marks.end} section`);
  return `${text.slice(0, begin + marks.begin.length)}\n${content}\n${text.slice(end)}`;
}

/** The README with its tables and its Deno line's --allow-env list as made now. */
export function readmeWithTables(readme: string): string {
  const tables = between(between(readme, FLAGS, flagTable()), VARIABLE_MARKS, variableTable());
  return tables.replace(/--allow-env=\S+/, `--allow-env=${variablesRead().join(",")}`);
}

if (import.meta.main) {
  const readme = readFileSync(README, "utf8");
  const updated = readmeWithTables(readme);
  if (process.argv.includes("--write")) writeFileSync(README, updated);
  else process.stdout.write(`${flagTable()}\n\n${variableTable()}\n`);
}
