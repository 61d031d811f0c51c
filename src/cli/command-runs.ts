// What each command does at the command line: validate, run the library, print. The configs and commands are
// imported only when a command runs, so --help and version load neither the pipeline nor the S3 signer.
import type { Env, RawFlags } from "../config/rules.ts";
import { ExitCode, NotRegisteredError } from "../errors.ts";
import type { Secrets } from "../redact.ts";
import type { S3Config } from "../s3/s3-config.ts";
import { versionLine } from "../version.ts";
import { notice, warn, withProgress, type CliIo } from "./output.ts";

/** What a command runs with. Its `io` redacts every secret in `secrets`, the key too once it exists. */
export interface Run {
  options: RawFlags;
  env: Env;
  io: CliIo;
  signal: AbortSignal | undefined;
  args: unknown[];
  secrets: Secrets;
}

export interface CommandRun {
  run: (run: Run) => Promise<number>;
  /** Validate the flags and environment only: throws the UsageError the run would. */
  validate: (options: RawFlags, env: Env, args: unknown[]) => Promise<unknown>;
}

/** By the command's name in flags.ts. */
export const COMMAND_RUNS: Record<string, CommandRun> = {
  version: { run: runVersion, validate: async () => undefined },
  register: { run: runRegister, validate: async (options, env) => (await import("../config/register-config.ts")).loadRegisterConfig(options, env) },
  decrypt: {
    run: runDecrypt,
    validate: async (options, env, args) => (await import("../config/decrypt-config.ts")).loadDecryptConfig(args[0], args[1], options, env),
  },
  abort: { run: runAbort, validate: async (options, env) => (await import("../config/abort-config.ts")).loadAbortConfig(options, env) },
  verify: { run: runVerify, validate: async (options, env) => (await import("../config/verify-config.ts")).loadVerifyConfig(options, env) },
  publish: {
    run: runPublish,
    validate: async (options, env) =>
      writesFile(options)
        ? (await import("../config/output-config.ts")).loadOutputConfig(options, env)
        : (await import("../config/publish-config.ts")).loadPublishConfig(options, env),
  },
};

/** The config, its S3 secrets fetched at run time (STS, the metadata service) joining the output's redaction. */
function redactingFetched<C extends { s3: S3Config }>(config: C, secrets: Secrets): C {
  return { ...config, s3: { ...config.s3, onSecret: (value: string) => secrets.add(value) } };
}

/** --output without --dry-run encrypts to a file instead of publishing. */
function writesFile(options: RawFlags): boolean {
  return options.output !== undefined && !options.dryRun;
}

async function runVersion({ io }: Run): Promise<number> {
  io.stdout(versionLine());
  return ExitCode.ok;
}

async function runPublish(run: Run): Promise<number> {
  const { options, env, io, signal, secrets } = run;
  if (writesFile(options)) return runOutput(run);
  const { loadPublishConfig } = await import("../config/publish-config.ts");
  const config = redactingFetched(loadPublishConfig(options, env), secrets);
  warn(io, config.warnings);
  if (config.dryRun) {
    const { makePlan, planText } = await import("../commands/plan.ts");
    const { plan, exitCode } = await makePlan(config, { signal });
    io.stdout(config.json ? JSON.stringify(plan) : planText(plan, (options.output as string[] | undefined)?.[0]));
    if (exitCode !== undefined) io.stderr("publish-artifact: error: dry run: a check failed (see its FAILED line): a publish would fail the same way");
    return exitCode ?? ExitCode.ok;
  }
  const { publishArtifact } = await import("../commands/publish.ts");
  const { humanSummary, jsonSummary, notRegisteredSummary } = await import("./summary.ts");
  const result = await withProgress(config.file, config.quiet, env, io, (progress) =>
    publishArtifact(config, {
      signal,
      progress,
      log: notice(io, config.quiet, progress),
      warn: (line) => progress.note(`publish-artifact: warning: ${line}`),
      onKey: (hex) => secrets.add(hex),
    }),
  ).catch((error: unknown) => {
    // Uploaded but not registered: `--json > published.json` still gets the object, with registered: false.
    if (config.json && error instanceof NotRegisteredError) io.stdout(notRegisteredSummary(error));
    throw error;
  });
  if (!config.quiet) io.stderr(humanSummary(result));
  if (config.json) io.stdout(jsonSummary(result));
  return ExitCode.ok;
}

