// Flags and environment, validated with valibot before any file is opened or any request sent.
// Every rule carries the one line the user sees when it fails, so a message names the problem
// and what to do about it.
import * as v from "valibot";
import { UsageError } from "./errors.ts";
import { objectKeyFor } from "./object-key.ts";
import { cdnUrlFor, joinUrl } from "./urls.ts";
import { parseByteSize, MIN_PART_SIZE, MAX_PART_SIZE } from "./s3/part-size.ts";
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "./retry.ts";

export interface ArtifactNames {
  resourceName: string;
  devStage: string;
  architecture: string;
  version: string;
}

export interface S3Config {
  /** Base URL without a trailing slash, e.g. `https://s3.example.com` or `http://127.0.0.1:7480/prefix`. */
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  bucket: string;
  region: string;
}

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
  /** Where a registration that failed after the upload is saved, so its key is not lost. */
  recoveryDir: string | undefined;
  json: boolean;
}

/** The flags as cac hands them over: each value-taking flag as an array of what was typed. */
export type RawFlags = Record<string, unknown>;
export type Env = Record<string, string | undefined>;

export const DEFAULT_PUBLISH_PATH = "internal/resources/publish";
export const DEFAULT_REGION = "us-east-1";
export const DEFAULT_CONCURRENCY = 4;

/** One flag's value: typed exactly once, and with a value. */
function flagValue(flag: string, example: string) {
  return v.pipe(
    v.array(v.string(`${flag} needs a value, e.g. ${flag} ${example}`), `${flag} is required, e.g. ${flag} ${example}`),
    v.check((values) => values.length === 1, `${flag} was given more than once: give it once`),
    v.transform((values) => values[0] as string),
  );
}

/** A part of the object key: it must not change the key's shape. */
function keyPart(flag: string, example: string) {
  return v.pipe(
    flagValue(flag, example),
    v.nonEmpty(`${flag} is empty: give a non-empty value, e.g. ${flag} ${example}`),
    v.check((s) => s === s.trim(), `${flag} has leading or trailing spaces: remove them`),
    v.check((s) => !/[/\\]/.test(s), `${flag} contains "/" or "\\", which would change the object key's path: remove it`),
    v.check((s) => s !== "." && s !== "..", `${flag} must not be "." or "..": give a real name`),
    // deno-lint-ignore no-control-regex
    v.check((s) => !/[\u0000-\u001f\u007f]/.test(s), `${flag} contains control characters: remove them`),
  );
}

/** An optional flag whose text `parse` turns into a value, or undefined when the text breaks `rule`. */
function optionalFlag<T>(flag: string, example: string, parse: (text: string) => T | undefined, rule: string) {
  return v.optional(
    v.pipe(
      flagValue(flag, example),
      v.rawTransform(({ dataset, addIssue, NEVER }) => {
        const value = parse(dataset.value);
        if (value !== undefined) return value;
        addIssue({ message: `${flag} ${rule}, e.g. ${flag} ${example}` });
        return NEVER;
      }),
    ),
  );
}

const FlagsSchema = v.object({
  file: v.pipe(flagValue("--file", "./model.trt"), v.nonEmpty("--file is empty: give the path of the artifact")),
  resourceName: keyPart("--resource-name", "my_model"),
  devStage: keyPart("--dev-stage", "dev"),
  architecture: keyPart("--architecture", "arm64"),
  version: keyPart("--version", "2026-04-15"),
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
});

function retryFlags() {
  return {
    retries: optionalFlag("--retries", "4", wholeNumber(0, 20), "must be a whole number from 0 to 20"),
    timeout: optionalFlag("--timeout", "120", wholeNumber(1, 86_400), "must be a whole number of seconds from 1 to 86400"),
  };
}

function wholeNumber(min: number, max: number) {
  return (text: string) => (/^\d+$/.test(text) && Number(text) >= min && Number(text) <= max ? Number(text) : undefined);
}

const urlRules = (name: string, example: string) =>
  [
    v.check((s: string) => URL.canParse(s), `${name} is not a valid URL: set it to a full URL such as ${example}`),
    v.check(
      (s: string) => !URL.canParse(s) || ["http:", "https:"].includes(new URL(s).protocol),
      `${name} must start with http:// or https://, e.g. ${example}`,
    ),
    v.check(
      (s: string) => !URL.canParse(s) || (new URL(s).username === "" && new URL(s).password === ""),
      `${name} must not contain credentials (user:password@): remove them from the URL`,
    ),
    v.check(
      (s: string) => !URL.canParse(s) || (new URL(s).search === "" && new URL(s).hash === ""),
      `${name} must not have a query string or fragment: remove everything from "?" or "#" on`,
    ),
  ] as const;

function numberVar(name: string, min: number, max: number, what: string) {
  const message = `${name} must be ${what} from ${min} to ${max}`;
  return v.pipe(v.string(), v.regex(/^\d+$/, message), v.transform(Number), v.minValue(min, message), v.maxValue(max, message));
}

function requiredVar(name: string, hint: string) {
  return v.pipe(v.string(`${name} is not set: ${hint}`), v.nonEmpty(`${name} is empty: ${hint}`));
}

