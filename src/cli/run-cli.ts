// The command line: parse, validate, run the library, print. Everything else lives in the modules it calls;
// the pipeline and the S3 signer are imported only by the commands that use them, so --help and version start
// fast.
import { cac } from "cac";
import { markFlagValues, unmark } from "./argv.ts";
import type { Env } from "../config/load-config.ts";
import { ExitCode, NotRegisteredError, UsageError, describeError, exitCodeFor } from "../errors.ts";
import { helpText } from "./help.ts";
import type { Progress } from "./progress.ts";
import { Secrets } from "../redact.ts";
import { versionLine } from "../version.ts";

export interface CliIo {
  /** One line (or block) of output each; a newline is added. */
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Raw writes to stderr, for a progress line redrawn in place. */
  stderrWrite?: (text: string) => void;
  /** Whether stderr is a terminal. */
  stderrIsTTY?: boolean;
}

type Options = Record<string, unknown>;
/**
 * What a command runs with. Its `io` redacts every secret in `secrets`: those of the environment, and the
 * encryption key once the command adds it.
 */
interface Run {
  options: Options;
  env: Env;
  io: CliIo;
  signal: AbortSignal | undefined;
  args: unknown[];
  secrets: Secrets;
}
type Command = (run: Run) => Promise<number>;

const PUBLISH_FLAGS = [
  "file",
  "resource-name",
  "dev-stage",
  "architecture",
  "version",
  "part-size",
  "concurrency",
  "retries",
  "timeout",
  "recovery-dir",
  "output",
  "workers",
  "level",
];
/** Validate a command's flags and environment only: throws the UsageError its run would. */
type Validate = (options: Options, env: Env, args: unknown[]) => Promise<unknown>;

const COMMANDS: { name: string; description: string; valueFlags: string[]; booleanFlags: string[]; run: Command; validate?: Validate }[] = [
  { name: "version", description: "Print the program's version", valueFlags: [], booleanFlags: [], run: runVersion },
  {
    name: "register",
    description: "Send a saved registration",
    valueFlags: ["from", "retries", "timeout"],
    booleanFlags: ["allow-http"],
    run: runRegister,
    validate: async (options, env) => (await import("../config/load-config.ts")).loadRegisterConfig(options, env),
  },
  {
    name: "decrypt <in> <out>",
    description: "Decrypt a published object",
    valueFlags: ["key", "key-file", "sha256"],
    booleanFlags: [],
    run: runDecrypt,
    validate: async (options, env, args) => (await import("../config/load-config.ts")).loadDecryptConfig(args[0], args[1], options, env),
  },
  {
    name: "verify",
    description: "Download a published object and compare it with --file",
    valueFlags: ["file", "resource-name", "dev-stage", "architecture", "version", "key", "key-file", "sha256", "from", "retries", "timeout"],
    booleanFlags: ["quiet"],
    run: runVerify,
    validate: async (options, env) => (await import("../config/load-config.ts")).loadVerifyConfig(options, env),
  },
  {
    name: "",
    description: "Publish an artifact",
    valueFlags: PUBLISH_FLAGS,
    booleanFlags: ["json", "quiet", "dry-run", "allow-http", "no-overwrite", "allow-empty"],
    run: runPublish,
    validate: async (options, env) => {
      const config = await import("../config/load-config.ts");
      return options.output !== undefined && !options.dryRun ? config.loadOutputConfig(options, env) : config.loadPublishConfig(options, env);
    },
  },
];
const VALUE_FLAGS = new Set(COMMANDS.flatMap((command) => command.valueFlags));
export const SIGNAL_EXIT = { SIGINT: ExitCode.interruptedSigint, SIGTERM: ExitCode.interruptedSigterm } as const;

