// Credentials the way AWS users have them (issue 21, §6): AWS's own variables, a web identity exchanged at STS,
// an instance's role from the metadata service (IMDSv2), each against the real S3 server, with STS and the
// metadata service played by servers on loopback (AWS_ENDPOINT_URL_STS and AWS_EC2_METADATA_SERVICE_ENDPOINT
// point the chain at them). The temporary credentials they hand out are radosgw's own keys with a session token
// of theirs; a proxy in front of radosgw plays S3's side of expiry and refuses a request whose token has expired,
// so an upload that outlives its credentials succeeds only if they are renewed in time.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { AdminServer } from "../support/admin-server.ts";
import { nameFlags, useE2e } from "../support/e2e.ts";
import { FaultProxy, s3ErrorBody } from "../support/fault-proxy.ts";
import { spawnCli, type Runtime } from "../support/spawn-cli.ts";
import { curlDelete, listObjects, type S3Env } from "../support/s3.ts";
import { pseudoRandomBytes } from "../support/streams.ts";

const e2e = useE2e();
let s3: S3Env;
let admin: AdminServer;
let work: string;
let file: string;
let s3Proxy: FaultProxy;
const NAMES = nameFlags("cred");
const KEY = "dev/cred-arm64-1.enc";

/** Tokens handed out so far, with when each stops being accepted. */
const expiryOf = new Map<string, number>();
/** How long the credentials handed out live: long, unless a test makes them short. */
let lifeMs = 3600_000;
let issued = 0;
function issue(prefix: string): { token: string; expiration: string } {
  issued += 1;
  const token = `${prefix}-RECOGNISABLE-token-${issued}`;
  const expires = Date.now() + lifeMs;
  expiryOf.set(token, expires);
  return { token, expiration: new Date(expires).toISOString() };
}

let sts: ReturnType<typeof Bun.serve>;
const stsRequests: URLSearchParams[] = [];
let imds: ReturnType<typeof Bun.serve>;
const imdsRequests: string[] = [];

beforeAll(async () => {
  ({ s3, admin, work } = e2e);
  file = join(work, "artifact.bin");
  writeFileSync(file, pseudoRandomBytes(12 * 1024 * 1024, 31));
  s3Proxy = await FaultProxy.start(s3.S3_ENDPOINT);
  sts = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      const form = new URLSearchParams(await request.text());
      stsRequests.push(form);
      if (form.get("Action") !== "AssumeRoleWithWebIdentity" || form.get("WebIdentityToken") !== "jwt-RECOGNISABLE-web-identity") {
        return new Response("<ErrorResponse><Error><Code>InvalidIdentityToken</Code><Message>bad token</Message></Error></ErrorResponse>", { status: 400 });
      }
      const { token, expiration } = issue("sts");
      return new Response(
        `<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>${s3.S3_ACCESS_KEY}</AccessKeyId>` +
          `<SecretAccessKey>${s3.S3_SECRET_KEY}</SecretAccessKey><SessionToken>${token}</SessionToken><Expiration>${expiration}</Expiration>` +
          "</Credentials></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>",
        { headers: { "content-type": "text/xml" } },
      );
    },
  });
  imds = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(request) {
      const path = new URL(request.url).pathname;
      imdsRequests.push(`${request.method} ${path}`);
      if (path === "/latest/api/token") {
        return request.method === "PUT" && request.headers.get("x-aws-ec2-metadata-token-ttl-seconds") ? new Response("imds-session-RECOGNISABLE") : new Response("", { status: 400 });
      }
      // IMDSv2: nothing without the session token.
      if (request.headers.get("x-aws-ec2-metadata-token") !== "imds-session-RECOGNISABLE") return new Response("", { status: 401 });
      if (path === "/latest/meta-data/iam/security-credentials/") return new Response("publisher-role\n");
      if (path === "/latest/meta-data/iam/security-credentials/publisher-role") {
        const { token, expiration } = issue("imds");
        return Response.json({ Code: "Success", Type: "AWS-HMAC", AccessKeyId: s3.S3_ACCESS_KEY, SecretAccessKey: s3.S3_SECRET_KEY, Token: token, Expiration: expiration });
      }
      return new Response("", { status: 404 });
    },
  });
});
afterAll(async () => {
  await Promise.all([sts.stop(true), imds.stop(true), s3Proxy.stop()]);
});

/** The environment without the S3 key pair, S3 reached through the proxy, plus `extra`. */
function chainEnv(extra: Record<string, string>): Record<string, string> {
  const { S3_ACCESS_KEY: _a, S3_SECRET_KEY: _s, ...rest } = e2e.env({ S3_ENDPOINT: s3Proxy.url });
  return { ...rest, ...extra };
}

const webIdentity = () => {
  const tokenFile = join(work, "web-identity.jwt");
  writeFileSync(tokenFile, "jwt-RECOGNISABLE-web-identity\n", { mode: 0o600 });
  return {
    AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile,
    AWS_ROLE_ARN: "arn:aws:iam::123456789012:role/publisher",
    AWS_ENDPOINT_URL_STS: `http://127.0.0.1:${sts.port}`,
    AWS_EC2_METADATA_DISABLED: "true",
  };
};
const instance = () => ({ AWS_EC2_METADATA_SERVICE_ENDPOINT: `http://127.0.0.1:${imds.port}` });

