// Every environment variable the CLI reads, declared once, as flags.ts declares the flags: its name, whether a
// publish needs it, what it means, whether it is a secret, and the words of its problems. The validation
// (s3-variables.ts, admin-variables.ts, key-config.ts), the environment block of --help, the README's variable
// table and its Deno --allow-env list (scripts/readme-tables.ts), the tests' Deno permissions and the secrets
// every output is redacted of are all made from this table; test/unit/variables.test.ts fails when one drifts.
// Plain data: printing --help loads no validator. The variables that give a flag its default are declared
// with their flag (flags.ts: `env`).
import { allFlags } from "./flags.ts";

export interface Variable {
  readonly name: string;
  /** Whether a publish fails without it (`verify` and `register` need the S3 ones too; see `help`). */
  readonly required: boolean;
  /** What it is, for --help and the README: sentences, `code` in backquotes. */
  readonly help: string;
  /** Never printed: every line out of the CLI is redacted of its value. */
  readonly secret: boolean;
  /** What to do when it is missing or empty, said after "NAME is not set: ". */
  readonly fix?: string;
  /** A typical value, shown in its problems. */
  readonly example?: string;
}

export const VARIABLES = {
  S3_ENDPOINT: {
    name: "S3_ENDPOINT",
    required: true,
    help: "S3-compatible endpoint URL: scheme, host and port, no path (path-style requests; the bucket goes in `S3_BUCKET`).",
    secret: false,
    fix: "set it to the S3 server's base URL",
    example: "https://s3.example.com",
  },
  S3_ACCESS_KEY: {
    name: "S3_ACCESS_KEY",
    required: false,
    help: "Upload credentials: access key id. With `S3_SECRET_KEY`; both unset: AWS's credential chain (`AWS_ACCESS_KEY_ID`, a web identity, the instance's role).",
    secret: false,
    fix: "set it to the S3 access key id",
  },
  S3_SECRET_KEY: { name: "S3_SECRET_KEY", required: false, help: "Upload credentials: secret key; never sent, never printed.", secret: true, fix: "set it to the S3 secret key" },
  S3_BUCKET: { name: "S3_BUCKET", required: true, help: "Target bucket.", secret: false, fix: "set it to the target bucket's name" },
  S3_REGION: { name: "S3_REGION", required: false, help: "Signing region (default: `us-east-1`).", secret: false, example: "us-east-1" },
  S3_SESSION_TOKEN: {
    name: "S3_SESSION_TOKEN",
    required: false,
    help: "Session token of temporary credentials (STS, instance roles): sent as `x-amz-security-token` and signed in every S3 request; never printed.",
    secret: true,
  },
  AWS_ACCESS_KEY_ID: {
    name: "AWS_ACCESS_KEY_ID",
    required: false,
    help: "When `S3_ACCESS_KEY` and `S3_SECRET_KEY` are unset: AWS's own pair, with `AWS_SECRET_ACCESS_KEY` (and `AWS_SESSION_TOKEN`).",
    secret: false,
  },
  AWS_SECRET_ACCESS_KEY: { name: "AWS_SECRET_ACCESS_KEY", required: false, help: "With `AWS_ACCESS_KEY_ID`; never sent, never printed.", secret: true },
  AWS_SESSION_TOKEN: { name: "AWS_SESSION_TOKEN", required: false, help: "With `AWS_ACCESS_KEY_ID`: temporary credentials' token; never printed.", secret: true },
  AWS_WEB_IDENTITY_TOKEN_FILE: {
    name: "AWS_WEB_IDENTITY_TOKEN_FILE",
    required: false,
    help: "Next in the chain, with `AWS_ROLE_ARN`: a web identity token (Kubernetes, CI OIDC) exchanged at STS (AssumeRoleWithWebIdentity) for temporary credentials, renewed before they expire; the file is read again at each renewal.",
    secret: false,
  },
  AWS_ROLE_ARN: { name: "AWS_ROLE_ARN", required: false, help: "The role a web identity assumes.", secret: false, example: "arn:aws:iam::123456789012:role/publisher" },
  AWS_ROLE_SESSION_NAME: { name: "AWS_ROLE_SESSION_NAME", required: false, help: "The STS session's name (default: `publish-artifact`).", secret: false },
  AWS_ENDPOINT_URL_STS: {
    name: "AWS_ENDPOINT_URL_STS",
    required: false,
    help: "STS's URL (default: `https://sts.{S3_REGION}.amazonaws.com`); https, or http to this machine.",
    secret: false,
    example: "https://sts.eu-west-1.amazonaws.com",
  },
  AWS_EC2_METADATA_SERVICE_ENDPOINT: {
    name: "AWS_EC2_METADATA_SERVICE_ENDPOINT",
    required: false,
    help: "Last in the chain: the instance metadata service (default: `http://169.254.169.254`), asked with IMDSv2 for the instance role's credentials, renewed before they expire; never through a proxy.",
    secret: false,
    example: "http://169.254.169.254",
  },
  AWS_EC2_METADATA_DISABLED: { name: "AWS_EC2_METADATA_DISABLED", required: false, help: "`true`: never ask the instance metadata service.", secret: false },
  ADMIN_API_URL: {
    name: "ADMIN_API_URL",
    required: true,
    help: "Admin API base URL (publish and register).",
    secret: false,
    fix: "set it to the admin API's base URL",
    example: "https://admin.example.com",
  },
  ADMIN_API_TOKEN: {
    name: "ADMIN_API_TOKEN",
    required: true,
    help: "Bearer token of the publish request (publish and register); never printed.",
    secret: true,
    fix: "set it to the admin API bearer token",
  },
  ADMIN_API_PUBLISH_PATH: {
    name: "ADMIN_API_PUBLISH_PATH",
    required: false,
    help: "Path below `ADMIN_API_URL` (default: `internal/resources/publish`); the POST goes to `{ADMIN_API_URL}/{ADMIN_API_PUBLISH_PATH}`.",
    secret: false,
  },
  CDN_PUBLIC_BASE_URL: {
    name: "CDN_PUBLIC_BASE_URL",
    required: false,
    help: "`cdn_url` becomes `{CDN_PUBLIC_BASE_URL}/{object_key}`; without it `{S3_ENDPOINT}/{S3_BUCKET}/{object_key}`.",
    secret: false,
    example: "https://cdn.example.com",
  },
  PUBLISH_ARTIFACT_KEY: {
    name: "PUBLISH_ARTIFACT_KEY",
    required: false,
    help: "`decrypt` and `verify`: the encryption key, 64 hex digits (instead of `--key-file`); never printed.",
    secret: true,
  },
} as const satisfies Record<string, Variable>;

export type VariableName = keyof typeof VARIABLES;

/**
 * Read only to tell whether plain http stays on this machine and to name a proxy in an error (http/proxy.ts):
 * the runtimes' fetch follows them by itself.
 */
export const PROXY_VARIABLES = ["HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY", "https_proxy", "http_proxy", "no_proxy", "ALL_PROXY", "all_proxy"] as const;

/** The variables that give a flag its default, from the flag table. */
export function flagVariables(): string[] {
  return allFlags().flatMap((flag) => (flag.env === undefined ? [] : [flag.env]));
}

/**
 * Every variable the CLI reads for its work, in one order: what Deno must be allowed to read (--allow-env).
 * The runtime switches it refuses (runtime-switches.ts) are left out: Deno obeys none of them, and an
 * unreadable one counts as unset.
 */
export function variablesRead(): string[] {
  return [...Object.keys(VARIABLES), ...flagVariables(), ...PROXY_VARIABLES];
}

/** The values of the secret variables in `env`, for the redaction of every output. */
export function secretValues(env: Record<string, string | undefined>): (string | undefined)[] {
  return Object.values(VARIABLES)
    .filter((variable: Variable) => variable.secret)
    .map((variable) => env[variable.name]);
}
