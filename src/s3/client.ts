// Sends signed requests to S3, retrying what is worth retrying, and turns every failure into an S3Error that
// carries what S3 said. Every attempt is signed afresh (a new date, the same body and payload hash).
import { S3Error, oneLine } from "../errors.ts";
import type { Fetch } from "../http/fetch.ts";
import { DEFAULT_RETRY_POLICY, noAnswerOf, withRetry, type AttemptClock, type RetryPolicy } from "../http/retry.ts";
import { progressBody } from "./progress-body.ts";
import type { S3Config } from "./s3-config.ts";
import type { CredentialSource } from "./credentials.ts";
import { S3Signer, type S3RequestSpec } from "./sign.ts";
import { xmlElement } from "./xml.ts";

export type { Fetch } from "../http/fetch.ts";

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

function isRetryableS3Error(error: unknown): boolean {
  if (!(error instanceof S3Error) || error.noAnswer?.permanent) return false;
  return error.status === 0 || error.status === 408 || error.status === 429 || error.status >= 500 || RETRYABLE_CODES.has(error.code);
}

/**
 * A failure that may pass if the same request is sent later: the retries' own rule. An upload that ends on one
 * is worth keeping, to be resumed.
 */
export function mayPass(error: unknown): boolean {
  return isRetryableS3Error(error);
}

/** A refused or reset connection is retried within seconds; its final error says all there is to say. */
function isQuickNetworkFailure(error: unknown): boolean {
  return error instanceof S3Error && error.noAnswer !== undefined && !error.noAnswer.timedOut;
}

/** What to check when S3 refuses us, by S3's error code, naming where the credentials came from. */
function hintFor(code: string, credentials: CredentialSource): string | undefined {
  const [keyId, secret] = credentialNames(credentials);
  const hints: Record<string, string> = {
    SignatureDoesNotMatch: `check ${secret} (and S3_REGION)`,
    InvalidAccessKeyId: `check ${keyId}`,
    RequestTimeTooSkewed: "this machine's clock is off: set it right (NTP)",
    AccessDenied: `the credentials of ${keyId} may not do this: check their policy for the bucket`,
  };
  return hints[code];
}

/** The access key's and the secret's names, as a refusal should name them. */
function credentialNames(credentials: CredentialSource): [string, string] {
  if (credentials.kind === "web-identity") return ["the role of AWS_ROLE_ARN", "the role's credentials from STS"];
  if (credentials.kind === "instance") return ["the instance's role", "the instance role's credentials"];
  return credentials.from.startsWith("AWS_") ? ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"] : ["S3_ACCESS_KEY", "S3_SECRET_KEY"];
}

export class S3Client {
  readonly signer: S3Signer;
  readonly #fetch: Fetch;
  readonly #retry: RetryPolicy;
  readonly #log: (line: string) => void;
  /** Whether the server has answered once in this run: until it has, a silent server gets few attempts. */
  #answered = false;
  /** The pace of the last upload of 1 MiB or more, for how long the rest of a body may take (progress-body.ts). */
  #bytesPerSecond: number | undefined;

  constructor(
    readonly config: S3Config,
    options: S3ClientOptions = {},
  ) {
    this.signer = new S3Signer(config);
    this.#fetch = options.fetch ?? fetch;
    this.#retry = options.retry ?? DEFAULT_RETRY_POLICY;
    this.#log = options.log ?? (() => {});
  }

  #isRetryable = (error: unknown, attemptNumber: number): boolean => {
    if (!isRetryableS3Error(error)) return false;
    const silent = error instanceof S3Error && error.noAnswer?.timedOut === true && !this.#answered;
    return !silent || attemptNumber < this.#retry.silentAttempts;
  };

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
      async (attemptSignal, attempt, clock) => {
        try {
          const read = async (response: Response) => ({ status: response.status, headers: response.headers, body: await response.text() });
          return { ...(await this.#attempt(operation, spec, attemptSignal, clock, read)), attempts: attempt };
        } catch (error) {
          if (attempt > 1 && error instanceof S3Error && recovered?.(error)) return { status: 200, headers: new Headers(), body: "", attempts: attempt };
          throw error;
        }
      },
      {
        policy: this.#retry,
        isRetryable: this.#isRetryable,
        quiet: isQuickNetworkFailure,
        signal,
        log: this.#log,
      },
    );
  }

  /** A GET whose body is streamed to the caller: retried until an answer arrives, not while the body flows. */
  async open(operation: string, spec: S3RequestSpec, signal?: AbortSignal): Promise<Response> {
    return withRetry(
      async (attemptSignal, _attempt, clock) => {
        // The attempt's own signal times out the wait for an answer; the body may take longer than that, so
        // the request gets a signal that follows the attempt's only until the answer is there.
        const controller = new AbortController();
        const abort = () => controller.abort(attemptSignal.reason);
        attemptSignal.addEventListener("abort", abort, { once: true });
        try {
          // The caller's own signal (an interruption) still stops the body.
          const requestSignal = signal ? AbortSignal.any([controller.signal, signal]) : controller.signal;
          return await this.#attempt(operation, spec, attemptSignal, clock, async (response) => response, requestSignal);
        } finally {
          attemptSignal.removeEventListener("abort", abort);
        }
      },
      { policy: this.#retry, isRetryable: this.#isRetryable, quiet: isQuickNetworkFailure, signal, log: this.#log },
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
    clock: AttemptClock,
    read: (response: Response) => Promise<T>,
    requestSignal: AbortSignal = signal,
  ): Promise<T> {
    const { url, init } = await this.signer.sign(spec);
    const started = performance.now();
    try {
      const body = await progressBody(spec.body, init.headers, clock, this.#bytesPerSecond, spec.onSent);
      const response = await this.#fetch(url, { ...init, ...body, signal: requestSignal });
      this.#answered = true;
      const sent = spec.body?.byteLength ?? 0;
      if (response.ok && sent >= 1024 * 1024) this.#bytesPerSecond = sent / Math.max(0.001, (performance.now() - started) / 1000);
      if (!response.ok) throw s3ErrorFrom(operation, response, await response.text(), this.config.credentials);
      return await read(response);
    } catch (error) {
      if (error instanceof S3Error) throw error;
      const noAnswer = noAnswerOf(error, signal, this.signer.endpoint);
      throw new S3Error(operation, 0, "", oneLine(noAnswer.cause, 400), "", { cause: error, noAnswer, ...(noAnswer.wrongPlace ? { hint: "check S3_ENDPOINT" } : {}) });
    }
  }
}

/** An S3Error from a failed answer: S3's `<Code>` and `<Message>`, or the status text for a HEAD. */
function s3ErrorFrom(operation: string, response: Response, body: string, credentials: CredentialSource): S3Error {
  const code = xmlElement(body, "Code");
  const message = xmlElement(body, "Message") || (code ? "" : oneLine(body, 200)) || response.statusText;
  const hint = code === "NoSuchBucket" ? `the bucket ${xmlElement(body, "BucketName") || "named by S3_BUCKET"} does not exist: check S3_BUCKET` : hintFor(code, credentials);
  return new S3Error(operation, response.status, code, oneLine(message), xmlElement(body, "RequestId"), { hint });
}
