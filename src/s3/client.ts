// Sends signed requests to S3, retrying what is worth retrying, and turns every failure into an S3Error that
// carries what S3 said. Every attempt is signed afresh (a new date, the same body and payload hash).
import type { S3Config } from "../config.ts";
import { S3Error, oneLine } from "../errors.ts";
import { DEFAULT_RETRY_POLICY, attemptFailureReason, withRetry, type RetryPolicy } from "../retry.ts";
import { S3Signer, type S3RequestSpec } from "./sign.ts";
import { xmlElement } from "./xml.ts";

export type Fetch = (input: string, init: RequestInit) => Promise<Response>;

/** A completed S3 answer; bodies are small XML documents, read within the attempt's time limit. */
export interface S3Response {
  status: number;
  headers: Headers;
  body: string;
  /** Attempts it took: more than one means an earlier attempt may have taken effect without our knowing. */
  attempts: number;
}

export interface S3ClientOptions {
  fetch?: Fetch;
  retry?: RetryPolicy;
  /** Where retry notices go (one line each); silent when absent. */
  log?: (line: string) => void;
}

/** S3 answers that a later attempt may not get: throttling, server trouble, timeouts, lost connections. */
const RETRYABLE_CODES = new Set(["RequestTimeout", "SlowDown", "InternalError", "ServiceUnavailable", "Throttling", "ThrottlingException"]);

export function isRetryableS3Error(error: unknown): boolean {
  if (!(error instanceof S3Error)) return false;
  return error.status === 0 || error.status === 408 || error.status === 429 || error.status >= 500 || RETRYABLE_CODES.has(error.code);
}

export class S3Client {
  readonly signer: S3Signer;
  readonly #fetch: Fetch;
  readonly #retry: RetryPolicy;
  readonly #log: (line: string) => void;

  constructor(
    readonly config: S3Config,
    options: S3ClientOptions = {},
  ) {
    this.signer = new S3Signer(config);
    this.#fetch = options.fetch ?? fetch;
    this.#retry = options.retry ?? DEFAULT_RETRY_POLICY;
    this.#log = options.log ?? (() => {});
  }

  /**
   * Send one request, with retries; resolves only with a 2xx answer. `recovered` may accept an error seen on a
   * retry as success: a Complete whose first answer was lost finds its upload already gone.
   */
  async send(
    operation: string,
    spec: S3RequestSpec,
    signal?: AbortSignal,
    recovered?: (error: S3Error) => boolean,
  ): Promise<S3Response> {
    return withRetry(
      async (attemptSignal, attempt) => {
        try {
          const read = async (response: Response) => ({ status: response.status, headers: response.headers, body: await response.text() });
          return { ...(await this.#attempt(operation, spec, attemptSignal, read)), attempts: attempt };
        } catch (error) {
          if (attempt > 1 && error instanceof S3Error && recovered?.(error)) return { status: 200, headers: new Headers(), body: "", attempts: attempt };
          throw error;
        }
      },
      {
        policy: this.#retry,
        isRetryable: isRetryableS3Error,
        signal,
        log: this.#log,
      },
    );
  }

  /** A GET whose body is streamed to the caller: retried until an answer arrives, not while the body flows. */
  async open(operation: string, spec: S3RequestSpec, signal?: AbortSignal): Promise<Response> {
    return withRetry(
      async (attemptSignal) => {
        // The attempt's own signal times out the wait for an answer; the body may take longer than that, so
        // the request gets a signal that follows the attempt's only until the answer is there.
        const controller = new AbortController();
        const abort = () => controller.abort(attemptSignal.reason);
        attemptSignal.addEventListener("abort", abort, { once: true });
        try {
          // The caller's own signal (an interruption) still stops the body.
          const requestSignal = signal ? AbortSignal.any([controller.signal, signal]) : controller.signal;
          return await this.#attempt(operation, spec, attemptSignal, async (response) => response, requestSignal);
        } finally {
          attemptSignal.removeEventListener("abort", abort);
        }
      },
      { policy: this.#retry, isRetryable: isRetryableS3Error, signal, log: this.#log },
    );
  }

  /**
   * One signed attempt: a 2xx answer, of which `read` takes what it needs within the attempt. `requestSignal`
   * aborts the request itself, by default the attempt's signal (which also aborts on the caller's).
   */
  async #attempt<T>(
    operation: string,
    spec: S3RequestSpec,
    signal: AbortSignal,
    read: (response: Response) => Promise<T>,
    requestSignal: AbortSignal = signal,
  ): Promise<T> {
    const { url, init } = await this.signer.sign(spec);
    try {
      const response = await this.#fetch(url, { ...init, signal: requestSignal });
      if (!response.ok) throw s3ErrorFrom(operation, response, await response.text());
      return await read(response);
    } catch (error) {
      if (error instanceof S3Error) throw error;
      throw new S3Error(operation, 0, "", oneLine(attemptFailureReason(error, signal)), "", { cause: error });
    }
  }
}

/** An S3Error from a failed answer: S3's `<Code>` and `<Message>`, or the status text for a HEAD. */
export function s3ErrorFrom(operation: string, response: Response, body: string): S3Error {
  const code = xmlElement(body, "Code");
  const message = xmlElement(body, "Message") || (code ? "" : oneLine(body, 200)) || response.statusText;
  return new S3Error(operation, response.status, code, oneLine(message), xmlElement(body, "RequestId"));
}
