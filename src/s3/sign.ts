// SigV4 for requests we send ourselves with fetch. The payload is always signed with its real SHA-256
// (never UNSIGNED-PAYLOAD), so S3 rejects a body that was corrupted on the way.
import { SignatureV4 } from "@smithy/signature-v4";
// Pure JS and slow (~100 MB/s), which is fine for the signature's HMACs over a few hundred bytes; payload
// hashes come from node:crypto through sha256Hex.
import { Sha256 } from "@aws-crypto/sha256-js";
import { sha256Hex } from "../hex.ts";
import type { S3Config } from "./s3-config.ts";
import { credentialProvider, type CredentialProvider } from "./credentials.ts";
import type { Fetch } from "../http/fetch.ts";
import { canonicalQuery, objectPath } from "./key-path.ts";
import { SpooledBytes } from "./part-spool.ts";

export interface S3RequestSpec {
  method: "GET" | "PUT" | "POST" | "DELETE" | "HEAD";
  /** Object key, unencoded; omit for a request on the bucket itself. */
  key?: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  /**
   * Always of known length, S3 refusing chunked uploads: a buffer, or a part in a spool file (which
   * progress-body.ts reads as the request goes).
   */
  body?: Uint8Array<ArrayBuffer> | SpooledBytes;
  /**
   * The body's SHA-256 (hex), when the caller has it already (always, for a spooled part): every attempt is signed
   * with it, hashed once.
   */
  payloadHash?: string;
  /** Told the bytes of the body the connection has taken so far in this attempt (0 as an attempt begins); not signed. */
  onSent?: (bytes: number) => void;
}

export interface SignedRequest {
  url: string;
  init: RequestInit & { method: string; headers: Record<string, string> };
}

/**
 * smithy's signer as every request of ours uses it. `service` is "s3" here; test/unit/sign.test.ts gives AWS's
 * published test suite's "service" to check this very configuration against its signatures.
 */
export function sigV4(config: { region: string; credentials: CredentialProvider }, service: string): SignatureV4 {
  return new SignatureV4({
    service,
    region: config.region,
    // Called at every signature (credentials.ts fetches temporary ones only when due). With a session token,
    // the signer adds x-amz-security-token to the request and signs it.
    credentials: config.credentials,
    sha256: Sha256,
    // S3 signs the path as sent (key-path.ts encodes it once); other services encode it a second time.
    uriEscapePath: false,
    // S3Signer sets x-amz-content-sha256 itself, hashed by node:crypto: smithy is not to add one of its own.
    applyChecksum: false,
  });
}

export class S3Signer {
  readonly #signer: SignatureV4;
  readonly #endpoint: URL;
  readonly #bucket: string;

  constructor(config: S3Config, options: { fetch?: Fetch } = {}) {
    this.#endpoint = new URL(config.endpoint);
    this.#bucket = config.bucket;
    const onSecret = config.onSecret ? { onSecret: config.onSecret } : {};
    this.#signer = sigV4({ region: config.region, credentials: credentialProvider(config.credentials, { ...options, ...onSecret }) }, "s3");
  }

  /** The endpoint, parsed once: its host is signed, its origin and path begin every request's URL. */
  get endpoint(): URL {
    return this.#endpoint;
  }

  /** The URL of an object (or of the bucket), as requested and as signed. */
  url(key?: string, query: Record<string, string> = {}): string {
    return this.#urlOf(objectPath(this.#endpoint.pathname, this.#bucket, key), query);
  }

  #urlOf(path: string, query: Record<string, string>): string {
    const search = canonicalQuery(query);
    return `${this.#endpoint.origin}${path}${search ? `?${search}` : ""}`;
  }

  async sign(spec: S3RequestSpec, signingDate?: Date): Promise<SignedRequest> {
    const body = spec.body instanceof SpooledBytes ? undefined : (spec.body ?? new Uint8Array(0));
    if (body === undefined && spec.payloadHash === undefined) throw new Error("a spooled body is signed with the hash its part was written with");
    const path = objectPath(this.#endpoint.pathname, this.#bucket, spec.key);
    const headers: Record<string, string> = {
      ...spec.headers,
      host: this.#endpoint.host,
      "x-amz-content-sha256": spec.payloadHash ?? sha256Hex(body ?? new Uint8Array(0)),
    };
    const signed = await this.#signer.sign(
      {
        method: spec.method,
        protocol: this.#endpoint.protocol,
        hostname: this.#endpoint.hostname,
        port: this.#endpoint.port ? Number(this.#endpoint.port) : undefined,
        path,
        query: spec.query ?? {},
        headers,
        body,
      },
      signingDate ? { signingDate } : undefined,
    );
    // fetch derives Host from the URL (the same value we signed) and refuses to be given one.
    const { host: _host, ...sendHeaders } = signed.headers;
    return {
      url: this.#urlOf(path, spec.query ?? {}),
      init: {
        method: spec.method,
        headers: sendHeaders,
        // A spooled body is read as the request is sent (progress-body.ts).
        body: body && body.byteLength > 0 ? body : undefined,
        // S3 answers a wrong region or endpoint with a redirect; the request goes only where it was configured.
        redirect: "manual",
      },
    };
  }
}
