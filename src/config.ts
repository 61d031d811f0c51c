// Flags and environment, validated with valibot before any file is opened or any request sent.
// Every rule carries the one line the user sees when it fails, so a message names the problem
// and what to do about it.
import * as v from "valibot";
import { UsageError } from "./errors.ts";
import { objectKeyFor } from "./object-key.ts";
import { cdnUrlFor, joinUrl } from "./urls.ts";
import { parseByteSize, MIN_PART_SIZE, MAX_PART_SIZE } from "./s3/part-size.ts";

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
  concurrency: optionalFlag(
    "--concurrency",
    "4",
    (text) => (/^\d+$/.test(text) && Number(text) >= 1 && Number(text) <= 64 ? Number(text) : undefined),
    "must be a whole number from 1 to 64",
  ),
});

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

function requiredVar(name: string, hint: string) {
  return v.pipe(v.string(`${name} is not set: ${hint}`), v.nonEmpty(`${name} is empty: ${hint}`));
}

function requiredUrlVar(name: string, hint: string, example: string) {
  return v.pipe(requiredVar(name, hint), ...urlRules(name, example));
}

/** Unset and empty mean the same for optional variables, as they did for the Python script. */
function optionalVar<T extends v.GenericSchema<string, string>>(schema: T) {
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
});

/**
 * Only the keys a schema knows, each present (undefined when absent): valibot reports an absent key with its own
 * generic text, a present undefined one with the entry's message, which names the variable and the fix.
 */
function entriesOf(schema: { entries: Record<string, unknown> }, input: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.keys(schema.entries).map((key) => [key, input[key]]));
}

function problemsOf(issues: readonly v.BaseIssue<unknown>[]): string[] {
  return issues.map((issue) => issue.message);
}

/** Validate everything a publish needs; throws one UsageError listing every problem found. */
export function loadPublishConfig(flags: RawFlags, env: Env): PublishConfig {
  const parsedFlags = v.safeParse(FlagsSchema, entriesOf(FlagsSchema, flags), { abortPipeEarly: true });
  const parsedEnv = v.safeParse(EnvSchema, entriesOf(EnvSchema, env), { abortPipeEarly: true });
  const problems = [
    ...(parsedFlags.success ? [] : problemsOf(parsedFlags.issues)),
    ...(parsedEnv.success ? [] : problemsOf(parsedEnv.issues)),
  ];
  if (!parsedFlags.success || !parsedEnv.success) throw new UsageError(problems);

  const f = parsedFlags.output;
  const e = parsedEnv.output;
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
    json: f.json,
  };
}