function requiredUrlVar(name: string, hint: string, example: string) {
  return v.pipe(requiredVar(name, hint), ...urlRules(name, example));
}

/** Unset and empty mean the same for optional variables, as they did for the Python script. */
function optionalVar<T extends v.GenericSchema<string, unknown>>(schema: T) {
  return v.pipe(
    v.optional(v.string()),
    v.transform((s) => (s === "" ? undefined : s)),
    v.optional(schema),
  );
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
});

/**
 * Only the keys a schema knows, each present (undefined when absent): valibot reports an absent key with its own
 * generic text, a present undefined one with the entry's message, which names the variable and the fix.
 */
function entriesOf(schema: { entries: Record<string, unknown> }, input: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.keys(schema.entries).map((key) => [key, input[key]]));
}

type ObjectSchema = v.ObjectSchema<v.ObjectEntries, undefined>;

/** Validate flags and environment together, so one run reports every problem; throws a UsageError. */
function parseFlagsAndEnv<F extends ObjectSchema, E extends ObjectSchema>(
  flagsSchema: F,
  flags: RawFlags,
  envSchema: E,
  env: Env,
): [v.InferOutput<F>, v.InferOutput<E>] {
  const parsedFlags = v.safeParse(flagsSchema, entriesOf(flagsSchema, flags), { abortPipeEarly: true });
  const parsedEnv = v.safeParse(envSchema, entriesOf(envSchema, env), { abortPipeEarly: true });
  if (parsedFlags.success && parsedEnv.success) return [parsedFlags.output, parsedEnv.output];
  const issues = [...(parsedFlags.issues ?? []), ...(parsedEnv.issues ?? [])];
  throw new UsageError(issues.map((issue) => issue.message));
}

/** Validate everything a publish needs; throws one UsageError listing every problem found. */
export function loadPublishConfig(flags: RawFlags, env: Env): PublishConfig {
  const [f, e] = parseFlagsAndEnv(FlagsSchema, flags, EnvSchema, env);
  const names: ArtifactNames = {
    resourceName: f.resourceName,
    devStage: f.devStage,
    architecture: f.architecture,
    version: f.version,
  };
  const objectKey = objectKeyFor(names);
  const s3: S3Config = {
    endpoint: e.S3_ENDPOINT.replace(/\/+$/, ""),
    accessKeyId: e.S3_ACCESS_KEY,
    secretAccessKey: e.S3_SECRET_KEY,
    bucket: e.S3_BUCKET,
    region: e.S3_REGION ?? DEFAULT_REGION,
  };
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
  };
}

function retryPolicy(retries: number | undefined, timeoutSeconds: number | undefined): RetryPolicy {
  return {
    ...DEFAULT_RETRY_POLICY,
    attempts: 1 + (retries ?? DEFAULT_RETRY_POLICY.attempts - 1),
    timeoutMs: timeoutSeconds === undefined ? DEFAULT_RETRY_POLICY.timeoutMs : timeoutSeconds * 1000,
  };
}

export interface RegisterConfig {
  from: string;
  /** From ADMIN_API_URL and ADMIN_API_PUBLISH_PATH when set; otherwise the recovery file's own URL is used. */
  publishUrl: string | undefined;
  adminToken: string;
  retry: RetryPolicy;
}

const RegisterFlagsSchema = v.object({
  from: v.pipe(flagValue("--from", "./publish-artifact-recovery-....json"), v.nonEmpty("--from is empty: give the recovery file's path")),
  ...retryFlags(),
});

const RegisterEnvSchema = v.object({
  ADMIN_API_TOKEN: EnvSchema.entries.ADMIN_API_TOKEN,
  ADMIN_API_URL: optionalVar(v.pipe(v.string(), ...urlRules("ADMIN_API_URL", "https://admin.example.com"))),
  ADMIN_API_PUBLISH_PATH: EnvSchema.entries.ADMIN_API_PUBLISH_PATH,
  PUBLISH_ARTIFACT_RETRIES: EnvSchema.entries.PUBLISH_ARTIFACT_RETRIES,
  PUBLISH_ARTIFACT_TIMEOUT: EnvSchema.entries.PUBLISH_ARTIFACT_TIMEOUT,
});

/** What `publish-artifact register --from FILE` needs: the file, the admin token, and optionally its URL. */
export function loadRegisterConfig(flags: RawFlags, env: Env): RegisterConfig {
  const [f, e] = parseFlagsAndEnv(RegisterFlagsSchema, flags, RegisterEnvSchema, env);
  return {
    from: f.from,
    publishUrl: e.ADMIN_API_URL === undefined ? undefined : joinUrl(e.ADMIN_API_URL, e.ADMIN_API_PUBLISH_PATH ?? DEFAULT_PUBLISH_PATH),
    adminToken: e.ADMIN_API_TOKEN,
    retry: retryPolicy(f.retries ?? e.PUBLISH_ARTIFACT_RETRIES, f.timeout ?? e.PUBLISH_ARTIFACT_TIMEOUT),
  };
}
