// Flags and environment, validated with valibot before any file is opened or any request sent.
// Every rule carries the one line the user sees when it fails, so a message names the problem
// and what to do about it.
import * as v from "valibot";
import { UsageError } from "../errors.ts";
import {
  booleanVar,
  cleartextAdminProblems,
  cleartextS3Warnings,
  flagValue,
  keyPart,
  numberVar,
  optionalFlag,
  optionalVar,
  parseFlagsAndEnv,
  requiredUrlVar,
  requiredVar,
  retryFlags,
  retryPolicy,
  urlRules,
  wholeNumber,
  type Env,
  type RawFlags,
} from "./rules.ts";
import { DEFAULT_LEVEL, defaultWorkers, type CompressionSettings } from "../pipeline/gzip.ts";
import { objectKeyFor, type ArtifactNames } from "../object-key.ts";
import type { S3Config } from "../s3/s3-config.ts";
import { KEY_ON_COMMAND_LINE_WARNING, type KeySource } from "../records/key-source.ts";
import type { RetryPolicy } from "../http/retry.ts";
import { MAX_PART_SIZE, MIN_PART_SIZE, parseByteSize } from "../s3/part-size.ts";
import { cdnUrlFor, joinUrl } from "../urls.ts";


export interface PublishConfig {
  file: string;
  names: ArtifactNames;
  objectKey: string;
  s3: S3Config;
  publishUrl: string;
  adminToken: string;
  cdnUrl: string;
  /** Bytes per multipart part; undefined picks one from the file size. */
  partSize: number | undefined;
  concurrency: number;
  retry: RetryPolicy;
  /** Where a registration that failed after the upload is saved, so its key is not lost; undefined: recovery-dir.ts decides. */
  recoveryDir: string | undefined;
  json: boolean;
  /** No progress, no summary: only errors. */
  quiet: boolean;
  /** Validate and show the plan; read nothing, send nothing. */
  dryRun: boolean;
  compression: CompressionSettings;
  /** One line each, printed before the work starts (plain http to a remote S3). */
  warnings: string[];
  /** Replace an object already at the key (with a warning); false: refuse, and upload only if the key is free. */
  overwrite: boolean;
  /** Publish an empty stdin instead of refusing it. */
  allowEmpty: boolean;
}

export type { Env, RawFlags } from "./rules.ts";

export const DEFAULT_PUBLISH_PATH = "internal/resources/publish";
export const DEFAULT_REGION = "us-east-1";
export const DEFAULT_CONCURRENCY = 4;

const FlagsSchema = v.object({
  file: v.pipe(flagValue("--file", "./model.trt"), v.nonEmpty("--file is empty: give the path of the artifact")),
  resourceName: keyPart("--resource-name", "my_model"),
  devStage: keyPart("--dev-stage", "dev"),
  architecture: keyPart("--architecture", "arm64"),
  // `--version` alone is how many programs print their own version: say where ours is.
  version: keyPart("--version", "2026-04-15", " (the artifact's version; the program's own version is: publish-artifact version)"),
  json: v.optional(v.boolean("--json takes no value"), false),
  partSize: optionalFlag(
    "--part-size",
    "64MiB",
    (text) => {
      const bytes = parseByteSize(text);
      return bytes !== undefined && bytes >= MIN_PART_SIZE && bytes <= MAX_PART_SIZE ? bytes : undefined;
    },
    "must be a size between 5MiB and 5GiB",
  ),
  concurrency: optionalFlag("--concurrency", "4", wholeNumber(1, 64), "must be a whole number from 1 to 64"),
  ...retryFlags(),
  recoveryDir: v.optional(v.pipe(flagValue("--recovery-dir", "/var/lib/publish-artifact"), v.nonEmpty("--recovery-dir is empty: give a directory"))),
  output: v.optional(
    v.pipe(
      flagValue("--output", "./model.trt.enc"),
      v.nonEmpty("--output is empty: give the path of the encrypted file"),
      v.check((s) => s !== "-", "--output - cannot be: the key goes into a metadata file beside the output (FILE.json); give a path, e.g. --output ./model.trt.enc"),
    ),
  ),
  workers: optionalFlag("--workers", "3", wholeNumber(0, 64), "must be a whole number from 0 to 64"),
  level: optionalFlag("--level", "6", wholeNumber(1, 9), "must be a whole number from 1 to 9"),
  quiet: v.optional(v.boolean("--quiet takes no value"), false),
  dryRun: v.optional(v.boolean("--dry-run takes no value"), false),
  allowHttp: v.optional(v.boolean("--allow-http takes no value"), false),
  /** cac's name for --no-overwrite: false when it was given. */
  overwrite: v.optional(v.boolean("--no-overwrite takes no value"), true),
  allowEmpty: v.optional(v.boolean("--allow-empty takes no value"), false),
});

