// Registration with the admin API: the last step, only after the object is completely in S3.
import { RegistrationError, oneLine } from "../errors.ts";
import { redact } from "../redact.ts";
import { DEFAULT_RETRY_POLICY, noAnswerOf, withRetry, type RetryPolicy } from "../http/retry.ts";
import type { Fetch } from "../http/fetch.ts";
import type { ArtifactNames } from "../object-key.ts";

/** The body of `POST {ADMIN_API_URL}/{ADMIN_API_PUBLISH_PATH}`, exactly the fields of the spec. */
export interface RegistrationPayload {
  resource_name: string;
  dev_stage: string;
  architecture: string;
  version: string;
  cdn_url: string;
  /** Lowercase hex SHA-256 of the uploaded object (IV included). */
  sha256: string;
  /** 64 hex characters: the raw 32-byte AES key. */
  encryption_key: string;
  /** Size of the uploaded object in bytes. */
  size_bytes: number;
}

/** The payload of an artifact: its names, where it is, and the ciphertext's hash, size and key. */
export function registrationPayload(
  names: ArtifactNames,
  cdnUrl: string,
  ciphertext: { sha256: string; bytes: number; keyHex: string },
): RegistrationPayload {
  return {
    resource_name: names.resourceName,
    dev_stage: names.devStage,
    architecture: names.architecture,
    version: names.version,
    cdn_url: cdnUrl,
    sha256: ciphertext.sha256,
    encryption_key: ciphertext.keyHex,
    size_bytes: ciphertext.bytes,
  };
}

export interface RegisterOptions {
  fetch?: Fetch;
  signal?: AbortSignal;
  retry?: RetryPolicy;
  /** Where retry notices go (one line each). */
  log?: (line: string) => void;
}

function isRetryableRegistrationError(error: unknown): boolean {
  if (!(error instanceof RegistrationError) || error.noAnswer?.permanent) return false;
  return error.status === 0 || error.status === 408 || error.status === 429 || error.status >= 500;
}

export async function registerArtifact(
  publishUrl: string,
  token: string,
  payload: RegistrationPayload,
  options: RegisterOptions = {},
): Promise<void> {
  const policy = options.retry ?? DEFAULT_RETRY_POLICY;
  await withRetry((signal) => postOnce(publishUrl, token, payload, options.fetch ?? fetch, signal), {
    policy,
    isRetryable: isRetryableRegistrationError,
    // A refused connection is retried within seconds; the final error names it.
    quiet: (error) => error instanceof RegistrationError && error.noAnswer !== undefined && !error.noAnswer.timedOut,
    signal: options.signal,
    log: options.log,
  });
}

async function postOnce(publishUrl: string, token: string, payload: RegistrationPayload, doFetch: Fetch, signal: AbortSignal): Promise<void> {
  let status: number;
  let text: string;
  let statusText: string;
  let locationHeader: string | null;
  try {
    const response = await doFetch(publishUrl, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(payload),
      // A redirect would carry the token and the key to wherever the server points: never followed.
      redirect: "manual",
      signal,
    });
    status = response.status;
    statusText = response.statusText;
    locationHeader = response.headers.get("location");
    text = await response.text();
  } catch (error) {
    const noAnswer = noAnswerOf(error, signal, new URL(publishUrl));
    throw new RegistrationError(0, oneLine(redact(noAnswer.cause, [token, payload.encryption_key]), 400), { cause: error, noAnswer });
  }
  if (status >= 300 && status < 400) {
    const location = redirectTarget(publishUrl, locationHeader);
    throw new RegistrationError(status, `the admin API redirects to ${location}, which is not followed (the token and the key would go there): set ADMIN_API_URL to the API's own address`);
  }
  // The answer may echo the request (FastAPI's 422 repeats the body, key included): never show what we sent.
  // Redacted before it is cut short, so that no part of a key survives at the cut.
  if (status < 200 || status > 299) throw new RegistrationError(status, serverMessage(redact(text, [token, payload.encryption_key])) || statusText);
}

/** The admin API's own explanation: a JSON `detail`/`message`/`error`, else the body itself, cut short. */
function serverMessage(body: string): string {
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed && typeof parsed === "object") {
      for (const field of ["detail", "message", "error"]) {
        const value = (parsed as Record<string, unknown>)[field];
        if (typeof value === "string") return oneLine(value);
        if (value !== undefined) return oneLine(JSON.stringify(value));
      }
    }
  } catch {
    // Not JSON: show the text.
  }
  return oneLine(body);
}

/** Where a redirect points, as scheme, host and port only: its path or query may carry anything. */
function redirectTarget(base: string, location: string | null): string {
  if (location === null || !URL.canParse(location, base)) return "another address";
  return new URL(location, base).origin;
}
