// A request that got no answer, in words an operator can act on. Bun and Deno describe the same failure in
// different words (Deno's messages even carry the URL, path and query included, which may name an object key
// or carry a token), so the cause is recognised and named here, and the place is only ever `host:port`.

export type NetworkFailureKind = "refused" | "dns" | "tls" | "not-tls" | "reset" | "other";

export interface NetworkFailure {
  kind: NetworkFailureKind;
  /** One short phrase: "connection refused", "TLS certificate not trusted (self signed certificate)", … */
  cause: string;
}

/** What an operator does about a certificate the runtime does not trust. */
export const PRIVATE_CA_HINT =
  "if the server's certificate comes from a private CA, give that CA's PEM file with SSL_CERT_FILE or NODE_EXTRA_CA_CERTS (under Deno: DENO_CERT=FILE)";

const TLS_CODES = /^(DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|CERT_\w+|ERR_TLS_\w+|ERR_SSL_\w+)$/;

export function classifyNetworkFailure(error: unknown): NetworkFailure {
  const code = String((error as { code?: unknown } | undefined)?.code ?? "");
  const text = messagesOf(error);
  if (code === "ECONNREFUSED" || /connection refused|ECONNREFUSED/i.test(text)) return { kind: "refused", cause: "connection refused" };
  if (code === "ENOTFOUND" || code === "EAI_AGAIN" || /dns error|getaddrinfo|name or service not known|failed to lookup address/i.test(text)) {
    return { kind: "dns", cause: "the host name does not resolve" };
  }
  // An https:// URL to a server that answers in plain http: Bun's EPROTO ("The TLS handshake failed. Does the
  // server speak TLS on this port?"), Deno's "received corrupt message of type InvalidContentType" (both measured
  // against a plain-http server), OpenSSL's "wrong version number". Not a certificate to trust: the scheme.
  if (code === "EPROTO" || /does the server speak TLS|InvalidContentType|wrong version number/i.test(text)) {
    return { kind: "not-tls", cause: "the server does not speak TLS on this port: if it serves plain http, the URL must start with http://" };
  }
  if (TLS_CODES.test(code) || /certificate|UnknownIssuer|self.signed|handshake/i.test(text)) {
    return { kind: "tls", cause: `TLS certificate not trusted (${tlsDetail(code, text)}): ${PRIVATE_CA_HINT}` };
  }
  if (code === "ECONNRESET" || code === "EPIPE" || /reset|broken pipe|socket hang up|connection closed|closed unexpectedly/i.test(text)) {
    return { kind: "reset", cause: "the connection was closed before the answer" };
  }
  return { kind: "other", cause: withoutUrls(text) || "no answer" };
}

/** The error's message and its causes', which is where Deno puts the actual reason. */
function messagesOf(error: unknown): string {
  const parts: string[] = [];
  for (let current: unknown = error, depth = 0; current !== undefined && current !== null && depth < 4; depth++) {
    parts.push(current instanceof Error ? current.message : String(current));
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join(": ").replace(/\s+/g, " ").trim();
}

function tlsDetail(code: string, text: string): string {
  const deno = /invalid peer certificate: ([^)]*\)?\)?)/i.exec(text);
  if (deno) return deno[1] as string;
  const message = withoutUrls(text).replace(/^fetch failed: /i, "");
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}

/** Whatever URL a runtime put into its message, reduced to scheme, host and port. */
export function withoutUrls(text: string): string {
  return text.replace(/\bhttps?:\/\/[^\s)]+/g, (url) => (URL.canParse(url) ? new URL(url).origin : "the server"));
}
