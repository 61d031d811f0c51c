// --help, made from the flag tables of config/flags.ts: every flag once in the whole help, a command's own flags
// in `publish-artifact COMMAND --help`. Loads no validator and no pipeline, so it prints at once.
import { COMMANDS, PUBLISH, allFlags, type CommandSpec, type Flag } from "../config/flags.ts";
import { PROXY_VARIABLES, VARIABLES, type Variable } from "../config/variables.ts";
import { versionLine } from "../version.ts";

/** Terminals and CI logs of 100 columns show every line whole. */
const WIDTH = 100;
const FLAG_COLUMN = 26;

/** The whole help, or one command's. */
export function helpText(command?: CommandSpec): string {
  if (command !== undefined) {
    return `${versionLine()}
${wrap(command.usage, 8).slice(8)}
${wrap(command.summary, 2)}

Flags:
${[...Object.values(command.flags).map(flagLines), row("-h, --help", "Show this help.")].join("\n")}

Variables, exit codes and the other commands: publish-artifact --help
`;
  }
  return `${versionLine()}
Compress a build artifact with gzip, encrypt it with a fresh AES-256 key (AES-CBC, PKCS7, IV first),
upload it to S3-compatible storage and register it with the admin API.

Usage:
${COMMANDS.map((c) => `  ${wrap(c.usage, 10).slice(10)}\n${wrap(c.summary, 6)}`).join("\n")}
  publish-artifact [COMMAND] --help

Flags:
${Object.values(PUBLISH.flags).map(flagLines).join("\n")}
${row("-h, --help", "Show this help; with a command (publish-artifact verify --help), its flags alone.")}

Flags of verify, decrypt and register besides those above:
${allFlags().filter((flag) => !Object.values<Flag>(PUBLISH.flags).includes(flag)).map(flagLines).join("\n")}

The object key is {dev_stage}/{resource_name}-{architecture}-{version}.enc

Environment (required: by a publish):
${Object.values<Variable>(VARIABLES).map((variable) => row(variable.name, `${variable.required ? "required" : "optional"}: ${variable.help.replace(/`/g, "")}`)).join("\n")}
${allFlags().flatMap((flag) => (flag.env === undefined ? [] : [row(flag.env, `optional: the default of --${flag.name}${flag.kind === "switch" ? " (1 or 0)" : ""}`)])).join("\n")}
${row(PROXY_VARIABLES.filter((name) => name === name.toUpperCase()).join(", "), "optional: proxies, followed as Bun and Deno follow them (lowercase too); plain http to this machine through a proxy needs --allow-http")}

Exit codes:
  0    published: uploaded and registered
  1    unexpected internal error (a bug: please report it)
  2    usage or configuration error: nothing was read or sent
  3    the input file could not be read (or is not a regular file), or changed while it was read;
       register: the --from file does not describe the object in S3
  4    upload failed: nothing was registered; a multipart upload was aborted, or kept when the
       failure may pass (the same command then resumes it; its last line says so)
  5    uploaded but not registered: the admin API refused or could not be reached; the registration,
       with the key, was saved to a file (mode 0600): publish-artifact register --from FILE sends it
  6    verify or decrypt: the data is not what it should be (sha256, key or content differ)
  7    verify, register: there is no object at the key (NoSuchKey)
  130  interrupted by SIGINT (143: by SIGTERM); a multipart upload of a file is kept to be resumed
       (from stdin, or with --no-resume, aborted)

Progress goes to stderr for runs over a second: one line redrawn on a terminal, a line each 10% or
15 s (whichever is later) in logs. NO_COLOR is respected.

Example:
  export S3_ENDPOINT=https://s3.example.com S3_ACCESS_KEY=... S3_SECRET_KEY=... S3_BUCKET=artifacts
  export ADMIN_API_URL=https://admin.example.com ADMIN_API_TOKEN=...
  publish-artifact --file ./model.trt --resource-name my_model --dev-stage dev \\
    --architecture arm64 --version 2026-04-15
`;
}

/** A flag's lines: its name and value, then its help wrapped beside it (backquotes are for the README). */
function flagLines(flag: Flag): string {
  return row(`--${flag.name}${flag.value === undefined ? "" : ` ${flag.value}`}`, flag.help.replace(/`/g, ""));
}

/** A name and its text in two columns; a name too long for its column gets a line of its own. */
function row(name: string, text: string): string {
  const wrapped = wrap(text, FLAG_COLUMN);
  const first = `  ${name}`;
  return first.length < FLAG_COLUMN ? first.padEnd(FLAG_COLUMN) + wrapped.slice(FLAG_COLUMN) : `${first}\n${wrapped}`;
}

/** `text` in lines of at most WIDTH characters, each indented by `indent`. */
function wrap(text: string, indent: number): string {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line !== "" && indent + line.length + 1 + word.length > WIDTH) {
      lines.push(line);
      line = word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  lines.push(line);
  return lines.map((l) => " ".repeat(indent) + l).join("\n");
}