/** Run the CLI with `argv` (without the program name); resolves with the exit code. */
export async function runCli(argv: readonly string[], env: Env, rawIo: CliIo, signal?: AbortSignal): Promise<number> {
  const secrets = new Secrets([env.S3_SECRET_KEY, env.S3_SESSION_TOKEN, env.ADMIN_API_TOKEN, env.PUBLISH_ARTIFACT_KEY]);
  const io = redacting(rawIo, secrets);
  if (argv.includes("--help") || argv.includes("-h") || argv[0] === "help") {
    io.stdout(helpText());
    return ExitCode.ok;
  }
  if (argv.length === 0) {
    io.stderr(`${helpText()}\npublish-artifact: error: no flags given: see the usage above`);
    return ExitCode.usage;
  }

  const cli = cac("publish-artifact");
  let action: (() => Promise<number>) | undefined;
  for (const command of COMMANDS) {
    const cacCommand = cli.command(command.name, command.description);
    for (const flag of command.valueFlags) cacCommand.option(`--${flag} <value>`, "", { type: [unmark] });
    for (const flag of command.booleanFlags) cacCommand.option(`--${flag}`, "");
    // Unknown flags are reported with every other problem (below), not alone by cac.
    cacCommand.allowUnknownOptions();
    cacCommand.action((...args: unknown[]) => {
      const options = args.pop() as Options;
      const unknown = unknownFlags(marked, command);
      action = unknown.length === 0
        ? () => command.run({ options, env, io, signal, args: args.map(unmark), secrets })
        : () => refuseUnknown(unknown, () => command.validate?.(options, env, args.map(unmark)));
    });
  }
  const marked = markFlagValues(argv, VALUE_FLAGS);
  try {
    cli.parse(["", "", ...marked], { run: false });
    await cli.runMatchedCommand();
  } catch (error) {
    if (!isCacError(error)) return reportError(error, io);
    // cac stopped at a missing argument: the unknown flags that may have taken it are reported beside it.
    const command = COMMANDS.find((c) => c.name !== "" && c.name.split(" ")[0] === argv[0]) ?? (COMMANDS.at(-1) as (typeof COMMANDS)[number]);
    const unknown = unknownFlags(marked, command).map((flag) => `unknown flag ${flag}: see publish-artifact --help for the flags`);
    return reportError(new UsageError([...usageErrorFrom(error).problems, ...unknown]), io);
  }
  if (!action) return reportError(new UsageError(`unknown command "${argv[0]}": see publish-artifact --help`), io);
  try {
    return await action();
  } catch (error) {
    return reportError(error, io, signal);
  }
}

/** Every line out of the CLI passes through the redaction of every secret known so far. */
function redacting(io: CliIo, secrets: Secrets): CliIo {
  return {
    stdout: (text) => io.stdout(secrets.redact(text)),
    stderr: (text) => io.stderr(secrets.redact(text)),
    stderrWrite: io.stderrWrite && ((text) => io.stderrWrite?.(secrets.redact(text))),
    stderrIsTTY: io.stderrIsTTY,
  };
}

async function runVersion({ io }: Run): Promise<number> {
  io.stdout(versionLine());
  return ExitCode.ok;
}

async function runPublish(run: Run): Promise<number> {
  const { options, env, io, signal, secrets } = run;
  if (options.output !== undefined && !options.dryRun) return runOutput(run);
  const { loadPublishConfig } = await import("../config/load-config.ts");
  const config = loadPublishConfig(options, env);
  warn(io, config.warnings);
  if (config.dryRun) {
    const { makePlan, planText } = await import("../commands/plan.ts");
    const { plan, exitCode } = await makePlan(config, { signal });
    io.stdout(config.json ? JSON.stringify(plan) : planText(plan, (options.output as string[] | undefined)?.[0]));
    if (exitCode !== undefined) io.stderr("publish-artifact: error: dry run: a check failed (see its FAILED line): a publish would fail the same way");
    return exitCode ?? ExitCode.ok;
  }
  const { publishArtifact } = await import("../commands/publish.ts");
  const { humanSummary, jsonSummary } = await import("./summary.ts");
  const progress = await progressFor(config.file, config.quiet, env, io);
  try {
    const result = await publishArtifact(config, {
      signal,
      progress,
      log: notice(io, config.quiet, progress),
      warn: (line) => progress.note(`publish-artifact: warning: ${line}`),
      onKey: (hex) => secrets.add(hex),
    });
    progress.stop();
    if (!config.quiet) io.stderr(humanSummary(result));
    if (config.json) io.stdout(jsonSummary(result));
    return ExitCode.ok;
  } finally {
    progress.stop();
  }
}

async function runOutput({ options, env, io, signal, secrets }: Run): Promise<number> {
  const { loadOutputConfig } = await import("../config/load-config.ts");
  const config = loadOutputConfig(options, env);
  const { encryptToFile, outputSummary } = await import("../commands/write-encrypted.ts");
  const { formatBytes } = await import("../format.ts");
  const progress = await progressFor(config.file, config.quiet, env, io);
  try {
    const result = await encryptToFile(config, { progress, signal, onKey: (hex) => secrets.add(hex) });
    progress.stop();
    if (!config.quiet) {
      io.stderr(
        `wrote ${config.output}: ${result.metadata.payload.size_bytes} bytes (${formatBytes(result.metadata.payload.size_bytes)}) from ` +
          `${result.inputBytes} bytes, sha256 ${result.metadata.payload.sha256}\n` +
          `its metadata, with the encryption key, is in ${result.metadataPath} (readable only by you)`,
      );
    }
    // The key stays in the file the user asked for; stdout may be a CI log.
    if (config.json) io.stdout(JSON.stringify(outputSummary(result)));
    return ExitCode.ok;
  } finally {
    progress.stop();
  }
}

