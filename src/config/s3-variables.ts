// Where the object goes: the S3 variables, and where the public copy is read (cdn_url).
import * as v from "valibot";
import { cleartextRoute, describeCleartext } from "../http/cleartext.ts";
import type { S3Config } from "../s3/s3-config.ts";
import { optionalVar, requiredUrlVar, requiredVar, urlRules, type Env, type VariablesOf } from "./rules.ts";
import { VARIABLES, type VariableName } from "./variables.ts";

export const DEFAULT_REGION = "us-east-1";

const { S3_ENDPOINT, S3_ACCESS_KEY, S3_SECRET_KEY, S3_BUCKET, S3_REGION, S3_SESSION_TOKEN, CDN_PUBLIC_BASE_URL } = VARIABLES;
// A path would put the object under it (`https://s3.example.com/artifacts` → `artifacts/{key}` in the bucket) while
// every output named the key alone: refused, the place of the object is the bucket and the key.
const noPath = v.check(
  (s: string) => !URL.canParse(s) || /^\/*$/.test(new URL(s).pathname),
  (issue) => {
    const url = new URL(issue.input as string);
    return `${S3_ENDPOINT.name} must not have a path (${url.pathname.replace(/\/+$/, "")}): the bucket goes in ${S3_BUCKET.name}; set ${S3_ENDPOINT.name} to ${url.origin}`;
  },
);
const bucketName = v.check((s: string) => !/[/\s]/.test(s), `${S3_BUCKET.name} must be a bare bucket name, without "/" or spaces`);

export const S3_VARIABLES = {
  S3_ENDPOINT: v.pipe(requiredUrlVar(S3_ENDPOINT), noPath),
  S3_ACCESS_KEY: requiredVar(S3_ACCESS_KEY),
  S3_SECRET_KEY: requiredVar(S3_SECRET_KEY),
  S3_BUCKET: v.pipe(requiredVar(S3_BUCKET), bucketName),
  S3_REGION: optionalVar(v.pipe(v.string(), v.regex(/^[a-z0-9-]+$/, `${S3_REGION.name} must look like ${S3_REGION.example}`))),
  S3_SESSION_TOKEN: optionalVar(v.pipe(v.string(), v.check((s) => !/\s/.test(s), `${S3_SESSION_TOKEN.name} must not contain spaces or line breaks`))),
} satisfies Partial<Record<VariableName, unknown>>;

/** `--output` uploads nothing: the endpoint and bucket only tell the cdn_url, when both are given. */
export const OPTIONAL_S3_PLACE = {
  S3_ENDPOINT: optionalVar(v.pipe(v.string(), ...urlRules(S3_ENDPOINT.name, S3_ENDPOINT.example), noPath)),
  S3_BUCKET: optionalVar(v.pipe(v.string(), bucketName)),
} satisfies Partial<Record<VariableName, unknown>>;

export const CDN_VARIABLES = {
  CDN_PUBLIC_BASE_URL: optionalVar(v.pipe(v.string(), ...urlRules(CDN_PUBLIC_BASE_URL.name, CDN_PUBLIC_BASE_URL.example))),
} satisfies Partial<Record<VariableName, unknown>>;

export function s3ConfigOf(e: VariablesOf<typeof S3_VARIABLES>): S3Config {
  return {
    endpoint: e.S3_ENDPOINT.replace(/\/+$/, ""),
    accessKeyId: e.S3_ACCESS_KEY,
    secretAccessKey: e.S3_SECRET_KEY,
    bucket: e.S3_BUCKET,
    region: e.S3_REGION ?? DEFAULT_REGION,
    ...(e.S3_SESSION_TOKEN === undefined ? {} : { sessionToken: e.S3_SESSION_TOKEN }),
  };
}

/**
 * One warning line where S3 is reached over plain http off this machine (another host, or a proxy); nothing is
 * refused: the secret key is never sent, only signatures (and a session token, when there is one).
 */
export function cleartextS3Warnings(endpoint: string, env: Env): string[] {
  const route = cleartextRoute(endpoint, env);
  if (route === undefined) return [];
  return [
    `S3_ENDPOINT is http:// ${describeCleartext(route)}: requests and the encrypted artifact travel unencrypted (the secret key itself is never sent); use https:// where the server offers it`,
  ];
}