function expectNoSecret(output: string): void {
  expect(output).not.toContain("RECOGNISABLE");
  expect(output).not.toContain(s3.S3_SECRET_KEY);
}

describe("the credential chain, when S3_ACCESS_KEY and S3_SECRET_KEY are unset", () => {
  for (const runtime of ["bun", "binary-x64"] as Runtime[]) {
    test(`${runtime}: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY publish, and the dry run names them`, async () => {
      const env = chainEnv({ AWS_ACCESS_KEY_ID: s3.S3_ACCESS_KEY, AWS_SECRET_ACCESS_KEY: s3.S3_SECRET_KEY });
      const plan = await spawnCli(runtime, ["--file", file, ...NAMES, "--dry-run"], env, work);
      expect(plan.stdout).toContain("  credentials  AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY\n");
      expect(plan.code).toBe(0);
      const run = await spawnCli(runtime, ["--file", file, ...NAMES], env, work);
      expect(run.code).toBe(0);
      expect(listObjects(s3)).toEqual([KEY]);
      expectNoSecret(run.stdout + run.stderr + plan.stdout + plan.stderr);
    });
  }

  test("a wrong AWS_SECRET_ACCESS_KEY is named as such, not as S3_SECRET_KEY: exit 4, one line", async () => {
    const env = chainEnv({ AWS_ACCESS_KEY_ID: s3.S3_ACCESS_KEY, AWS_SECRET_ACCESS_KEY: "wrong-RECOGNISABLE-secret" });
    const run = await spawnCli("bun", ["--file", file, ...NAMES], env, work);
    expect(run.stderr).toMatch(/^publish-artifact: error: S3 GetObject failed: HTTP 403 SignatureDoesNotMatch: .*: check AWS_SECRET_ACCESS_KEY \(and S3_REGION\)\n$/);
    expect(run.code).toBe(4);
    expectNoSecret(run.stdout + run.stderr);
  });

  for (const runtime of ["bun", "deno", "binary-x64"] as Runtime[]) {
    test(`${runtime}: a web identity is exchanged at STS, and every S3 request carries the session token it gave`, async () => {
      s3Proxy.clear();
      stsRequests.length = 0;
      const env = chainEnv(webIdentity());
      const run = await spawnCli(runtime, ["--file", file, ...NAMES, "--part-size", "5MiB"], env, work);
      expect(run.stderr).not.toContain("error");
      expect(run.code).toBe(0);
      expect(stsRequests.length).toBe(1);
      expect(stsRequests[0]?.get("RoleArn")).toBe("arn:aws:iam::123456789012:role/publisher");
      expect(stsRequests[0]?.get("RoleSessionName")).toBe("publish-artifact");
      const tokens = new Set(s3Proxy.requests.map((request) => request.headers["x-amz-security-token"]));
      expect([...tokens]).toEqual([[...expiryOf.keys()].at(-1)]);
      expect(s3Proxy.requests.length).toBeGreaterThanOrEqual(6); // key check, Create, 3 parts, Complete, HEAD
      expect(listObjects(s3)).toEqual([KEY]);
      expectNoSecret(run.stdout + run.stderr);
      const plan = await spawnCli(runtime, ["--file", file, ...NAMES, "--dry-run"], env, work);
      expect(plan.stdout).toContain(`  credentials  a web identity (AWS_WEB_IDENTITY_TOKEN_FILE) for the role of AWS_ROLE_ARN, exchanged at STS 127.0.0.1:${sts.port}`);
      expectNoSecret(plan.stdout + plan.stderr);
    });
  }

  test("a web identity STS refuses: exit 4 before anything is uploaded, one line naming STS and what to check", async () => {
    const tokenFile = join(work, "wrong.jwt");
    writeFileSync(tokenFile, "jwt-RECOGNISABLE-wrong", { mode: 0o600 });
    const run = await spawnCli("bun", ["--file", file, ...NAMES], chainEnv({ ...webIdentity(), AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile }), work);
    expect(run.stderr).toBe(
      `publish-artifact: error: no S3 credentials: STS at 127.0.0.1:${sts.port} refused the web identity (InvalidIdentityToken: bad token): check AWS_ROLE_ARN and the role's trust policy\n`,
    );
    expect(run.code).toBe(4);
    expect(listObjects(s3)).toEqual([]);
    expect(admin.registrations).toEqual([]);
  });

  for (const runtime of ["bun", "deno", "binary-x64"] as Runtime[]) {
    test(`${runtime}: the instance's role from the metadata service, IMDSv2 (a session token first)`, async () => {
      imdsRequests.length = 0;
      s3Proxy.clear();
      const run = await spawnCli(runtime, ["--file", file, ...NAMES], chainEnv(instance()), work);
      expect(run.stderr).not.toContain("error");
      expect(run.code).toBe(0);
      expect(imdsRequests.slice(0, 3)).toEqual([
        "PUT /latest/api/token",
        "GET /latest/meta-data/iam/security-credentials/",
        "GET /latest/meta-data/iam/security-credentials/publisher-role",
      ]);
      for (const request of s3Proxy.requests) expect(request.headers["x-amz-security-token"]).toStartWith("imds-RECOGNISABLE-token-");
      expect(listObjects(s3)).toEqual([KEY]);
      expectNoSecret(run.stdout + run.stderr);
    });
  }

  test("secrets fetched at run time are redacted too: a server that echoes the session token shows none of it", async () => {
    s3Proxy.clear();
    // The token the metadata service will hand out next, echoed back by "S3" in its refusal.
    const next = `imds-RECOGNISABLE-token-${issued + 1}`;
    s3Proxy.add({ match: () => true, times: Number.POSITIVE_INFINITY, action: { kind: "status", status: 400, body: s3ErrorBody("InvalidToken", `the token ${next} is not valid here`) } });
    try {
      const run = await spawnCli("bun", ["--file", file, ...NAMES], chainEnv(instance()), work);
      expect(s3Proxy.unfired()).toEqual([]);
      expect(run.code).toBe(4);
      expect(run.stderr).toContain("InvalidToken: the token [redacted] is not valid here");
      expectNoSecret(run.stdout + run.stderr);
    } finally {
      s3Proxy.clear();
    }
  });

  test("no instance metadata service: exit 4 within seconds, one line saying what to set", async () => {
    const closed = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("") });
    const port = closed.port;
    const endpoint = `http://127.0.0.1:${port}`;
    await closed.stop(true);
    const started = performance.now();
    const run = await spawnCli("bun", ["--file", file, ...NAMES], chainEnv({ AWS_EC2_METADATA_SERVICE_ENDPOINT: endpoint }), work);
    expect(run.stderr).toBe(
      `publish-artifact: error: no S3 credentials: the instance metadata service at 127.0.0.1:${port} gave no answer (connection refused): this is not an EC2 instance, or it has no role; set S3_ACCESS_KEY and S3_SECRET_KEY, or AWS_EC2_METADATA_DISABLED=true\n`,
    );
    expect(run.code).toBe(4);
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  test("an upload that outlives its credentials succeeds: they are renewed before they expire", async () => {
    lifeMs = 4_000;
    const before = issued;
    s3Proxy.clear();
    imdsRequests.length = 0;
    // S3's side of expiry: a request signed with a token past its expiry is refused, as S3 refuses it.
    s3Proxy.add({
      match: (request) => (expiryOf.get(request.headers["x-amz-security-token"] ?? "") ?? 0) <= Date.now(),
      times: Number.POSITIVE_INFINITY,
      action: { kind: "status", status: 400, body: s3ErrorBody("ExpiredToken", "The provided token has expired.") },
    });
    // Parts at 1 MiB/s: 12 MiB take about 12 s, three lives of the credentials.
    s3Proxy.add({ match: (request) => request.method === "PUT", times: Number.POSITIVE_INFINITY, action: { kind: "throttle", bytesPerSecond: 1024 * 1024 } });
    try {
      const started = performance.now();
      const run = await spawnCli("binary-x64", ["--file", file, ...NAMES, "--part-size", "5MiB", "--concurrency", "1"], chainEnv(instance()), work);
      const seconds = (performance.now() - started) / 1000;
      expect(run.stderr).not.toContain("error");
      expect(run.code).toBe(0);
      expect(seconds).toBeGreaterThan(lifeMs / 1000);
      // Renewed: more than one set of credentials signed the upload, and none was refused as expired.
      expect(issued - before).toBeGreaterThanOrEqual(2);
      const used = new Set(s3Proxy.requests.map((request) => request.headers["x-amz-security-token"]));
      expect(used.size).toBeGreaterThanOrEqual(2);
      expect(s3Proxy.requests.filter((request) => request.fault === "status")).toEqual([]);
      expect(listObjects(s3)).toEqual([KEY]);
    } finally {
      lifeMs = 3600_000;
      s3Proxy.clear();
    }
  }, 60_000);

  test("the expiry check works: credentials that are not renewed are refused by it", async () => {
    // The guard of the test above, shown to bite: a token already past its expiry is refused.
    lifeMs = -1_000;
    s3Proxy.clear();
    s3Proxy.add({
      match: (request) => (expiryOf.get(request.headers["x-amz-security-token"] ?? "") ?? 0) <= Date.now(),
      times: Number.POSITIVE_INFINITY,
      action: { kind: "status", status: 400, body: s3ErrorBody("ExpiredToken", "The provided token has expired.") },
    });
    try {
      const run = await spawnCli("bun", ["--file", file, ...NAMES], chainEnv(instance()), work);
      expect(run.stderr).toContain("ExpiredToken");
      expect(run.code).toBe(4);
      expect(s3Proxy.unfired()).toEqual([]);
    } finally {
      lifeMs = 3600_000;
      s3Proxy.clear();
      for (const key of listObjects(s3)) curlDelete(s3, key);
    }
  });
});
