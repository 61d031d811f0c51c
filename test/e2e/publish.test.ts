// The whole publish, run as a user runs it, against the real S3 server (radosgw) and a real admin API,
// checked with curl, sha256sum, openssl and gunzip.
import { beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { AdminServer } from "../support/admin-server.ts";
import { recoveryFiles, useE2e } from "../support/e2e.ts";
import { spawnCli, type CliRun, type Runtime } from "../support/spawn-cli.ts";
import { listObjects, openMultipartUploads, type S3Env } from "../support/s3.ts";
import { pseudoRandomBytes } from "../support/streams.ts";
import { checkPublished } from "../support/check-published.ts";

const e2e = useE2e();
let s3: S3Env;
let admin: AdminServer;
let work: string;
beforeAll(() => ({ s3, admin, work } = e2e));
const env = (extra: Record<string, string> = {}) => e2e.env(extra);

/** A file half random, half compressible text, like a model or an image tarball. */
function artifact(size: number, seed = 1): string {
  const data = new Uint8Array(size);
  const half = Math.floor(size / 2);
  data.set(pseudoRandomBytes(half, seed), 0);
  const text = new TextEncoder().encode("layer sha256:0123456789abcdef size=4096 mode=0644\n".repeat(Math.ceil((size - half) / 50) + 1));
  data.set(text.subarray(0, size - half), half);
  const path = join(work, `artifact-${size}-${seed}.bin`);
  writeFileSync(path, data);
  return path;
}

function publishArgs(file: string, names: Partial<Record<"resource" | "stage" | "arch" | "version", string>> = {}): string[] {
  return [
    "--file",
    file,
    "--resource-name",
    names.resource ?? "my_model",
    "--dev-stage",
    names.stage ?? "dev",
    "--architecture",
    names.arch ?? "arm64",
    "--version",
    names.version ?? "2026-04-15",
  ];
}

function expectPublished(run: CliRun, objectKey: string, file: string) {
  expect(run.stderr).toContain(`published ${objectKey}`);
  expect(run.code).toBe(0);
  expect(admin.registrations.length).toBe(1);
  const registered = admin.registrations[0]!;
  expect(registered.headers.authorization).toBe(`Bearer ${admin.token}`);
  expect(registered.headers["content-type"]).toStartWith("application/json");
  const payload = registered.body as { sha256: string; encryption_key: string; size_bytes: number; cdn_url: string };
  // cdn_url names exactly this object: no query, no fragment, its decoded path is the key.
  const cdnUrl = new URL(payload.cdn_url);
  expect(cdnUrl.search + cdnUrl.hash).toBe("");
  expect(`${cdnUrl.origin}${decodeURIComponent(cdnUrl.pathname)}`).toBe(`${s3.S3_ENDPOINT}/${s3.S3_BUCKET}/${objectKey}`);
  checkPublished(s3, objectKey, payload, file, work);
  expect(openMultipartUploads(s3)).toEqual([]);
  return payload;
}

describe("publish through the CLI under Bun", () => {
  for (const size of [0, 1, 15, 16, 17, 3 * 1024 * 1024 + 7]) {
    test(`${size} bytes: uploaded, registered, and decodable with openssl`, async () => {
      const file = artifact(size, size + 1);
      const run = await spawnCli("bun", [...publishArgs(file), "--json"], env());
      const payload = expectPublished(run, "dev/my_model-arm64-2026-04-15.enc", file);
      const { encryption_key: _key, ...withoutKey } = admin.registrations[0]!.body;
      expect(JSON.parse(run.stdout)).toEqual({ object_key: "dev/my_model-arm64-2026-04-15.enc", registered: true, ...withoutKey, replaced: false, resumed_parts: 0, resumed_bytes: 0 });
      expect(run.stdout + run.stderr).not.toContain(payload.encryption_key);
    });
  }

  test("several parts: multipart upload with equal parts, nothing left open", async () => {
    const file = artifact(13 * 1024 * 1024, 42);
    const run = await spawnCli("bun", [...publishArgs(file), "--part-size", "5MiB", "--concurrency", "2"], env());
    expectPublished(run, "dev/my_model-arm64-2026-04-15.enc", file);
    expect(run.stderr).toMatch(/2 parts of 5\.0 MiB/);
  });

  test("every publish gets a fresh key and IV", async () => {
    const file = artifact(100);
    const keys = new Set<string>();
    const hashes = new Set<string>();
    for (const version of ["1", "2", "3"]) {
      const run = await spawnCli("bun", publishArgs(file, { version }), env());
      expect(run.code).toBe(0);
    }
    for (const { body } of admin.registrations) {
      keys.add(body.encryption_key as string);
      hashes.add(body.sha256 as string);
    }
    expect(keys.size).toBe(3);
    // Same plaintext, different key and IV: the ciphertexts differ.
    expect(hashes.size).toBe(3);
  });

  test("numeric-looking versions reach the object key and the payload exactly as typed", async () => {
    const file = artifact(10);
    const versions = ["1.10", "007", "0x1f", "1e3", "2026-04-15"];
    for (const version of versions) {
      const run = await spawnCli("bun", publishArgs(file, { version }), env());
      expect(run.stderr).toContain(`published dev/my_model-arm64-${version}.enc`);
    }
    expect(admin.registrations.map((r) => r.body.version)).toEqual(versions);
    expect(listObjects(s3).sort()).toEqual(versions.map((v) => `dev/my_model-arm64-${v}.enc`).sort());
  });

  test("keys with spaces, + = ( * @ % and non-ASCII letters sign and upload correctly", async () => {
    const file = artifact(2000);
    const names = { resource: "my model+=(*@%é", version: "1.0 (rc=2)*ü" };
    const run = await spawnCli("bun", publishArgs(file, names), env());
    expectPublished(run, "dev/my model+=(*@%é-arm64-1.0 (rc=2)*ü.enc", file);
  });

  test("URLs are joined with exactly one slash however they were written", async () => {
    const file = artifact(10);
    const run = await spawnCli(
      "bun",
      publishArgs(file),
      env({ ADMIN_API_URL: `${admin.url}//`, ADMIN_API_PUBLISH_PATH: "/internal/resources/publish", CDN_PUBLIC_BASE_URL: "https://cdn.example/a/" }),
    );
    expect(run.code).toBe(0);
    expect(admin.registrations[0]!.path).toBe("/internal/resources/publish");
    expect(admin.registrations[0]!.body.cdn_url).toBe("https://cdn.example/a/dev/my_model-arm64-2026-04-15.enc");
  });
});

describe("publish through the CLI under Deno", () => {
  test("several parts, verified independently", async () => {
    const file = artifact(11 * 1024 * 1024, 7);
    const run = await spawnCli("deno", [...publishArgs(file), "--part-size", "5MiB"], env());
    expectPublished(run, "dev/my_model-arm64-2026-04-15.enc", file);
  });
});

describe("compression on one thread (--workers 0, as on a single core)", () => {
  // The binary deflates the blocks itself with libdeflate; Deno, which has no libdeflate, takes a worker for a
  // level other than 6 (gzip.ts: compressionSettings). Both outputs are one gzip member, checked independently.
  for (const runtime of ["binary-x64", "deno"] as const) {
    test(`${runtime}: several blocks at level 2, verified independently`, async () => {
      const file = artifact(7 * 1024 * 1024 + 5, 8);
      const run = await spawnCli(runtime, [...publishArgs(file), "--workers", "0", "--level", "2"], env());
      expectPublished(run, "dev/my_model-arm64-2026-04-15.enc", file);
    });
  }
});

describe("failures", () => {
  const runtimes: Runtime[] = ["bun"];
  for (const runtime of runtimes) {
    test(`${runtime}: a wrong S3 secret fails with S3's code, registers nothing and prints no secret`, async () => {
      const file = artifact(6 * 1024 * 1024);
      const run = await spawnCli(runtime, [...publishArgs(file), "--part-size", "5MiB"], env({ S3_SECRET_KEY: "wrong-secret-value-123" }));
      expect(run.code).toBe(4);
      expect(run.stderr).toContain("SignatureDoesNotMatch");
      expect(run.stderr.trim().split("\n").length).toBe(1);
      expect(run.stdout + run.stderr).not.toContain("wrong-secret-value-123");
      expect(admin.registrations.length).toBe(0);
      expect(listObjects(s3)).toEqual([]);
    });
  }

  test("a transient admin API failure is retried", async () => {
    const file = artifact(100);
    admin.failNext(2, 503, JSON.stringify({ detail: "registry is busy" }));
    const run = await spawnCli("bun", publishArgs(file), env(), work);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain("admin API registration failed: HTTP 503: registry is busy; retrying in");
    expect(admin.registrations.length).toBe(1);
  });

  test("a registration refused for good is saved (0600, with the key) and sent again with register --from", async () => {
    const file = artifact(100);
    admin.failNext(3, 503, JSON.stringify({ detail: "registry is read-only" }));
    const run = await spawnCli("bun", [...publishArgs(file), "--retries", "2", "--json"], env(), work);
    expect(run.code).toBe(5);
    // One error line, as every failure is: the refusal, what is where, and the command that finishes it.
    const errors = run.stderr.trim().split("\n").filter((line) => line.startsWith("publish-artifact: error: "));
    expect(errors.length).toBe(1);
    expect(errors[0]).toStartWith("publish-artifact: error: admin API registration failed: HTTP 503: registry is read-only; the object dev/my_model-arm64-2026-04-15.enc is uploaded");
    const saved = /saved in (\S+) \(readable only by you\): send it with: publish-artifact register --from (\S+)$/.exec(errors[0]!);
    expect(saved).not.toBeNull();
    const recoveryFile = saved![1]!;
    // --json > published.json still gets one object: what is in S3, not registered, and where its registration waits.
    const record0 = JSON.parse(readFileSync(recoveryFile, "utf8"));
    expect(JSON.parse(run.stdout)).toEqual({
      object_key: "dev/my_model-arm64-2026-04-15.enc",
      registered: false,
      sha256: record0.payload.sha256,
      size_bytes: record0.payload.size_bytes,
      cdn_url: record0.payload.cdn_url,
      recovery_file: recoveryFile,
    });
    expect(dirname(recoveryFile)).toBe(join(work, ".publish-artifact"));
    expect(statSync(recoveryFile).mode & 0o777).toBe(0o600);
    const record = JSON.parse(readFileSync(recoveryFile, "utf8"));
    expect(run.stdout + run.stderr).not.toContain(record.payload.encryption_key);
    expect(listObjects(s3)).toEqual(["dev/my_model-arm64-2026-04-15.enc"]);

    // register checks the object in S3 (its size, that the key decrypts it), so it takes the S3 variables too.
    const again = await spawnCli("bun", ["register", "--from", recoveryFile], env(), work);
    expect(again.stderr.trim()).toBe(`registered dev/my_model-arm64-2026-04-15.enc; ${recoveryFile} was removed`);
    expect(again.code).toBe(0);
    expect(existsSync(recoveryFile)).toBe(false);
    expect(admin.registrations.map((r) => r.body)).toEqual([record.payload]);
    checkPublished(s3, record.object_key, record.payload, file, work);
  });

  test("a wrong admin token is not retried, does not print the token, and keeps the registration", async () => {
    const file = artifact(100);
    const before = admin.requests;
    const run = await spawnCli("bun", publishArgs(file), env({ ADMIN_API_TOKEN: "not-the-right-token" }), work);
    expect(run.code).toBe(5);
    expect(admin.requests).toBe(before + 1);
    expect(run.stderr).toContain("admin API registration failed: HTTP 401: bad token");
    expect(run.stdout + run.stderr).not.toContain("not-the-right-token");
    expect(recoveryFiles(work).length).toBe(1);
  });

  test("a missing file exits 3 before anything is sent", async () => {
    const before = admin.requests;
    const run = await spawnCli("bun", publishArgs(join(work, "nope.trt")), env());
    expect(run.code).toBe(3);
    expect(run.stderr.trim()).toBe(`publish-artifact: error: cannot read --file ${join(work, "nope.trt")}: no such file`);
    expect(admin.requests).toBe(before);
    expect(listObjects(s3)).toEqual([]);
  });

  test("invalid configuration exits 2 and sends no request at all", async () => {
    const file = artifact(100);
    let s3Requests = 0;
    const fakeS3 = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch() {
        s3Requests += 1;
        return new Response("", { status: 500 });
      },
    });
    try {
      const before = admin.requests;
      const run = await spawnCli("bun", publishArgs(file, { stage: "a/b" }), env({ S3_ENDPOINT: `http://127.0.0.1:${fakeS3.port}` }));
      expect(run.code).toBe(2);
      expect(run.stderr.trim()).toBe(
        'publish-artifact: error: --dev-stage contains "/" or "\\", which would change the object key\'s path: remove it',
      );
      expect(s3Requests).toBe(0);
      expect(admin.requests).toBe(before);
    } finally {
      await fakeS3.stop(true);
    }
  });
});