async function runOutput({ options, env, io, signal, secrets }: Run): Promise<number> {
  const { loadOutputConfig } = await import("../config/output-config.ts");
  const config = loadOutputConfig(options, env);
  const { encryptToFile } = await import("../commands/write-encrypted.ts");
  const { outputSummary, writtenSummary } = await import("./summary.ts");
  const result = await withProgress(config.file, config.quiet, env, io, (progress) =>
    encryptToFile(config, { progress, signal, onKey: (hex) => secrets.add(hex) }),
  );
  if (!config.quiet) io.stderr(writtenSummary(config.output, result));
  // The key stays in the file the user asked for; stdout may be a CI log.
  if (config.json) io.stdout(outputSummary(result));
  return ExitCode.ok;
}

async function runRegister({ options, env, io, signal, secrets }: Run): Promise<number> {
  const { loadRegisterConfig } = await import("../config/register-config.ts");
  const config = redactingFetched(loadRegisterConfig(options, env), secrets);
  warn(io, config.warnings);
  const { registerFromRecoveryFile } = await import("../commands/register.ts");
  const record = await registerFromRecoveryFile(config, { signal, log: notice(io, false), onKey: (hex) => secrets.add(hex) });
  io.stderr(`registered ${record.object_key}; ${config.from} was removed`);
  return ExitCode.ok;
}

async function runAbort({ options, env, io, signal, secrets }: Run): Promise<number> {
  const { loadAbortConfig } = await import("../config/abort-config.ts");
  const config = redactingFetched(loadAbortConfig(options, env), secrets);
  warn(io, config.warnings);
  const { abortFromRecord } = await import("../commands/abort.ts");
  const { record, held } = await abortFromRecord(config, { signal, log: notice(io, false), onKey: (hex) => secrets.add(hex) });
  const key = record.header.object_key;
  const what = held ? `aborted the multipart upload of ${key} (S3 held ${held.parts} parts, ${held.bytes} bytes)` : `the multipart upload of ${key} was already gone from S3`;
  io.stderr(`${what}; ${config.from} was removed`);
  return ExitCode.ok;
}

async function runDecrypt({ options, env, io, args, secrets }: Run): Promise<number> {
  const { loadDecryptConfig } = await import("../config/decrypt-config.ts");
  const config = loadDecryptConfig(args[0], args[1], options, env);
  warn(io, config.warnings);
  const { decryptFile } = await import("../commands/decrypt.ts");
  const result = await decryptFile(config, { onKey: (hex) => secrets.add(hex), warn: (line) => warn(io, [line]) });
  const checked = result.sha256Checked ? ", sha256 checked" : "";
  io.stderr(`decrypted ${result.encryptedBytes} bytes into ${result.plainBytes} bytes${checked}`);
  return ExitCode.ok;
}

async function runVerify({ options, env, io, signal, secrets }: Run): Promise<number> {
  const { loadVerifyConfig } = await import("../config/verify-config.ts");
  const config = redactingFetched(loadVerifyConfig(options, env), secrets);
  warn(io, config.warnings);
  const { verifyPublished } = await import("../commands/verify.ts");
  const result = await verifyPublished(config, {
    signal,
    log: notice(io, config.quiet),
    warn: (line) => warn(io, [line]),
    onKey: (hex) => secrets.add(hex),
  });
  if (!config.quiet) {
    io.stderr(
      `verified ${result.objectKey}: ${result.encryptedBytes} bytes with sha256 ${result.sha256}` +
        `${result.sha256Checked ? "" : " (not compared: no --sha256 or --from was given)"}, ` +
        `decrypted and identical to the ${result.plainBytes} bytes of ${config.file === "-" ? "stdin" : config.file}`,
    );
  }
  return ExitCode.ok;
}
