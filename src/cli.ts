#!/usr/bin/env bun
// The command line: parse, validate, run the library, print. Everything else lives in the modules it calls;
// the publish pipeline is imported only when a publish runs, so --help and version start fast.
import { cac } from "cac";
import { markFlagValues, unmark } from "./argv.ts";
import type { Env } from "./config.ts";
import { ExitCode, NotRegisteredError, UsageError, describeError, exitCodeFor } from "./errors.ts";
import { helpText } from "./help.ts";
import { redact } from "./redact.ts";
import { versionLine } from "./version.ts";

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

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
] as const;
const REGISTER_FLAGS = ["from", "retries", "timeout"] as const;
const VALUE_FLAGS = new Set<string>([...PUBLISH_FLAGS, ...REGISTER_FLAGS]);
const SIGNAL_EXIT = { SIGINT: ExitCode.interruptedSigint, SIGTERM: ExitCode.interruptedSigterm } as const;

/** Run the CLI with `argv` (without the program name); resolves with the exit code. */
export async function runCli(argv: readonly string[], env: Env, io: CliIo, signal?: AbortSignal): Promise<number> {
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
  cli.command("version", "Print the program's version").action(() => {
    action = async () => {
      io.stdout(versionLine());
      return ExitCode.ok;
    };
  });
  const registerCommand = cli.command("register", "Send a saved registration again");
  for (const flag of REGISTER_FLAGS) registerCommand.option(`--${flag} <value>`, "", { type: [unmark] });
  registerCommand.action((options: Record<string, unknown>) => {
    action = () => runRegister(options, env, io, signal);
  });
  const publishCommand = cli.command("", "Publish an artifact");
  for (const flag of PUBLISH_FLAGS) publishCommand.option(`--${flag} <value>`, "", { type: [unmark] });
  publishCommand.option("--json", "").action((options: Record<string, unknown>) => {
    action = () => runPublish(options, env, io, signal);
  });

  try {
    cli.parse(["", "", ...markFlagValues(argv, VALUE_FLAGS)], { run: false });
    await cli.runMatchedCommand();
  } catch (error) {
    return reportError(isCacError(error) ? usageErrorFrom(error) : error, env, io);
  }
  if (!action) return reportError(new UsageError(`unknown command "${argv[0]}": see publish-artifact --help`), env, io);
  return action();
}

async function runPublish(options: Record<string, unknown>, env: Env, io: CliIo, signal?: AbortSignal): Promise<number> {
  try {
    const { loadPublishConfig } = await import("./config.ts");
    const config = loadPublishConfig(options, env);
    const { publishArtifact } = await import("./publish.ts");
    const { humanSummary, jsonSummary } = await import("./summary.ts");
    const result = await publishArtifact(config, { signal, log: notice(env, io) });
    io.stderr(humanSummary(result));
    if (config.json) io.stdout(jsonSummary(result));
    return ExitCode.ok;
  } catch (error) {
    return reportError(error, env, io, signal);
  }
}

async function runRegister(options: Record<string, unknown>, env: Env, io: CliIo, signal?: AbortSignal): Promise<number> {
  try {
    const { loadRegisterConfig } = await import("./config.ts");
    const config = loadRegisterConfig(options, env);
    const { registerFromRecoveryFile } = await import("./register-again.ts");
    const record = await registerFromRecoveryFile(config, { signal, log: notice(env, io) });
    io.stderr(`registered ${record.object_key}; ${config.from} was removed`);
    return ExitCode.ok;
  } catch (error) {
    return reportError(error, env, io, signal);
  }
}

/** Progress notices (retries) on stderr, one line each. */
function notice(env: Env, io: CliIo): (line: string) => void {
  return (line) => io.stderr(redact(`publish-artifact: ${line}`, [env.S3_SECRET_KEY, env.ADMIN_API_TOKEN]));
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
  return new UsageError(`${error.message.replace(/`/g, "")}: see publish-artifact --help`);
}

/** Print an error, one line per problem; a run stopped by a signal says so and exits 130 or 143. */
function reportError(error: unknown, env: Env, io: CliIo, signal?: AbortSignal): number {
  const signalName = signal?.aborted ? (String(signal.reason) as keyof typeof SIGNAL_EXIT) : undefined;
  let lines = error instanceof UsageError ? [...error.problems] : describeError(error).split("\n");
  if (signalName) {
    // The interrupted request's own error says nothing new; a registration saved for later does.
    const interrupted = `interrupted by ${signalName}: any multipart upload was aborted and nothing was registered`;
    lines = error instanceof NotRegisteredError ? [`interrupted by ${signalName}`, ...lines] : [interrupted];
  }
  const text = lines.map((line) => `publish-artifact: error: ${line}`).join("\n");
  io.stderr(redact(text, [env.S3_SECRET_KEY, env.ADMIN_API_TOKEN]));
  return signalName ? (SIGNAL_EXIT[signalName] ?? ExitCode.interruptedSigint) : exitCodeFor(error);
}

if (import.meta.main) {
  const controller = new AbortController();
  for (const name of ["SIGINT", "SIGTERM"] as const) {
    process.on(name, () => {
      // A second signal means "now": the first is already cleaning up.
      if (controller.signal.aborted) process.exit(SIGNAL_EXIT[name]);
      controller.abort(name);
    });
  }
  const code = await runCli(
    process.argv.slice(2),
    process.env,
    { stdout: (text) => console.log(text), stderr: (text) => console.error(text) },
    controller.signal,
  );
  process.exit(code);
}
