// Where the object goes: the S3 variables, and where the public copy is read (cdn_url).
import * as v from "valibot";
import { cleartextRoute, describeCleartext } from "../http/cleartext.ts";
import type { S3Config } from "../s3/s3-config.ts";
import { isYes, optionalVar, requiredUrlVar, requiredVar, urlRules, type Env, type VariablesOf } from "./rules.ts";
import { proxyFor } from "../http/proxy.ts";
import type { CredentialSource } from "../s3/credentials.ts";
import { VARIABLES, type VariableName } from "./variables.ts";

export const DEFAULT_REGION = "us-east-1";

const { S3_ENDPOINT, S3_BUCKET, S3_REGION, S3_SESSION_TOKEN, CDN_PUBLIC_BASE_URL, AWS_ROLE_ARN, AWS_ENDPOINT_URL_STS, AWS_EC2_METADATA_SERVICE_ENDPOINT } = VARIABLES;
const noSpace = (name: string) => v.pipe(v.string(), v.check((s) => !/\s/.test(s), `${name} must not contain spaces or line breaks`));
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
  S3_ACCESS_KEY: optionalVar(v.string()),
  S3_SECRET_KEY: optionalVar(v.string()),
  S3_BUCKET: v.pipe(requiredVar(S3_BUCKET), bucketName),
  S3_REGION: optionalVar(v.pipe(v.string(), v.regex(/^[a-z0-9-]+$/, `${S3_REGION.name} must look like ${S3_REGION.example}`))),
  S3_SESSION_TOKEN: optionalVar(noSpace(S3_SESSION_TOKEN.name)),
  // AWS's credential chain, for when S3_ACCESS_KEY and S3_SECRET_KEY are unset (credentialSourceOf).
  AWS_ACCESS_KEY_ID: optionalVar(v.string()),
  AWS_SECRET_ACCESS_KEY: optionalVar(v.string()),
  AWS_SESSION_TOKEN: optionalVar(noSpace("AWS_SESSION_TOKEN")),
  AWS_WEB_IDENTITY_TOKEN_FILE: optionalVar(v.string()),
  AWS_ROLE_ARN: optionalVar(v.pipe(v.string(), v.regex(/^arn:[\w-]+:iam::\d{12}:role\/\S+$/, `${AWS_ROLE_ARN.name} must be a role's ARN, e.g. ${AWS_ROLE_ARN.example}`))),
  AWS_ROLE_SESSION_NAME: optionalVar(v.pipe(v.string(), v.regex(/^[\w+=,.@-]{2,64}$/, "AWS_ROLE_SESSION_NAME must be 2 to 64 of letters, digits and +=,.@-_"))),
  AWS_ENDPOINT_URL_STS: optionalVar(v.pipe(v.string(), ...urlRules(AWS_ENDPOINT_URL_STS.name, AWS_ENDPOINT_URL_STS.example))),
  AWS_EC2_METADATA_SERVICE_ENDPOINT: optionalVar(
    v.pipe(v.string(), ...urlRules(AWS_EC2_METADATA_SERVICE_ENDPOINT.name, AWS_EC2_METADATA_SERVICE_ENDPOINT.example)),
  ),
  AWS_EC2_METADATA_DISABLED: optionalVar(v.string()),
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
  const region = e.S3_REGION ?? DEFAULT_REGION;
  return { endpoint: e.S3_ENDPOINT.replace(/\/+$/, ""), credentials: credentialSourceOf(e, region), bucket: e.S3_BUCKET, region };
}

const DEFAULT_IMDS = "http://169.254.169.254";
const S3_ACCESS_KEY_NAME = VARIABLES.S3_ACCESS_KEY.name;

/**
 * Who signs, in AWS's order: S3_ACCESS_KEY and S3_SECRET_KEY; else AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY
 * (with AWS_SESSION_TOKEN); else a web identity (AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN); else the
 * instance's role (unless AWS_EC2_METADATA_DISABLED). credentialProblems has refused what would not work.
 */
