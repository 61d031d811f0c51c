// SigV4 checked twice over. AWS's published signature test suite (the AKIDEXAMPLE vectors of
// aws-sig-v4-test-suite) checks both smithy's signer as sign.ts configures it and an independent SigV4 written
// here with node:crypto from AWS's algorithm (canonical request → string to sign → HMAC key chain); that
// independent SigV4 then checks our S3 requests, which the suite does not cover: an object key that needs
// encoding, the signed payload hash (x-amz-content-sha256), and temporary credentials' session token.
import { describe, expect, test } from "bun:test";
import { createHash, createHmac } from "node:crypto";
import { S3Signer, sigV4 } from "../../src/s3/sign.ts";

const sha256 = (data: string | Uint8Array) => createHash("sha256").update(data).digest("hex");
const hmac = (key: string | Buffer, data: string) => createHmac("sha256", key).update(data).digest();

function independentAuthorization(o: {
  method: string;
  canonicalPath: string;
  canonicalQuery: string;
  headers: Record<string, string>;
  payloadHash: string;
  amzDate: string;
  region: string;
  accessKey: string;
  secret: string;
  service?: string;
}): string {
  const names = Object.keys(o.headers).map((n) => n.toLowerCase()).sort();
  const lower = Object.fromEntries(Object.entries(o.headers).map(([k, v]) => [k.toLowerCase(), v.trim()]));
  const canonicalHeaders = names.map((n) => `${n}:${lower[n]}\n`).join("");
  const canonical = [o.method, o.canonicalPath, o.canonicalQuery, canonicalHeaders, names.join(";"), o.payloadHash].join("\n");
  const day = o.amzDate.slice(0, 8);
  const service = o.service ?? "s3";
  const scope = `${day}/${o.region}/${service}/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", o.amzDate, scope, sha256(canonical)].join("\n");
  const key = hmac(hmac(hmac(hmac(`AWS4${o.secret}`, day), o.region), service), "aws4_request");
  return `AWS4-HMAC-SHA256 Credential=${o.accessKey}/${scope}, SignedHeaders=${names.join(";")}, Signature=${hmac(key, toSign).toString("hex")}`;
}

/** AWS's signature test suite: its credentials, date, host and scope, and the signatures it publishes. */
const SUITE = {
  accessKeyId: "AKIDEXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
  region: "us-east-1",
  service: "service",
  host: "example.amazonaws.com",
  amzDate: "20150830T123600Z",
};
const SUITE_VECTORS: { name: string; method: string; query: Record<string, string>; canonicalQuery: string; headers: Record<string, string>; body: string; signature: string }[] = [
  { name: "get-vanilla", method: "GET", query: {}, canonicalQuery: "", headers: {}, body: "", signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31" },
  { name: "post-vanilla", method: "POST", query: {}, canonicalQuery: "", headers: {}, body: "", signature: "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b" },
  {
    name: "get-vanilla-query-order-key-case",
    method: "GET",
    query: { Param2: "value2", Param1: "value1" },
    canonicalQuery: "Param1=value1&Param2=value2",
    headers: {},
    body: "",
    signature: "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
  },
  {
    name: "get-vanilla-empty-query-key",
    method: "GET",
    query: { Param1: "value1" },
    canonicalQuery: "Param1=value1",
    headers: {},
    body: "",
    signature: "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb",
  },
  {
    name: "post-x-www-form-urlencoded",
    method: "POST",
    query: {},
    canonicalQuery: "",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "Param1=value1",
    signature: "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a",
  },
];

function suiteAuthorization(signedHeaders: string, signature: string): string {
  return `AWS4-HMAC-SHA256 Credential=${SUITE.accessKeyId}/20150830/${SUITE.region}/${SUITE.service}/aws4_request, SignedHeaders=${signedHeaders}, Signature=${signature}`;
}

describe("AWS's SigV4 test suite", () => {
  for (const vector of SUITE_VECTORS) {
    const signedHeaders = [...Object.keys(vector.headers), "host", "x-amz-date"].sort().join(";");

    test(`${vector.name}: smithy's signer, configured as sign.ts configures it, gives the published signature`, async () => {
      const signed = await sigV4({ region: SUITE.region, credentials: async () => SUITE }, SUITE.service).sign(
        {
          method: vector.method,
          protocol: "https:",
          hostname: SUITE.host,
          path: "/",
          query: vector.query,
          headers: { ...vector.headers, host: SUITE.host },
          body: vector.body,
        },
        { signingDate: new Date("2015-08-30T12:36:00Z") },
      );
      expect(signed.headers["x-amz-date"]).toBe(SUITE.amzDate);
      expect(signed.headers.authorization).toBe(suiteAuthorization(signedHeaders, vector.signature));
    });

    test(`${vector.name}: the independent SigV4 of this file gives the published signature`, () => {
      const authorization = independentAuthorization({
        method: vector.method,
        canonicalPath: "/",
        canonicalQuery: vector.canonicalQuery,
        headers: { ...vector.headers, host: SUITE.host, "x-amz-date": SUITE.amzDate },
        payloadHash: sha256(vector.body),
        amzDate: SUITE.amzDate,
        region: SUITE.region,
        accessKey: SUITE.accessKeyId,
        secret: SUITE.secretAccessKey,
        service: SUITE.service,
      });
      expect(authorization).toBe(suiteAuthorization(signedHeaders, vector.signature));
    });
  }
});

