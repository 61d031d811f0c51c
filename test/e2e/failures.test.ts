// Failures in the middle of a multipart upload, against the real S3 server: nothing is registered, and the upload
// is aborted (nothing left open in the bucket), or, when the failure may pass, kept for the next run to resume.
import { beforeAll, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadPublishConfig } from "../../src/config/publish-config.ts";
import { S3Error, UploadKeptError } from "../../src/errors.ts";
import { publishArtifact } from "../../src/commands/publish.ts";
import type { AdminServer } from "../support/admin-server.ts";
import { nameFlags, resumeRecords, useE2e } from "../support/e2e.ts";
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

function config(file: string, more: Record<string, unknown> = {}) {
  const flags = { file: [file], resourceName: ["m"], devStage: ["dev"], architecture: ["arm64"], version: ["1"], partSize: ["5MiB"], recoveryDir: [work], ...more };
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

test("a Complete whose answer never comes keeps the upload; the next publish sends no part again and completes it", async () => {
  const file = randomFile("complete.bin", 12 * 1024 * 1024);
  const failing = (url: string, init: RequestInit) =>
    init.method === "POST" && url.includes("uploadId=") ? Promise.reject(new TypeError("connection reset")) : fetch(url, init);
  const error = await publishArtifact(config(file), { fetch: failing }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(UploadKeptError);
  expect((error as UploadKeptError).failure).toBeInstanceOf(S3Error);
  expect(((error as UploadKeptError).failure as S3Error).message).toBe(
    `S3 CompleteMultipartUpload failed: no response from ${new URL(s3.S3_ENDPOINT).host}: the connection was closed before the answer`,
  );
  expect(openMultipartUploads(s3)).toHaveLength(1);
  expect(resumeRecords(work, work)).toHaveLength(1);
  expect(admin.registrations).toEqual([]);

  const parts: number[] = [];
  const counting = (url: string, init: RequestInit) => {
    if (init.method === "PUT" && url.includes("partNumber=")) parts.push(Number(/partNumber=(\d+)/.exec(url)?.[1]));
    return fetch(url, init);
  };
  const resumed = await publishArtifact(config(file), { fetch: counting });
  expect(resumed.resumed).toEqual({ parts: 3, bytes: resumed.payload.size_bytes });
  expect(parts).toEqual([]);
  expect(openMultipartUploads(s3)).toEqual([]);
  expect(resumeRecords(work, work)).toEqual([]);
  expect(admin.registrations).toHaveLength(1);
});

test("the same with --no-resume: the upload is aborted", async () => {
  const file = randomFile("complete.bin", 12 * 1024 * 1024);
  const failing = (url: string, init: RequestInit) =>
    init.method === "POST" && url.includes("uploadId=") ? Promise.reject(new TypeError("connection reset")) : fetch(url, init);
  const error = await publishArtifact(config(file, { resume: false }), { fetch: failing }).catch((e: unknown) => e);
  expect((error as S3Error).message).toBe(`S3 CompleteMultipartUpload failed: no response from ${new URL(s3.S3_ENDPOINT).host}: the connection was closed before the answer`);
  expect(openMultipartUploads(s3)).toEqual([]);
  expect(resumeRecords(work, work)).toEqual([]);
  expect(admin.registrations).toEqual([]);
});

test("SIGINT in the middle of a multipart upload with --no-resume aborts it and exits 130", async () => {
  const file = randomFile("sigint.bin", 96 * 1024 * 1024);
  const args = ["--file", file, ...nameFlags("m"), "--no-resume"];
  // One part at a time keeps the upload going long enough to be interrupted in the middle.
  const publish = Bun.spawn([...cliCommand("bun"), ...args, "--part-size", "5MiB", "--concurrency", "1"], {
    cwd: work,
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
