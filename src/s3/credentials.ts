// Who signs the S3 requests: the credentials the environment names (S3_ACCESS_KEY/S3_SECRET_KEY, else AWS's own
// AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY), or temporary ones fetched as AWS's SDKs fetch them: a web identity
// exchanged at STS (AssumeRoleWithWebIdentity: Kubernetes service accounts, CI OIDC tokens), or an instance's
// role from the EC2 metadata service (IMDSv2: a session token first, then the role's credentials). Fetched
// credentials are kept until they come near their expiry and fetched again then, so an upload may last longer
// than any one set of them (config/s3-variables.ts chooses the source; test/e2e/credentials.test.ts plays STS
// and the metadata service on loopback).
//
// node:fs/promises (through regular-file.ts) for the web identity token file, read again at each fetch: Kubernetes
// rotates it.
import { CredentialsError } from "../errors.ts";
import type { Fetch } from "../http/fetch.ts";
import { classifyNetworkFailure } from "../http/network-error.ts";
import { openRegularFile } from "../regular-file.ts";
import { xmlElement } from "./xml.ts";

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** When temporary credentials stop being accepted; undefined for long-term keys. */
  expiration?: Date;
}

export type CredentialSource =
  /** Keys given in the environment; `from` names the variables, for --dry-run. */
  | ({ kind: "static"; from: string } & Credentials)
  | { kind: "web-identity"; tokenFile: string; roleArn: string; sessionName: string; stsEndpoint: string }
  | { kind: "instance"; endpoint: string };

export type CredentialProvider = () => Promise<Credentials>;

/** Which credentials sign, in words for --dry-run: the variables or the service, never a value. */
export function describeCredentials(source: CredentialSource): string {
  switch (source.kind) {
    case "static":
      return source.from;
    case "web-identity":
      return `a web identity (AWS_WEB_IDENTITY_TOKEN_FILE) for the role of AWS_ROLE_ARN, exchanged at STS ${new URL(source.stsEndpoint).host}, renewed before expiry`;
    case "instance":
      return `the instance's role, from the metadata service at ${new URL(source.endpoint).host} (IMDSv2), renewed before expiry`;
  }
}

/**
 * How long before expiry temporary credentials are fetched again: AWS's SDKs use 5 minutes; credentials that
 * live less than twice that (a test's) are renewed halfway through their life instead.
 */
const REFRESH_MARGIN_MS = 5 * 60 * 1000;

/** The source as smithy's signer takes it: a function called at every signature, fetching only when due. */
export function credentialProvider(
  source: CredentialSource,
  options: { fetch?: Fetch; now?: () => number; onSecret?: (value: string) => void } = {},
): CredentialProvider {
  if (source.kind === "static") {
    const { accessKeyId, secretAccessKey, sessionToken } = source;
    const fixed: Credentials = { accessKeyId, secretAccessKey, ...(sessionToken === undefined ? {} : { sessionToken }) };
    return () => Promise.resolve(fixed);
  }
  const fetchFn = options.fetch ?? fetch;
  const now = options.now ?? Date.now;
  const fetchOnce = source.kind === "web-identity" ? () => webIdentityCredentials(source, fetchFn) : () => instanceCredentials(source, fetchFn);
  let current: { credentials: Credentials; refreshAt: number; expiresAt: number } | undefined;
  let pending: Promise<Credentials> | undefined;
  const refresh = () =>
    (pending ??= fetchOnce()
      .then((credentials) => {
        // Redacted from every output from now on, as the environment's secrets are from the start.
        options.onSecret?.(credentials.secretAccessKey);
        if (credentials.sessionToken) options.onSecret?.(credentials.sessionToken);
        const fetchedAt = now();
        const expiresAt = credentials.expiration?.getTime() ?? Number.POSITIVE_INFINITY;
        const margin = Math.max(0, Math.min(REFRESH_MARGIN_MS, (expiresAt - fetchedAt) / 2));
        current = { credentials, refreshAt: expiresAt - margin, expiresAt };
        return credentials;
      })
      .finally(() => {
        pending = undefined;
      }));
  return async () => {
    if (current !== undefined && now() < current.refreshAt) return current.credentials;
    try {
      return await refresh();
    } catch (error) {
      // A renewal that failed while the credentials in hand still hold: sign with them, and try again next time.
      if (current !== undefined && now() < current.expiresAt) return current.credentials;
      throw error;
    }
  };
}

/** The web identity token is a JWT of a few KiB; a larger file is not one. */
const MAX_TOKEN_FILE = 64 * 1024;
const STS_TIMEOUT_MS = 10_000;