function namesOf(f: { resourceName: string; devStage: string; architecture: string; version: string }): ArtifactNames {
  return { resourceName: f.resourceName, devStage: f.devStage, architecture: f.architecture, version: f.version };
}

const EnvSchema = v.object({
  S3_ENDPOINT: requiredUrlVar("S3_ENDPOINT", "set it to the S3 server's base URL", "https://s3.example.com"),
  S3_ACCESS_KEY: requiredVar("S3_ACCESS_KEY", "set it to the S3 access key id"),
  S3_SECRET_KEY: requiredVar("S3_SECRET_KEY", "set it to the S3 secret key"),
  S3_BUCKET: v.pipe(
    requiredVar("S3_BUCKET", "set it to the target bucket's name"),
    v.check((s) => !/[/\s]/.test(s), 'S3_BUCKET must be a bare bucket name, without "/" or spaces'),
  ),
  S3_REGION: optionalVar(v.pipe(v.string(), v.regex(/^[a-z0-9-]+$/, "S3_REGION must look like us-east-1"))),
  S3_SESSION_TOKEN: optionalVar(v.pipe(v.string(), v.check((s) => !/[\s]/.test(s), "S3_SESSION_TOKEN must not contain spaces or line breaks"))),
  ADMIN_API_URL: requiredUrlVar("ADMIN_API_URL", "set it to the admin API's base URL", "https://admin.example.com"),
  ADMIN_API_TOKEN: requiredVar("ADMIN_API_TOKEN", "set it to the admin API bearer token"),
  ADMIN_API_PUBLISH_PATH: optionalVar(
    v.pipe(
      v.string(),
      v.check((s) => !/[\s?#]/.test(s), 'ADMIN_API_PUBLISH_PATH must be a plain path without spaces, "?" or "#"'),
    ),
  ),
  CDN_PUBLIC_BASE_URL: optionalVar(v.pipe(v.string(), ...urlRules("CDN_PUBLIC_BASE_URL", "https://cdn.example.com"))),
  PUBLISH_ARTIFACT_RETRIES: optionalVar(numberVar("PUBLISH_ARTIFACT_RETRIES", 0, 20, "a whole number")),
  PUBLISH_ARTIFACT_TIMEOUT: optionalVar(numberVar("PUBLISH_ARTIFACT_TIMEOUT", 1, 86_400, "a whole number of seconds")),
  PUBLISH_ARTIFACT_RECOVERY_DIR: optionalVar(v.string()),
  PUBLISH_ARTIFACT_WORKERS: optionalVar(numberVar("PUBLISH_ARTIFACT_WORKERS", 0, 64, "a whole number")),
  PUBLISH_ARTIFACT_LEVEL: optionalVar(numberVar("PUBLISH_ARTIFACT_LEVEL", 1, 9, "a whole number")),
  PUBLISH_ARTIFACT_ALLOW_HTTP: optionalVar(booleanVar("PUBLISH_ARTIFACT_ALLOW_HTTP")),
});

/** Workers from the flag, the environment or the cores; a level other than 6 needs a worker (see gzip.ts). */
function compressionOf(workers: number | undefined, level: number | undefined): CompressionSettings {
  const chosenLevel = level ?? DEFAULT_LEVEL;
  const chosenWorkers = workers ?? defaultWorkers();
  return { workers: chosenWorkers === 0 && chosenLevel !== DEFAULT_LEVEL ? 1 : chosenWorkers, level: chosenLevel };
}

/** Validate everything a publish needs; throws one UsageError listing every problem found. */
export function loadPublishConfig(flags: RawFlags, env: Env): PublishConfig {
  const [f, e] = parseFlagsAndEnv(FlagsSchema, flags, EnvSchema, env, cleartextAdminProblems(flags, env));
  const names = namesOf(f);
  const objectKey = objectKeyFor(names);
  const s3 = s3ConfigOf(e);
  return {
    file: f.file,
    names,
    objectKey,
    s3,
    publishUrl: joinUrl(e.ADMIN_API_URL, e.ADMIN_API_PUBLISH_PATH ?? DEFAULT_PUBLISH_PATH),
    adminToken: e.ADMIN_API_TOKEN,
    cdnUrl: cdnUrlFor({ cdnBaseUrl: e.CDN_PUBLIC_BASE_URL, endpoint: s3.endpoint, bucket: s3.bucket, objectKey }),
    partSize: f.partSize,
    concurrency: f.concurrency ?? DEFAULT_CONCURRENCY,
    retry: retryPolicy(f.retries ?? e.PUBLISH_ARTIFACT_RETRIES, f.timeout ?? e.PUBLISH_ARTIFACT_TIMEOUT),
    recoveryDir: f.recoveryDir ?? e.PUBLISH_ARTIFACT_RECOVERY_DIR,
    json: f.json,
    quiet: f.quiet,
    dryRun: f.dryRun,
    compression: compressionOf(f.workers ?? e.PUBLISH_ARTIFACT_WORKERS, f.level ?? e.PUBLISH_ARTIFACT_LEVEL),
    warnings: cleartextS3Warnings(s3.endpoint),
    overwrite: f.overwrite,
    allowEmpty: f.allowEmpty,
  };
}

function s3ConfigOf(e: {
  S3_ENDPOINT: string;
  S3_ACCESS_KEY: string;
  S3_SECRET_KEY: string;
  S3_BUCKET: string;
  S3_REGION?: string | undefined;
  S3_SESSION_TOKEN?: string | undefined;
}): S3Config {
  return {
    endpoint: e.S3_ENDPOINT.replace(/\/+$/, ""),
    accessKeyId: e.S3_ACCESS_KEY,
    secretAccessKey: e.S3_SECRET_KEY,
    bucket: e.S3_BUCKET,
    region: e.S3_REGION ?? DEFAULT_REGION,
    ...(e.S3_SESSION_TOKEN === undefined ? {} : { sessionToken: e.S3_SESSION_TOKEN }),
  };
}

/** `--output FILE`: encrypt to a local file; no S3 and no admin API, so none of their variables is needed. */
export interface OutputConfig {
  file: string;
  output: string;
  names: ArtifactNames;
  objectKey: string;
  /** As a publish would register it, when the environment says where the object will be; else undefined. */
  cdnUrl: string | undefined;
  json: boolean;
  quiet: boolean;
  compression: CompressionSettings;
  allowEmpty: boolean;
}

const OutputEnvSchema = v.object({
  ...v.pick(EnvSchema, ["PUBLISH_ARTIFACT_WORKERS", "PUBLISH_ARTIFACT_LEVEL"]).entries,
  S3_ENDPOINT: optionalVar(v.pipe(v.string(), ...urlRules("S3_ENDPOINT", "https://s3.example.com"))),
  S3_BUCKET: optionalVar(v.pipe(v.string(), v.check((s) => !/[/\s]/.test(s), 'S3_BUCKET must be a bare bucket name, without "/" or spaces'))),
  CDN_PUBLIC_BASE_URL: optionalVar(v.pipe(v.string(), ...urlRules("CDN_PUBLIC_BASE_URL", "https://cdn.example.com"))),
});

export function loadOutputConfig(flags: RawFlags, env: Env): OutputConfig {
  const [f, e] = parseFlagsAndEnv(FlagsSchema, flags, OutputEnvSchema, env);
  const names = namesOf(f);
  const objectKey = objectKeyFor(names);
  const cdnUrl =
    e.CDN_PUBLIC_BASE_URL !== undefined || (e.S3_ENDPOINT !== undefined && e.S3_BUCKET !== undefined)
      ? cdnUrlFor({ cdnBaseUrl: e.CDN_PUBLIC_BASE_URL, endpoint: e.S3_ENDPOINT ?? "", bucket: e.S3_BUCKET ?? "", objectKey })
      : undefined;
  return {
    file: f.file,
    output: f.output as string,
    names,
    objectKey,
    cdnUrl,
    json: f.json,
    quiet: f.quiet,
    compression: compressionOf(f.workers ?? e.PUBLISH_ARTIFACT_WORKERS, f.level ?? e.PUBLISH_ARTIFACT_LEVEL),
    allowEmpty: f.allowEmpty,
  };
}

const hexFlag = (flag: string, what: string) =>
  v.pipe(
    flagValue(flag, "<64 hex digits>"),
    v.transform((s) => s.toLowerCase()),
    v.regex(/^[0-9a-f]{64}$/, `${flag} must be ${what} as 64 hex digits`),
  );

const KeyFlags = {
  key: v.optional(hexFlag("--key", "the encryption key")),
  keyFile: v.optional(v.pipe(flagValue("--key-file", "./model.trt.enc.json"), v.nonEmpty("--key-file is empty: give the path of a file holding the key"))),
};
const KeyEnv = {
  PUBLISH_ARTIFACT_KEY: optionalVar(
    v.pipe(
      v.string(),
      v.transform((s) => s.trim().toLowerCase()),
      v.regex(/^[0-9a-f]{64}$/, "PUBLISH_ARTIFACT_KEY must be the encryption key as 64 hex digits"),
    ),
  ),
};
const ONE_KEY = "give the key once: --key-file PATH or --key HEX, not both";

/** Whether any key was given, from the raw flags and environment (for problems reported with the others). */
function keyGiven(flags: RawFlags, env: Env): boolean {
  return flags.key !== undefined || flags.keyFile !== undefined || !!env.PUBLISH_ARTIFACT_KEY;
}

/** The key's one source, flags before the environment; undefined when none was given. */
function keySourceOf(f: { key?: string | undefined; keyFile?: string | undefined }, e: { PUBLISH_ARTIFACT_KEY?: string | undefined }): KeySource | undefined {
  if (f.keyFile !== undefined) return { kind: "file", path: f.keyFile };
  if (f.key !== undefined) return { kind: "flag", hex: f.key };
  if (e.PUBLISH_ARTIFACT_KEY !== undefined) return { kind: "env", hex: e.PUBLISH_ARTIFACT_KEY };
  return undefined;
}

function keyWarnings(source: KeySource | undefined): string[] {
  return source?.kind === "flag" ? [KEY_ON_COMMAND_LINE_WARNING] : [];
}

/** `verify`: the publish's own flags and S3 variables, and what to check against. */
export interface VerifyConfig {
  file: string;
  /** From the names; undefined with --from and no names, when the file names the object. */
  objectKey: string | undefined;
  s3: S3Config;
  retry: RetryPolicy;
  /** A recovery or metadata file (key and hash), or a key with --sha256 (a --key-file of metadata may give it). */
  expected: { from: string } | { key: KeySource; sha256: string | undefined };
  quiet: boolean;
  warnings: string[];
}

export const VERIFY_NEEDS_SHA256 = "verify needs --sha256 HEX with the key (or --from FILE, which holds both)";

const verifyFlagsSchema = (namesRequired: boolean) =>
  v.pipe(
    v.object({
      file: v.pipe(flagValue("--file", "./model.trt"), v.nonEmpty("--file is empty: give the path of the artifact")),
      // With --from, the file names the object: the names may be left out.
      resourceName: namesRequired ? FlagsSchema.entries.resourceName : v.optional(FlagsSchema.entries.resourceName),
      devStage: namesRequired ? FlagsSchema.entries.devStage : v.optional(FlagsSchema.entries.devStage),
      architecture: namesRequired ? FlagsSchema.entries.architecture : v.optional(FlagsSchema.entries.architecture),
      version: namesRequired ? FlagsSchema.entries.version : v.optional(FlagsSchema.entries.version),
      ...KeyFlags,
      sha256: v.optional(hexFlag("--sha256", "the SHA-256 of the uploaded object")),
      from: v.optional(v.pipe(flagValue("--from", "./publish-artifact-recovery-....json"), v.nonEmpty("--from is empty: give a file"))),
      quiet: FlagsSchema.entries.quiet,
      ...retryFlags(),
    }),
    v.check((f) => f.key === undefined || f.keyFile === undefined, ONE_KEY),
    v.check(
      (f) => f.from === undefined || (f.key === undefined && f.keyFile === undefined && f.sha256 === undefined),
      "verify takes --from FILE (which holds the key and the hash) or a key with --sha256, not both",
    ),
    v.check(
      (f) => [f.resourceName, f.devStage, f.architecture, f.version].filter((name) => name === undefined).length % 4 === 0,
      "with --from, give all four of --resource-name, --dev-stage, --architecture and --version, or none (the file names the object)",
    ),
  );

const S3EnvSchema = v.pick(EnvSchema, [
  "S3_ENDPOINT",
  "S3_ACCESS_KEY",
  "S3_SECRET_KEY",
  "S3_BUCKET",
  "S3_REGION",
  "S3_SESSION_TOKEN",
  "PUBLISH_ARTIFACT_RETRIES",
  "PUBLISH_ARTIFACT_TIMEOUT",
]);
const VerifyEnvSchema = v.object({ ...S3EnvSchema.entries, ...KeyEnv });

export function loadVerifyConfig(flags: RawFlags, env: Env): VerifyConfig {
  const [f, e] = parseFlagsAndEnv(verifyFlagsSchema(flags.from === undefined), flags, VerifyEnvSchema, env, verifyKeyProblems(flags, env));
  const s3 = s3ConfigOf(e);
  const key = f.from === undefined ? keySourceOf(f, e) : undefined;
  const { resourceName, devStage, architecture, version } = f;
  const named = resourceName !== undefined && devStage !== undefined && architecture !== undefined && version !== undefined;
  return {
    file: f.file,
    objectKey: named ? objectKeyFor({ resourceName, devStage, architecture, version }) : undefined,
    s3,
    retry: retryPolicy(f.retries ?? e.PUBLISH_ARTIFACT_RETRIES, f.timeout ?? e.PUBLISH_ARTIFACT_TIMEOUT),
    expected: f.from !== undefined ? { from: f.from } : { key: key as KeySource, sha256: f.sha256 },
    quiet: f.quiet,
    warnings: [...cleartextS3Warnings(s3.endpoint), ...keyWarnings(key)],
  };
}

/** What verify is missing to know the key and the hash; a --key-file of metadata may still lack nothing. */
function verifyKeyProblems(flags: RawFlags, env: Env): string[] {
  if (flags.from !== undefined) return [];
  if (!keyGiven(flags, env)) {
    return ["verify needs the key and the hash: --from FILE (a recovery file or the metadata --output wrote), or --key-file PATH or PUBLISH_ARTIFACT_KEY with --sha256 HEX"];
  }
  return flags.sha256 === undefined && flags.keyFile === undefined ? [VERIFY_NEEDS_SHA256] : [];
}

/** `decrypt [--key-file PATH] [--sha256 HEX] IN OUT`: the loader's side, for people. */
export interface DecryptConfig {
  input: string;
  output: string;
  key: KeySource;
  sha256: string | undefined;
  warnings: string[];
}

const DecryptFlagsSchema = v.pipe(
  v.object({
    ...KeyFlags,
    sha256: v.optional(hexFlag("--sha256", "the SHA-256 of the encrypted file")),
  }),
  v.check((f) => f.key === undefined || f.keyFile === undefined, ONE_KEY),
);
const DecryptEnvSchema = v.object(KeyEnv);

export function loadDecryptConfig(input: unknown, output: unknown, flags: RawFlags, env: Env): DecryptConfig {
  const noKey = keyGiven(flags, env) ? [] : ["decrypt needs the key: --key-file PATH (a file holding it, or the metadata or recovery file) or PUBLISH_ARTIFACT_KEY"];
  const [f, e] = parseFlagsAndEnv(DecryptFlagsSchema, flags, DecryptEnvSchema, env, noKey);
  const path = (value: unknown, what: string) => {
    if (typeof value !== "string" || value === "") throw new UsageError(`decrypt needs ${what}: publish-artifact decrypt --key-file PATH IN OUT ("-" for stdin or stdout)`);
    return value;
  };
  const key = keySourceOf(f, e) as KeySource;
  return { input: path(input, "an input file"), output: path(output, "an output file"), key, sha256: f.sha256, warnings: keyWarnings(key) };
}

export interface RegisterConfig {
  from: string;
  /** From ADMIN_API_URL and ADMIN_API_PUBLISH_PATH: the token goes nowhere a file says. */
  publishUrl: string;
  adminToken: string;
  retry: RetryPolicy;
}

const RegisterFlagsSchema = v.object({
  from: v.pipe(flagValue("--from", "./publish-artifact-recovery-....json"), v.nonEmpty("--from is empty: give the recovery file's path")),
  allowHttp: FlagsSchema.entries.allowHttp,
  ...retryFlags(),
});

const RegisterEnvSchema = v.pick(EnvSchema, [
  "ADMIN_API_URL",
  "ADMIN_API_TOKEN",
  "ADMIN_API_PUBLISH_PATH",
  "PUBLISH_ARTIFACT_RETRIES",
  "PUBLISH_ARTIFACT_TIMEOUT",
  "PUBLISH_ARTIFACT_ALLOW_HTTP",
]);

/** What `publish-artifact register --from FILE` needs: the file, and the admin API's URL and token. */
export function loadRegisterConfig(flags: RawFlags, env: Env): RegisterConfig {
  const [f, e] = parseFlagsAndEnv(RegisterFlagsSchema, flags, RegisterEnvSchema, env, cleartextAdminProblems(flags, env));
  return {
    from: f.from,
    publishUrl: joinUrl(e.ADMIN_API_URL, e.ADMIN_API_PUBLISH_PATH ?? DEFAULT_PUBLISH_PATH),
    adminToken: e.ADMIN_API_TOKEN,
    retry: retryPolicy(f.retries ?? e.PUBLISH_ARTIFACT_RETRIES, f.timeout ?? e.PUBLISH_ARTIFACT_TIMEOUT),
  };
}
