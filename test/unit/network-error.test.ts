import { expect, test } from "bun:test";
import { PRIVATE_CA_HINT, classifyNetworkFailure, withoutUrls } from "../../src/http/network-error.ts";

// The shapes measured here from Bun 1.4.5 and Deno 2.9.6 fetch failures.
const bunError = (code: string, message: string) => Object.assign(new TypeError(message), { code });
const denoError = (cause: string) => new TypeError("fetch failed", { cause: new Error(cause) });

test("refused, DNS, TLS and reset are recognised in Bun's and in Deno's words", () => {
  expect(classifyNetworkFailure(bunError("ECONNREFUSED", "ECONNREFUSED: Unable to connect. Is the computer able to access the url?"))).toEqual({
    kind: "refused",
    cause: "connection refused",
  });
  expect(classifyNetworkFailure(denoError("error sending request for url (http://127.0.0.1:9/b/k?x=1): client error (Connect): tcp connect error: Connection refused (os error 111)")).kind).toBe("refused");
  expect(classifyNetworkFailure(bunError("ENOTFOUND", "getaddrinfo ENOTFOUND s3.invalid")).kind).toBe("dns");
  expect(
    classifyNetworkFailure(denoError("error sending request for url (https://s3.invalid/a?b): client error (Connect): dns error: failed to lookup address information: Name or service not known")).kind,
  ).toBe("dns");
  expect(classifyNetworkFailure(bunError("DEPTH_ZERO_SELF_SIGNED_CERT", "self signed certificate"))).toEqual({
    kind: "tls",
    cause: `TLS certificate not trusted (DEPTH_ZERO_SELF_SIGNED_CERT: self signed certificate): ${PRIVATE_CA_HINT}`,
  });
  const deno = classifyNetworkFailure(denoError("error sending request for url (https://127.0.0.1:4/key/path?q): client error (Connect): invalid peer certificate: UnknownIssuer"));
  expect(deno.kind).toBe("tls");
  expect(deno.cause).toStartWith("TLS certificate not trusted (UnknownIssuer)");
  expect(classifyNetworkFailure(bunError("ECONNRESET", "The socket connection was closed unexpectedly")).kind).toBe("reset");
});

test("https:// to a plain-http server is named as such in Bun's and in Deno's words, not as a certificate to trust", () => {
  const bun = classifyNetworkFailure(bunError("EPROTO", "EPROTO: The TLS handshake failed. Does the server speak TLS on this port?"));
  const deno = classifyNetworkFailure(denoError("error sending request for url (https://127.0.0.1:38493/x): client error (Connect): received corrupt message of type InvalidContentType"));
  for (const failure of [bun, deno]) {
    expect(failure).toEqual({ kind: "not-tls", cause: "the server does not speak TLS on this port: if it serves plain http, the URL must start with http://" });
  }
});

test("no path or query of a URL survives in a cause", () => {
  const cause = classifyNetworkFailure(denoError("error sending request for url (https://s3.example.com:9000/bucket/dev/secret-name.enc?X-Amz-Signature=abc): weird")).cause;
  expect(cause).not.toContain("secret-name");
  expect(cause).not.toContain("X-Amz");
  expect(withoutUrls("see http://h.example:1/p/q?x=1#f and https://a.example/b")).toBe("see http://h.example:1 and https://a.example");
});