async function webIdentityCredentials(source: Extract<CredentialSource, { kind: "web-identity" }>, fetchFn: Fetch): Promise<Credentials> {
  const token = await readTokenFile(source.tokenFile);
  const body = new URLSearchParams({
    Action: "AssumeRoleWithWebIdentity",
    Version: "2011-06-15",
    RoleArn: source.roleArn,
    RoleSessionName: source.sessionName,
    WebIdentityToken: token,
  });
  const where = `STS at ${new URL(source.stsEndpoint).host}`;
  let response: Response;
  try {
    // Unsigned: the token is the proof. Never redirected: the token goes only to the configured endpoint.
    response = await fetchFn(source.stsEndpoint, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/xml" },
      body: body.toString(),
      redirect: "manual",
      signal: AbortSignal.timeout(STS_TIMEOUT_MS),
    });
  } catch (error) {
    throw new CredentialsError(`no S3 credentials: ${where} gave no answer (${noAnswer(error)}): check AWS_ENDPOINT_URL_STS and the network`, { cause: error });
  }
  const text = await response.text();
  if (!response.ok) {
    const code = xmlElement(text, "Code") || `HTTP ${response.status}`;
    const message = xmlElement(text, "Message").slice(0, 200);
    throw new CredentialsError(`no S3 credentials: ${where} refused the web identity (${code}${message ? `: ${message}` : ""}): check AWS_ROLE_ARN and the role's trust policy`);
  }
  const credentials = {
    accessKeyId: xmlElement(text, "AccessKeyId"),
    secretAccessKey: xmlElement(text, "SecretAccessKey"),
    sessionToken: xmlElement(text, "SessionToken"),
    expiration: new Date(xmlElement(text, "Expiration")),
  };
  return checked(credentials, where);
}

async function readTokenFile(path: string): Promise<string> {
  const failure = (reason: string) => new CredentialsError(`no S3 credentials: cannot read AWS_WEB_IDENTITY_TOKEN_FILE ${path}: ${reason}`);
  let file;
  try {
    file = await openRegularFile(path);
  } catch (error) {
    throw failure((error as { code?: string }).code === "ENOENT" ? "no such file" : (error as Error).message);
  }
  try {
    if (file.size > MAX_TOKEN_FILE) throw failure(`it is ${file.size} bytes, too large for a token`);
    const token = (await file.handle.readFile("utf8")).trim();
    if (token === "") throw failure("it is empty");
    return token;
  } finally {
    await file.handle.close();
  }
}

/** The metadata service answers on the local link in milliseconds: AWS's SDKs wait 1 s, and try twice. */
const IMDS_TIMEOUT_MS = 1_000;
const IMDS_ATTEMPTS = 2;
/** The session token's life, as AWS's SDKs ask for it. */
const IMDS_TOKEN_TTL = "21600";

async function instanceCredentials(source: Extract<CredentialSource, { kind: "instance" }>, fetchFn: Fetch): Promise<Credentials> {
  const where = `the instance metadata service at ${new URL(source.endpoint).host}`;
  const base = source.endpoint.replace(/\/+$/, "");
  const ask = async (path: string, init: RequestInit): Promise<string> => {
    let lastError: unknown;
    for (let attempt = 1; attempt <= IMDS_ATTEMPTS; attempt++) {
      try {
        const response = await fetchFn(`${base}${path}`, { ...init, redirect: "manual", signal: AbortSignal.timeout(IMDS_TIMEOUT_MS) });
        const text = await response.text();
        if (response.ok) return text;
        lastError = new CredentialsError(`no S3 credentials: ${where} answered HTTP ${response.status} to ${init.method} ${path}${imdsHint(response.status)}`);
        if (response.status < 500) break;
      } catch (error) {
        lastError = new CredentialsError(
          `no S3 credentials: ${where} gave no answer (${noAnswer(error)}): this is not an EC2 instance, or it has no role; set S3_ACCESS_KEY and S3_SECRET_KEY, or AWS_EC2_METADATA_DISABLED=true`,
          { cause: error },
        );
      }
    }
    throw lastError;
  };
  const token = await ask("/latest/api/token", { method: "PUT", headers: { "x-aws-ec2-metadata-token-ttl-seconds": IMDS_TOKEN_TTL } });
  const headers = { "x-aws-ec2-metadata-token": token.trim() };
  const role = (await ask("/latest/meta-data/iam/security-credentials/", { method: "GET", headers })).split("\n")[0]?.trim() ?? "";
  if (role === "" || !/^[\w+=,.@-]+$/.test(role)) throw new CredentialsError(`no S3 credentials: ${where} names no role for this instance: attach one, or set S3_ACCESS_KEY and S3_SECRET_KEY`);
  const text = await ask(`/latest/meta-data/iam/security-credentials/${role}`, { method: "GET", headers });
  let parsed: { AccessKeyId?: unknown; SecretAccessKey?: unknown; Token?: unknown; Expiration?: unknown };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    throw new CredentialsError(`no S3 credentials: ${where} answered with no credentials (not JSON)`);
  }
  return checked(
    {
      accessKeyId: String(parsed.AccessKeyId ?? ""),
      secretAccessKey: String(parsed.SecretAccessKey ?? ""),
      sessionToken: String(parsed.Token ?? ""),
      expiration: new Date(String(parsed.Expiration ?? "")),
    },
    where,
  );
}

/** What an IMDS refusal means, by its status. */
function imdsHint(status: number): string {
  if (status === 401) return ": its session token was refused";
  if (status === 403) return ": IMDS is off or limited on this instance (its metadata options)";
  if (status === 404) return ": this instance has no role attached";
  return "";
}

/** What came back is credentials: every field there, no space or line break in any, a real expiry. */
function checked(credentials: Required<Credentials>, where: string): Credentials {
  const fields = [credentials.accessKeyId, credentials.secretAccessKey, credentials.sessionToken];
  if (fields.some((field) => field === "" || /\s/.test(field)) || Number.isNaN(credentials.expiration.getTime())) {
    throw new CredentialsError(`no S3 credentials: ${where} answered without complete credentials`);
  }
  return credentials;
}

function noAnswer(error: unknown): string {
  if (error instanceof DOMException && error.name === "TimeoutError") return "no answer in time";
  return classifyNetworkFailure(error).cause;
}
