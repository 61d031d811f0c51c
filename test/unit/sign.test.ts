// Our S3 requests' signatures against an independent SigV4 computed here with node:crypto from AWS's
// published algorithm (canonical request → string to sign → HMAC key chain), for an object key that needs
// encoding, a real payload hash, and temporary credentials' session token.
import { expect, test } from "bun:test";
import { createHash, createHmac } from "node:crypto";
import { S3Signer } from "../../src/s3/sign.ts";

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
}): string {
  const names = Object.keys(o.headers).map((n) => n.toLowerCase()).sort();
  const lower = Object.fromEntries(Object.entries(o.headers).map(([k, v]) => [k.toLowerCase(), v.trim()]));
  const canonicalHeaders = names.map((n) => `${n}:${lower[n]}\n`).join("");
  const canonical = [o.method, o.canonicalPath, o.canonicalQuery, canonicalHeaders, names.join(";"), o.payloadHash].join("\n");
  const day = o.amzDate.slice(0, 8);
  const scope = `${day}/${o.region}/s3/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", o.amzDate, scope, sha256(canonical)].join("\n");
  const key = hmac(hmac(hmac(hmac(`AWS4${o.secret}`, day), o.region), "s3"), "aws4_request");
  return `AWS4-HMAC-SHA256 Credential=${o.accessKey}/${scope}, SignedHeaders=${names.join(";")}, Signature=${hmac(key, toSign).toString("hex")}`;
}

const config = {
  endpoint: "https://s3.example.com:9000",
  accessKeyId: "AKIDEXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
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
      secret: config.secretAccessKey,
    }),
  );
});

test("a session token is sent as x-amz-security-token and signed", async () => {
  const token = "IQoJb3JpZ2luX2VjEXAMPLETOKEN//////////wEaCXVzLWVhc3QtMSJHMEUCIQ";
  const { init } = await new S3Signer({ ...config, sessionToken: token }).sign({ method: "GET", key: "dev/m.enc", headers: { range: "bytes=0-0" } }, date);
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
      secret: config.secretAccessKey,
    }),
  );
  const without = await new S3Signer(config).sign({ method: "GET", key: "dev/m.enc" }, date);
  expect((without.init.headers as Record<string, string>)["x-amz-security-token"]).toBeUndefined();
});