const KEYS = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };
const config = {
  endpoint: "https://s3.example.com:9000",
  credentials: { kind: "static" as const, from: "S3_ACCESS_KEY and S3_SECRET_KEY", ...KEYS },
  bucket: "artifacts",
  region: "eu-west-1",
};
const date = new Date("2026-04-15T12:34:56Z");

test("an UploadPart with a key that needs encoding matches an independent SigV4", async () => {
  const body = new TextEncoder().encode("ciphertext bytes");
  const { url, init } = await new S3Signer(config).sign(
    { method: "PUT", key: "dev/my model+1 (é).enc", query: { partNumber: "2", uploadId: "a/b=c" }, body },
    date,
  );
  expect(url).toBe("https://s3.example.com:9000/artifacts/dev/my%20model%2B1%20%28%C3%A9%29.enc?partNumber=2&uploadId=a%2Fb%3Dc");
  // RequestInit's own headers type widens this record; the signer gives plain strings.
  const headers = init.headers as Record<string, string>;
  expect(headers["x-amz-content-sha256"]).toBe(sha256(body));
  const { authorization, ...sent } = headers;
  expect(authorization).toBe(
    independentAuthorization({
      method: "PUT",
      canonicalPath: "/artifacts/dev/my%20model%2B1%20%28%C3%A9%29.enc",
      canonicalQuery: "partNumber=2&uploadId=a%2Fb%3Dc",
      headers: { ...sent, host: "s3.example.com:9000" },
      payloadHash: sha256(body),
      amzDate: "20260415T123456Z",
      region: "eu-west-1",
      accessKey: "AKIDEXAMPLE",
      secret: KEYS.secretAccessKey,
    }),
  );
});

test("a session token is sent as x-amz-security-token and signed", async () => {
  const token = "IQoJb3JpZ2luX2VjEXAMPLETOKEN//////////wEaCXVzLWVhc3QtMSJHMEUCIQ";
  const { init } = await new S3Signer({ ...config, credentials: { ...config.credentials, sessionToken: token } }).sign({ method: "GET", key: "dev/m.enc", headers: { range: "bytes=0-0" } }, date);
  const headers = init.headers as Record<string, string>;
  expect(headers["x-amz-security-token"]).toBe(token);
  const { authorization, ...sent } = headers;
  expect(authorization).toContain("SignedHeaders=host;range;x-amz-content-sha256;x-amz-date;x-amz-security-token,");
  expect(authorization).toBe(
    independentAuthorization({
      method: "GET",
      canonicalPath: "/artifacts/dev/m.enc",
      canonicalQuery: "",
      headers: { ...sent, host: "s3.example.com:9000" },
      payloadHash: sha256(""),
      amzDate: "20260415T123456Z",
      region: "eu-west-1",
      accessKey: "AKIDEXAMPLE",
      secret: KEYS.secretAccessKey,
    }),
  );
  const without = await new S3Signer(config).sign({ method: "GET", key: "dev/m.enc" }, date);
  expect((without.init.headers as Record<string, string>)["x-amz-security-token"]).toBeUndefined();
});