async function runRegister({ options, env, io, signal }: Run): Promise<number> {
  const { loadRegisterConfig } = await import("../config/load-config.ts");
  const config = loadRegisterConfig(options, env);
  const { registerFromRecoveryFile } = await import("../commands/register.ts");
  const record = await registerFromRecoveryFile(config, { signal, log: notice(io, false) });
  io.stderr(`registered ${record.object_key}; ${config.from} was removed`);
  return ExitCode.ok;
}

async function runDecrypt({ options, env, io, args, secrets }: Run): Promise<number> {
  const { loadDecryptConfig } = await import("../config/load-config.ts");
  const config = loadDecryptConfig(args[0], args[1], options, env);
  warn(io, config.warnings);
  const { decryptFile } = await import("../commands/decrypt.ts");
  const result = await decryptFile(config, (hex) => secrets.add(hex));
  const checked = result.sha256Checked ? ", sha256 checked" : "";
  io.stderr(`decrypted ${result.encryptedBytes} bytes into ${result.plainBytes} bytes${checked}`);
  return ExitCode.ok;
}

async function runVerify({ options, env, io, signal, secrets }: Run): Promise<number> {
  const { loadVerifyConfig } = await import("../config/load-config.ts");
  const config = loadVerifyConfig(options, env);
  warn(io, config.warnings);
  const { verifyPublished } = await import("../commands/verify.ts");
  const result = await verifyPublished(config, { signal, log: notice(io, config.quiet), onKey: (hex) => secrets.add(hex) });
  if (!config.quiet) {
    io.stderr(
      `verified ${result.objectKey}: ${result.encryptedBytes} bytes with sha256 ${result.sha256}, ` +
        `decrypted and identical to the ${result.plainBytes} bytes of ${config.file}`,
    );
  }
  return ExitCode.ok;
}

/** Progress on stderr: redrawn on a terminal, plain lines in logs, nothing with --quiet. */
async function progressFor(file: string, quiet: boolean, env: Env, io: CliIo): Promise<Progress> {
  const { Progress } = await import("./progress.ts");
  const { stat } = await import("node:fs/promises");
  const total = file === "-" ? undefined : await stat(file).then((s) => (s.isFile() ? s.size : undefined), () => undefined);
  const mode = quiet || !io.stderrWrite ? "off" : io.stderrIsTTY ? "terminal" : "lines";
  const color = mode === "terminal" && !env.NO_COLOR;
  return new Progress({ mode, total, color, write: io.stderrWrite ?? (() => {}) }).start();
}

/** Warnings go to stderr even with --quiet: each is about something the user should fix. */
function warn(io: CliIo, warnings: readonly string[]): void {
  for (const line of warnings) io.stderr(`publish-artifact: warning: ${line}`);
}

/** Notices (retries) on stderr, one line each, kept clear of the progress line. */
function notice(io: CliIo, quiet: boolean, progress?: Progress): (line: string) => void {
  return (line) => {
    if (quiet) return;
    const text = `publish-artifact: ${line}`;
    if (progress) progress.note(text);
    else io.stderr(text);
  };
}

/** The flags typed that `command` does not know (values are marked, so a value such as "-1" is not one). */
function unknownFlags(marked: readonly string[], command: { valueFlags: string[]; booleanFlags: string[] }): string[] {
  const known = new Set([...command.valueFlags, ...command.booleanFlags, "help"]);
  const end = marked.indexOf("--");
  return (end < 0 ? marked : marked.slice(0, end))
    .filter((arg) => arg.startsWith("-") && arg !== "-" && arg !== "-h")
    .map((arg) => arg.split("=")[0] as string)
    .filter((flag) => !flag.startsWith("--") || !known.has(flag.slice(2)));
}

/** Every problem at once: the command's own validation, then each unknown flag. */
async function refuseUnknown(unknown: readonly string[], validate: () => Promise<unknown> | undefined): Promise<never> {
  let problems: readonly string[] = [];
  try {
    await validate();
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    problems = error.problems;
  }
  throw new UsageError([...problems, ...unknown.map((flag) => `unknown flag ${flag}: see publish-artifact --help for the flags`)]);
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

/** Print an error, one line per problem; a run stopped by a signal says so and exits 130 or 143. */
function reportError(error: unknown, io: CliIo, signal?: AbortSignal): number {
  const signalName = signal?.aborted ? (String(signal.reason) as keyof typeof SIGNAL_EXIT) : undefined;
  let lines = error instanceof UsageError ? [...error.problems] : describeError(error).split("\n");
  if (signalName) {
    // The interrupted request's own error says nothing new; a registration saved for later does.
    const interrupted = `interrupted by ${signalName}: any multipart upload was aborted and nothing was registered`;
    lines = error instanceof NotRegisteredError ? [`interrupted by ${signalName}`, ...lines] : [interrupted];
  }
  const text = lines.map((line) => `publish-artifact: error: ${line}`).join("\n");
  io.stderr(text);
  return signalName ? (SIGNAL_EXIT[signalName] ?? ExitCode.interruptedSigint) : exitCodeFor(error);
}
