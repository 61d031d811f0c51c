// The command line: argv → the command and its flags (from the tables of config/flags.ts) → its run; an error
// becomes one line per problem and an exit code. What each command does is in command-runs.ts.
import { cac } from "cac";
import { COMMANDS, type CommandSpec } from "../config/flags.ts";
import { runtimeSwitchProblems } from "../config/runtime-switches.ts";
import { secretValues } from "../config/variables.ts";
import type { Env, RawFlags } from "../config/rules.ts";
import { ExitCode, NotRegisteredError, UploadKeptError, UsageError, describeError, exitCodeFor, type NoAnswer } from "../errors.ts";
import { proxyFor } from "../http/proxy.ts";
import { multipartUploads } from "../s3/multipart.ts";
import { Secrets } from "../redact.ts";
import { markFlagValues, unmark } from "./argv.ts";
import { nearestFlag } from "./did-you-mean.ts";
import { COMMAND_RUNS } from "./command-runs.ts";
import { helpText } from "./help.ts";
import { redacting, type CliIo } from "./output.ts";

export type { CliIo } from "./output.ts";

const VALUE_FLAGS = new Set(COMMANDS.flatMap((command) => Object.values(command.flags).filter((flag) => flag.kind !== "switch").map((flag) => flag.name)));
export const SIGNAL_EXIT = { SIGINT: ExitCode.interruptedSigint, SIGTERM: ExitCode.interruptedSigterm } as const;

/** Run the CLI with `argv` (without the program name); resolves with the exit code. */
export async function runCli(argv: readonly string[], env: Env, rawIo: CliIo, signal?: AbortSignal): Promise<number> {
  const secrets = new Secrets(secretValues(env));
  const io = redacting(rawIo, secrets);
  if (argv.includes("--help") || argv.includes("-h") || argv[0] === "help") {
    io.stdout(helpText(commandNamed(argv[0] === "help" ? argv[1] : argv[0])));
    return ExitCode.ok;
  }
  // Before anything is read or sent: the runtime itself would hand the secrets out.
  const switches = runtimeSwitchProblems(env);
  if (switches.length > 0) return reportError(new UsageError(switches), io);
  if (argv.length === 0) {
    io.stderr(`${helpText()}\npublish-artifact: error: no flags given: see the usage above`);
    return ExitCode.usage;
  }

  const cli = cac("publish-artifact");
  let action: (() => Promise<number>) | undefined;
  for (const command of COMMANDS) {
    const cacCommand = cli.command(command.cac, command.summary);
    for (const flag of Object.values(command.flags)) {
      if (flag.kind === "switch") cacCommand.option(`--${flag.name}`, flag.help);
      else cacCommand.option(`--${flag.name} <${flag.value}>`, flag.help, { type: [unmark] });
    }
    // Unknown flags are reported with every other problem (below), not alone by cac.
    cacCommand.allowUnknownOptions();
    const { run, validate } = COMMAND_RUNS[command.name] as (typeof COMMAND_RUNS)[string];
    cacCommand.action((...args: unknown[]) => {
      const options = args.pop() as RawFlags;
      const positional = args.map(unmark);
      const unknown = unknownFlags(marked, command);
      action = unknown.length === 0
        ? () => run({ options, env, io, signal, args: positional, secrets })
        : () => refuseUnknown(unknown, command, () => validate(options, env, positional));
    });
  }
  const marked = markFlagValues(argv, VALUE_FLAGS);
  try {
    cli.parse(["", "", ...marked], { run: false });
    await cli.runMatchedCommand();
  } catch (error) {
    if (!isCacError(error)) return reportError(error, io);
    // cac stopped at a missing argument: the unknown flags that may have taken it are reported beside it.
    const command = commandNamed(argv[0]) ?? (COMMANDS.find((c) => c.cac === "") as CommandSpec);
    return reportError(new UsageError(withUnknown(usageErrorFrom(error).problems, unknownFlags(marked, command), command)), io);
  }
  if (!action) return reportError(new UsageError(`unknown command "${argv[0]}": see publish-artifact --help`), io);
  try {
    return await action();
  } catch (error) {
    return reportError(error, io, signal, proxyLines(error, env));
  }
}

/** The command a word names; undefined for a flag or an unknown word (the default command then runs). */
function commandNamed(word: string | undefined): CommandSpec | undefined {
  return COMMANDS.find((command) => command.cac !== "" && command.name === word);
}

/** The flags typed that `command` does not know (values are marked, so a value such as "-1" is not one). */
function unknownFlags(marked: readonly string[], command: CommandSpec): string[] {
  const known = new Set([...Object.values(command.flags).map((flag) => flag.name), "help"]);
  const end = marked.indexOf("--");
  return (end < 0 ? marked : marked.slice(0, end))
    .filter((arg) => arg.startsWith("-") && arg !== "-" && arg !== "-h")
    .map((arg) => arg.split("=")[0] as string)
    .filter((flag) => !flag.startsWith("--") || !known.has(flag.slice(2)));
}

