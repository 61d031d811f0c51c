// Failures in the middle of a multipart upload, against the real S3 server: the upload is aborted, nothing is
// registered, nothing is left open in the bucket.
import { beforeAll, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadPublishConfig } from "../../src/config/publish-config.ts";
import { S3Error } from "../../src/errors.ts";
import { publishArtifact } from "../../src/commands/publish.ts";
import type { AdminServer } from "../support/admin-server.ts";
import { nameFlags, useE2e } from "../support/e2e.ts";
import { cliCommand } from "../support/spawn-cli.ts";
import { listObjects, openMultipartUploads, type S3Env } from "../support/s3.ts";
import { pseudoRandomBytes } from "../support/streams.ts";

const e2e = useE2e();
let s3: S3Env;
let admin: AdminServer;
let work: string;
beforeAll(() => ({ s3, admin, work } = e2e));

function randomFile(name: string, size: number): string {
  const path = join(work, name);
  writeFileSync(path, pseudoRandomBytes(size, size));
  return path;
}

function config(file: string) {
  const flags = { file: [file], resourceName: ["m"], devStage: ["dev"], architecture: ["arm64"], version: ["1"], partSize: ["5MiB"], recoveryDir: [work] };
  return loadPublishConfig(flags, { ...s3, ADMIN_API_URL: admin.url, ADMIN_API_TOKEN: admin.token });
}

test("a part corrupted on the way is refused by S3 itself (signed payload hash); the upload is aborted", async () => {
  const file = randomFile("corrupt.bin", 16 * 1024 * 1024);
  // Real fetch to the real server; only the body of part 2 is changed after it was signed.
  const corrupting = async (url: string, init: RequestInit) => {
    if (url.includes("partNumber=2&")) {
      // The body as signed (a buffer, or under Bun a stream of it), one byte flipped.
      const body = new Uint8Array(await new Response(init.body).arrayBuffer());
      body[1000] = (body[1000] as number) ^ 0xff;
      return fetch(url, { ...init, body });
    }
    return fetch(url, init);
  };
  const error = await publishArtifact(config(file), { fetch: corrupting }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(S3Error);
  expect((error as S3Error).operation).toBe("UploadPart 2");
  expect((error as S3Error).code).toMatch(/XAmzContentSHA256Mismatch|BadDigest/);
  expect(openMultipartUploads(s3)).toEqual([]);
  expect(listObjects(s3)).toEqual([]);
  expect(admin.registrations).toEqual([]);
});

test("a failing Complete aborts the upload", async () => {
  const file = randomFile("complete.bin", 12 * 1024 * 1024);
  const failing = (url: string, init: RequestInit) =>
    init.method === "POST" && url.includes("uploadId=") ? Promise.reject(new TypeError("connection reset")) : fetch(url, init);
  const error = await publishArtifact(config(file), { fetch: failing }).catch((e: unknown) => e);
  expect((error as S3Error).message).toBe(`S3 CompleteMultipartUpload failed: no response from ${new URL(s3.S3_ENDPOINT).host}: the connection was closed before the answer`);
  expect(openMultipartUploads(s3)).toEqual([]);
  expect(admin.registrations).toEqual([]);
});

test("SIGINT in the middle of a multipart upload aborts it and exits 130", async () => {
  const file = randomFile("sigint.bin", 96 * 1024 * 1024);
  const args = ["--file", file, ...nameFlags("m")];
  // One part at a time keeps the upload going long enough to be interrupted in the middle.
  const publish = Bun.spawn([...cliCommand("bun"), ...args, "--part-size", "5MiB", "--concurrency", "1"], {
    env: { PATH: process.env.PATH, ...s3, ADMIN_API_URL: admin.url, ADMIN_API_TOKEN: admin.token },
    stdout: "pipe",
    stderr: "pipe",
  });
  const deadline = Date.now() + 60_000;
  while (openMultipartUploads(s3).length === 0 && Date.now() < deadline) await Bun.sleep(20);
  expect(openMultipartUploads(s3).length).toBe(1);
  publish.kill("SIGINT");
  const [stderr, code] = await Promise.all([new Response(publish.stderr).text(), publish.exited]);
  expect(stderr.trim()).toBe("publish-artifact: error: interrupted by SIGINT: the multipart upload was aborted and nothing was registered");
  expect(code).toBe(130);
  expect(openMultipartUploads(s3)).toEqual([]);
  expect(listObjects(s3)).toEqual([]);
  expect(admin.registrations).toEqual([]);
});
