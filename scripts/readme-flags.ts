// The README's flag table, made from the flag tables of src/config/flags.ts. test/unit/flags.test.ts checks
// that the README holds exactly this; `bun scripts/readme-flags.ts --write` puts it there after a change.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { COMMANDS, allFlags, type Flag } from "../src/config/flags.ts";

export const BEGIN = "<!-- flags: made from src/config/flags.ts by scripts/readme-flags.ts; edit there -->";
export const END = "<!-- end of flags -->";
export const README = join(import.meta.dir, "..", "README.md");

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

/** The README with its flag table as made now. */
export function readmeWithFlags(readme: string): string {
  const begin = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  if (begin < 0 || end < begin) throw new Error(`README.md has no ${BEGIN} ... ${END} section`);
  return `${readme.slice(0, begin + BEGIN.length)}\n${flagTable()}\n${readme.slice(end)}`;
}

if (import.meta.main) {
  const readme = readFileSync(README, "utf8");
  const updated = readmeWithFlags(readme);
  if (process.argv.includes("--write")) writeFileSync(README, updated);
  else process.stdout.write(`${flagTable()}\n`);
}