function credentialSourceOf(e: VariablesOf<typeof S3_VARIABLES>, region: string): CredentialSource {
  /** A key pair from the environment, named by its variables (for --dry-run and the refusals' hints). */
  const pair = (names: [string, string, string], accessKeyId: string, secretAccessKey: string, sessionToken: string | undefined): CredentialSource => ({
    kind: "static",
    from: `${names[0]} and ${names[1]}${sessionToken === undefined ? "" : ` (with ${names[2]})`}`,
    accessKeyId,
    secretAccessKey,
    ...(sessionToken === undefined ? {} : { sessionToken }),
  });
  if (e.S3_ACCESS_KEY !== undefined && e.S3_SECRET_KEY !== undefined) {
    return pair(["S3_ACCESS_KEY", "S3_SECRET_KEY", "S3_SESSION_TOKEN"], e.S3_ACCESS_KEY, e.S3_SECRET_KEY, e.S3_SESSION_TOKEN);
  }
  if (e.AWS_ACCESS_KEY_ID !== undefined && e.AWS_SECRET_ACCESS_KEY !== undefined) {
    return pair(["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"], e.AWS_ACCESS_KEY_ID, e.AWS_SECRET_ACCESS_KEY, e.AWS_SESSION_TOKEN);
  }
  if (e.AWS_WEB_IDENTITY_TOKEN_FILE !== undefined && e.AWS_ROLE_ARN !== undefined) {
    return {
      kind: "web-identity",
      tokenFile: e.AWS_WEB_IDENTITY_TOKEN_FILE,
      roleArn: e.AWS_ROLE_ARN,
      sessionName: e.AWS_ROLE_SESSION_NAME ?? "publish-artifact",
      stsEndpoint: e.AWS_ENDPOINT_URL_STS ?? `https://sts.${region}.amazonaws.com`,
    };
  }
  return { kind: "instance", endpoint: e.AWS_EC2_METADATA_SERVICE_ENDPOINT ?? DEFAULT_IMDS };
}

/**
 * Credentials given by halves, or a chain that ends nowhere or would hand a token out: one line each, found
 * from the variables alone, before any request. Read raw, so that they are reported with every other problem.
 */
export function credentialProblems(env: Env): string[] {
  const set = (name: string) => (env[name] ?? "") !== "";
  const half = (a: string, b: string) => (set(a) !== set(b) ? [`${set(a) ? a : b} is set without ${set(a) ? b : a}: set both, or neither (then AWS's credential chain is used)`] : []);
  const problems = [...half("S3_ACCESS_KEY", "S3_SECRET_KEY")];
  if (set("S3_ACCESS_KEY") || set("S3_SECRET_KEY")) return problems;
  problems.push(...half("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"));
  if (set("AWS_ACCESS_KEY_ID") || set("AWS_SECRET_ACCESS_KEY")) return problems;
  if (set("AWS_WEB_IDENTITY_TOKEN_FILE") !== set("AWS_ROLE_ARN")) {
    return [`${set("AWS_ROLE_ARN") ? "AWS_ROLE_ARN is set without AWS_WEB_IDENTITY_TOKEN_FILE" : "AWS_WEB_IDENTITY_TOKEN_FILE is set without AWS_ROLE_ARN"}: a web identity needs both`];
  }
  if (set("AWS_WEB_IDENTITY_TOKEN_FILE")) {
    const sts = env.AWS_ENDPOINT_URL_STS;
    const route = sts === undefined || sts === "" ? undefined : cleartextRoute(sts, env);
    return route === undefined ? [] : [`AWS_ENDPOINT_URL_STS is http:// ${describeCleartext(route)}, which would send the web identity token unencrypted: use https://`];
  }
  if (isYes(env.AWS_EC2_METADATA_DISABLED)) {
    return [
      `${S3_ACCESS_KEY_NAME} is not set: set it and S3_SECRET_KEY (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a web identity: AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN); AWS_EC2_METADATA_DISABLED rules out the instance's role`,
    ];
  }
  // The metadata service answers on the local link, in the clear: never through a proxy, which would see the
  // instance's credentials. AWS's SDKs do not proxy it; Bun's and Deno's fetch would, unless NO_PROXY says not.
  const imds = env.AWS_EC2_METADATA_SERVICE_ENDPOINT || DEFAULT_IMDS;
  const via = URL.canParse(imds) ? proxyFor(imds, env) : undefined;
  return via === undefined
    ? []
    : [
        `the instance metadata service at ${new URL(imds).host} would be asked through the proxy at ${via.proxy} (${via.variable}), which would see the instance's credentials: add ${new URL(imds).hostname} to NO_PROXY, or set S3_ACCESS_KEY and S3_SECRET_KEY`,
      ];
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
