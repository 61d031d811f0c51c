// Registration with the admin API: the last step, only after the object is completely in S3.
import { RegistrationError, oneLine } from "./errors.ts";
import type { Fetch } from "./s3/client.ts";

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

export async function registerArtifact(
  publishUrl: string,
  token: string,
  payload: RegistrationPayload,
  options: { fetch?: Fetch; signal?: AbortSignal } = {},
): Promise<void> {
  const doFetch = options.fetch ?? fetch;
  let response: Response;
  try {
    response = await doFetch(publishUrl, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(payload),
      signal: options.signal,
    });
  } catch (error) {
    throw new RegistrationError(0, oneLine(error instanceof Error ? error.message : String(error)), { cause: error });
  }
  const text = await response.text().catch(() => "");
  if (!response.ok) throw new RegistrationError(response.status, serverMessage(text) || response.statusText);
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
