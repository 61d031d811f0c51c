// HTTPS end to end, as users' S3 and admin API are: radosgw's own TLS (beast's ssl_endpoint) and the admin API
// over TLS, both with a certificate of a private CA the test server's script made. The CLI, as the x64 binary,
// from source with Bun, and under Deno, publishes, verifies and decrypts with the CA given the way each
// documents (SSL_CERT_FILE, NODE_EXTRA_CA_CERTS, DENO_CERT); without it, the certificate is refused, and nothing
// is uploaded or registered.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { startAdminServer, type AdminServer } from "../support/admin-server.ts";
import { nameFlags, useE2e } from "../support/e2e.ts";
import { spawnCli, type Runtime } from "../support/spawn-cli.ts";
import { listObjects } from "../support/s3.ts";
import { checkPublished } from "../support/check-published.ts";

const e2e = useE2e();
let tlsAdmin: AdminServer;
let ca: string;
let tlsEndpoint: string;
let file: string;

beforeAll(() => {
  ca = e2e.s3.S3_TLS_CA as string;
  tlsEndpoint = e2e.s3.S3_TLS_ENDPOINT as string;
  if (!ca || !tlsEndpoint) throw new Error("the test S3 server has no TLS endpoint: scripts/radosgw.sh makes one");
  tlsAdmin = startAdminServer({ tls: { cert: join(dirname(ca), "server.pem"), key: join(dirname(ca), "server.key") } });
  file = join(e2e.work, "model.trt");
  // Several parts, so that part uploads and the multipart calls all go over TLS.
  const data = new Uint8Array(12 * 1024 * 1024);
  for (let i = 0; i < data.length; i += 4096) data.set(crypto.getRandomValues(new Uint8Array(64)), i);
  writeFileSync(file, data);
});

afterAll(async () => {
  await tlsAdmin.stop();
});

/** How each way of running takes a private CA: the variables the README documents. */
const CA_VARIABLE: Record<Exclude<Runtime, "binary-arm64">, string> = {
  "binary-x64": "SSL_CERT_FILE",
  bun: "NODE_EXTRA_CA_CERTS",
  deno: "DENO_CERT",
};
const NAMES = nameFlags("tls", { architecture: "x86_64", version: null });

describe("HTTPS to S3 and the admin API, through a private CA", () => {
  for (const [runtime, variable] of Object.entries(CA_VARIABLE) as [Runtime, string][]) {
    test(`${runtime}: publish, verify and decrypt with the CA in ${variable}`, async () => {
      const version = `${runtime}-1`;
      const env = { ...e2e.env({ S3_ENDPOINT: tlsEndpoint, ADMIN_API_URL: tlsAdmin.url, ADMIN_API_TOKEN: tlsAdmin.token }), [variable]: ca };
      const published = await spawnCli(runtime, ["--file", file, ...NAMES, "--version", version, "--part-size", "5MiB", "--json", "--quiet"], env, e2e.work);
      expect(published.stderr).toBe("");
      expect(published.code).toBe(0);
      const registration = tlsAdmin.registrations.at(-1)?.body as { sha256: string; encryption_key: string; size_bytes: number; cdn_url: string };
      expect(registration.cdn_url).toStartWith(`${tlsEndpoint}/`);
      const objectKey = `dev/tls-x86_64-${version}.enc`;
      // Checked without our code, over the same server's plain port.
      checkPublished(e2e.s3, objectKey, registration, file, e2e.work);

      const keyEnv = { ...env, PUBLISH_ARTIFACT_KEY: registration.encryption_key };
      const verified = await spawnCli(runtime, ["verify", "--file", file, ...NAMES, "--version", version, "--sha256", registration.sha256], keyEnv, e2e.work);
      expect(verified.stderr).toContain(`verified ${objectKey}`);
      expect(verified.code).toBe(0);

      // What a loader does: fetch the cdn_url over TLS (curl, with the same CA), then decrypt with the CLI.
      const downloaded = join(e2e.work, "fetched.enc");
      const plain = join(e2e.work, "plain.bin");
      const fetched = spawnSync("curl", ["-sS", "--cacert", ca, "--aws-sigv4", "aws:amz:us-east-1:s3", "--user", `${e2e.s3.S3_ACCESS_KEY}:${e2e.s3.S3_SECRET_KEY}`, "-H", "x-amz-content-sha256: UNSIGNED-PAYLOAD", "-o", downloaded, "-w", "%{http_code}", registration.cdn_url]);
      expect(fetched.stdout.toString()).toBe("200");
      const decrypted = await spawnCli(runtime, ["decrypt", "--sha256", registration.sha256, downloaded, plain], { PUBLISH_ARTIFACT_KEY: registration.encryption_key }, e2e.work);
      expect(decrypted.code).toBe(0);
      expect(spawnSync("cmp", [plain, file]).status).toBe(0);
    });

    test(`${runtime}: S3's certificate from a CA it was not given is refused at once; nothing is uploaded`, async () => {
      const env = e2e.env({ S3_ENDPOINT: tlsEndpoint });
      const run = await spawnCli(runtime, ["--file", file, ...NAMES, "--version", `${runtime}-refused`], env, e2e.work);
      expect(run.stderr).toContain("TLS certificate not trusted");
      expect(run.stderr.trim().split("\n")).toHaveLength(1);
      expect(run.code).toBe(4);
      expect(listObjects(e2e.s3)).toEqual([]);
      expect(e2e.admin.requests).toBe(0);
    });
  }

  test("binary-x64: the admin API's certificate from a CA it was not given is refused before any upload; the token is not sent", async () => {
    const before = { requests: tlsAdmin.requests, checks: tlsAdmin.checks };
    const env = e2e.env({ ADMIN_API_URL: tlsAdmin.url, ADMIN_API_TOKEN: tlsAdmin.token });
    const run = await spawnCli("binary-x64", ["--file", file, ...NAMES, "--version", "admin-refused"], env, e2e.work);
    expect(run.stderr).toContain("TLS certificate not trusted");
    expect(run.code).toBe(4);
    expect({ requests: tlsAdmin.requests, checks: tlsAdmin.checks }).toEqual(before);
    expect(listObjects(e2e.s3)).toEqual([]);
  });
});