/** Every problem at once: the command's own validation and each unknown flag. */
async function refuseUnknown(unknown: readonly string[], command: CommandSpec, validate: () => Promise<unknown>): Promise<never> {
  let problems: readonly string[] = [];
  try {
    await validate();
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    problems = error.problems;
  }
  throw new UsageError(withUnknown(problems, unknown, command));
}

/**
 * The unknown flags first, each with the flag it most likely meant (did-you-mean.ts), then the other problems,
 * less the "required" line of a flag a suggestion already names: one mistake, one line.
 */
function withUnknown(problems: readonly string[], unknown: readonly string[], command: CommandSpec): string[] {
  const names = Object.values(command.flags).map((flag) => flag.name);
  const suggested = new Set<string>();
  const lines = unknown.map((flag) => {
    const meant = flag.startsWith("--") ? nearestFlag(flag.slice(2), names) : undefined;
    if (meant === undefined) return `unknown flag ${flag}: see publish-artifact --help for the flags`;
    suggested.add(`--${meant}`);
    return `unknown flag ${flag}: did you mean --${meant}?`;
  });
  return [...lines, ...problems.filter((problem) => ![...suggested].some((flag) => problem.startsWith(`${flag} is required`)))];
}

/** cac throws its CACError for bad command lines but does not export the class. */
function isCacError(error: unknown): error is Error {
  return error instanceof Error && error.name === "CACError";
}

/** cac's messages, in our words: name the flag and say what to do. */
function usageErrorFrom(error: Error): UsageError {
  const unknown = /Unknown option `([^`]+)`/.exec(error.message);
  if (unknown) return new UsageError(`unknown flag ${unknown[1]}: see publish-artifact --help for the flags`);
  const unused = /Unused args: (.+)/.exec(error.message);
  if (unused) {
    const args = (unused[1] ?? "").replace(/`/g, "").replace(new RegExp("\u0000", "g"), "");
    return new UsageError(`unexpected argument ${args}: every value belongs to a flag, e.g. --file PATH`);
  }
  if (/missing required args for command `decrypt/.test(error.message)) {
    return new UsageError('decrypt needs IN and OUT: publish-artifact decrypt --key-file PATH IN OUT ("-" for stdin or stdout)');
  }
  return new UsageError(`${error.message.replace(/`/g, "")}: see publish-artifact --help`);
}

/**
 * A server that did not answer may be fine and the proxy in between down: when the request went through one,
 * say which, so the user does not hunt for a fault in S3_ENDPOINT or ADMIN_API_URL.
 */
function proxyLines(error: unknown, env: Env): string[] {
  let noAnswer: NoAnswer | undefined;
  for (let e: unknown = error; e instanceof Error && noAnswer === undefined; e = e.cause) {
    noAnswer = (e as { noAnswer?: NoAnswer }).noAnswer;
  }
  if (noAnswer === undefined) return [];
  const host = noAnswer.host;
  const route = proxyFor(noAnswer.origin, env);
  // A proxy variable Deno would not let us read is no hint worth giving.
  if (route === undefined || route.proxy === "(unreadable)") return [];
  return [`the request to ${host} went through the proxy at ${route.proxy} (${route.variable}): check that the proxy runs and lets ${host} through, or list the host in NO_PROXY`];
}

/** Print an error, one line per problem; a run stopped by a signal says so and exits 130 or 143. */
function reportError(error: unknown, io: CliIo, signal?: AbortSignal, more: readonly string[] = []): number {
  const signalName = signal?.aborted ? (String(signal.reason) as keyof typeof SIGNAL_EXIT) : undefined;
  let lines = error instanceof UsageError ? [...error.problems] : [...describeError(error).split("\n"), ...more];
  if (signalName) {
    // The interrupted request's own error says nothing new; a registration saved for later does.
    const kept = keptUploadIn(error);
    const interrupted = `interrupted by ${signalName}: ${kept ? `${kept}; ` : interruptedUploads()}nothing was registered`;
    lines = error instanceof NotRegisteredError ? [`interrupted by ${signalName}`, ...lines] : [interrupted];
  }
  const text = lines.map((line) => `publish-artifact: error: ${line}`).join("\n");
  io.stderr(text);
  return signalName ? (SIGNAL_EXIT[signalName] ?? ExitCode.interruptedSigint) : exitCodeFor(error);
}

/** The line that says an upload is kept for a resume, if the error carries one. */
function keptUploadIn(error: unknown): string | undefined {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (e instanceof UploadKeptError && e.keptLine) return e.keptLine;
  }
  return undefined;
}

/**
 * What an interruption left of the multipart uploads, as the start of a sentence: nothing when none was
 * started, so that a run stopped before its upload (a slow stdin, the checks) does not speak of one.
 */
export function interruptedUploads(): string {
  const { open, created } = multipartUploads;
  if (open.size > 0) return `the multipart upload ${[...open].join(", ")} may still be open (its parts cost storage until it is aborted); `;
  return created > 0 ? "the multipart upload was aborted and " : "";
}
