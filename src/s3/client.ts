// Sends signed requests to S3 and turns every failure into an S3Error that carries what S3 said.
import type { S3Config } from "../config.ts";
import { S3Error, oneLine } from "../errors.ts";
import { S3Signer, type S3RequestSpec } from "./sign.ts";
import { xmlElement } from "./xml.ts";

export type Fetch = (input: string, init: RequestInit) => Promise<Response>;

export class S3Client {
  readonly signer: S3Signer;
  readonly #fetch: Fetch;

  constructor(
    readonly config: S3Config,
    fetchImpl: Fetch = fetch,
  ) {
    this.signer = new S3Signer(config);
    this.#fetch = fetchImpl;
  }

  /** Send one request; resolves with the response only when it is a 2xx. */
  async send(operation: string, spec: S3RequestSpec, signal?: AbortSignal): Promise<Response> {
    const { url, init } = await this.signer.sign(spec);
    let response: Response;
    try {
      response = await this.#fetch(url, { ...init, signal });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new S3Error(operation, 0, "", oneLine(reason), "", { cause: error });
    }
    if (response.ok) return response;
    throw await s3ErrorFrom(operation, response);
  }
}

/** An S3Error from a failed response: S3's `<Code>` and `<Message>`, or the status text for a HEAD. */
export async function s3ErrorFrom(operation: string, response: Response): Promise<S3Error> {
  const body = await response.text().catch(() => "");
  const code = xmlElement(body, "Code");
  const message = xmlElement(body, "Message") || (code ? "" : oneLine(body, 200)) || response.statusText;
  return new S3Error(operation, response.status, code, oneLine(message), xmlElement(body, "RequestId"));
}
