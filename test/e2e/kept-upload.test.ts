// A multipart upload has a record from before its first part (issue 18's first step): a publish killed in the
// middle leaves it, with the upload's id, instead of an upload nothing knows of; `abort --from` ends it. A
// publish that completes, or whose upload is aborted, leaves none. The record holds the key: 0600, in the
// recovery directory's 0700 folder, never printed.
import { afterEach, expect, test } from "bun:test";
import { copyFileSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { nameFlags, resumeRecords, useE2e } from "../support/e2e.ts";
import { cliCommand, spawnCli } from "../support/spawn-cli.ts";
import { curlAbort, openMultipartUploadIds, openMultipartUploads } from "../support/s3.ts";
import { pseudoRandomBytes } from "../support/streams.ts";
import { s3ConfigOf } from "../../src/config/s3-variables.ts";
import type { S3Error } from "../../src/errors.ts";
import { S3Client } from "../../src/s3/client.ts";
import { abortMultipartUpload, createMultipartUpload, listParts, uploadPart } from "../../src/s3/multipart.ts";
import { sha256Hex } from "../../src/hex.ts";

const e2e = useE2e();
const NAMES = nameFlags("kept");
const KEY = "dev/kept-arm64-1.enc";


afterEach(() => {
  // An upload a failed test left open would cost the next one its assertions.
  for (const id of openMultipartUploadIds(e2e.s3)) curlAbort(e2e.s3, KEY, id);
});

test("SIGKILL in the middle of an upload leaves its record (0600, the upload's id, the parts S3 took); abort --from ends it", async () => {
  const file = join(e2e.work, "big.bin");
  writeFileSync(file, pseudoRandomBytes(40 * 1024 * 1024, 40));
  // Given relative to the working directory; the record holds the absolute path, for a rerun from elsewhere.
  const args = ["--file", "big.bin", ...NAMES, "--part-size", "5MiB", "--concurrency", "1"];
  const child = Bun.spawn([...cliCommand("binary-x64", args, e2e.work, e2e.env()), ...args], { cwd: e2e.work, env: { PATH: process.env.PATH, ...e2e.env() }, stdout: "pipe", stderr: "pipe" });
  const deadline = Date.now() + 60_000;
  const journaled = () => resumeRecords(e2e.work).some((path) => readFileSync(path, "utf8").split("\n").length >= 4);
  while (!journaled() && Date.now() < deadline) await Bun.sleep(10);
  child.kill("SIGKILL");
  await child.exited;

  const [record, ...others] = resumeRecords(e2e.work);
  expect(others).toEqual([]);
  expect(statSync(record as string).mode & 0o777).toBe(0o600);
  expect(statSync(join(e2e.work, ".publish-artifact")).mode & 0o777).toBe(0o700);
  const [header, ...parts] = readFileSync(record as string, "utf8").trim().split("\n").map((line) => JSON.parse(line));
  expect(header.kind).toBe("publish-artifact-resume");
  expect(header.object_key).toBe(KEY);
  expect(header.endpoint).toBe(e2e.s3.S3_ENDPOINT);
  expect(header.encryption_key).toMatch(/^[0-9a-f]{64}$/);
  expect(header.iv).toMatch(/^[0-9a-f]{32}$/);
  expect(header.input).toMatchObject({ path: file, size: 40 * 1024 * 1024 });
  expect(openMultipartUploadIds(e2e.s3)).toEqual([header.upload_id]);
  expect(parts.length).toBeGreaterThanOrEqual(2);
  for (const [i, part] of parts.entries()) expect(part).toMatchObject({ part: i + 1, size: 5 * 1024 * 1024 });

  const copy = join(e2e.work, "record-copy.jsonl");
  copyFileSync(record as string, copy);
  const aborted = await spawnCli("binary-x64", ["abort", "--from", record as string], e2e.env(), e2e.work);
  // S3 may hold a part more than the journal: one it took just before the kill.
  const held = /^aborted the multipart upload of (\S+) \(S3 held (\d+) parts, (\d+) bytes\); (\S+) was removed\n$/.exec(aborted.stderr);
  expect(held?.[1]).toBe(KEY);
  expect(Number(held?.[2])).toBeGreaterThanOrEqual(parts.length);
  expect(Number(held?.[3])).toBe(Number(held?.[2]) * 5 * 1024 * 1024);
  expect(held?.[4]).toBe(record);
  expect(aborted.code).toBe(0);
  expect(openMultipartUploads(e2e.s3)).toEqual([]);
  expect(resumeRecords(e2e.work)).toEqual([]);
  // Aborted already (by us, by someone, by a lifecycle rule): fine, the record goes all the same.
  const again = await spawnCli("bun", ["abort", "--from", copy], e2e.env(), e2e.work);
  expect(again.stderr).toBe(`the multipart upload of ${KEY} was already gone from S3; ${copy} was removed\n`);
  expect(again.code).toBe(0);
});

test("ListParts pages: 5 parts read back in pages of 2 from the real server, with the ETags S3 gave", async () => {
  const client = new S3Client(s3ConfigOf({ ...e2e.s3, S3_SESSION_TOKEN: undefined }));
  const { uploadId } = await createMultipartUpload(client, KEY);
  const sent = [];
  for (let n = 1; n <= 5; n++) {
    const bytes = pseudoRandomBytes(100 + n, n);
    sent.push(await uploadPart(client, KEY, uploadId, n, bytes, sha256Hex(bytes)));
  }
  // The server does page at 2: the walk above is really three pages.
  const first = await client.send("ListParts", { method: "GET", key: KEY, query: { uploadId, "max-parts": "2" } });
  expect(first.body).toContain("<IsTruncated>true</IsTruncated>");
  expect(first.body.match(/<Part>/g)).toHaveLength(2);
  const listed = await listParts(client, KEY, uploadId, undefined, 2);
  expect(listed).toEqual(sent.map((part) => ({ partNumber: part.partNumber, etag: part.etag, size: part.size })));
  await abortMultipartUpload(client, KEY, uploadId);
  expect(await listParts(client, KEY, uploadId).catch((error: S3Error) => error.status)).toBe(404);
});

test("a record is untrusted: one for another endpoint or bucket, or not a record, is refused and nothing is sent", async () => {
  const header = {
    kind: "publish-artifact-resume",
    created_at: new Date().toISOString(),
    endpoint: "https://s3.attacker.example",
    bucket: e2e.s3.S3_BUCKET,
    object_key: KEY,
    upload_id: "2~abc",
    part_size: 5242880,
    encryption_key: "a".repeat(64),
    iv: "b".repeat(32),
    compression: { level: 6, block_size: 2097152, deflate_library: "libdeflate" },
    input: null,
  };
  const elsewhere = join(e2e.work, "elsewhere.jsonl");
  writeFileSync(elsewhere, `${JSON.stringify(header)}\n`, { mode: 0o600 });
  const refused = await spawnCli("binary-x64", ["abort", "--from", elsewhere], e2e.env(), e2e.work);
  expect(refused.stderr).toBe(
    `publish-artifact: error: --from ${elsewhere} is the record of an upload to bucket ${e2e.s3.S3_BUCKET} at https://s3.attacker.example, but S3_ENDPOINT and S3_BUCKET name bucket ${e2e.s3.S3_BUCKET} at ${e2e.s3.S3_ENDPOINT}: set them to where the upload is; nothing was sent\n`,
  );
  expect(refused.code).toBe(3);
  const junk = join(e2e.work, "junk.jsonl");
  writeFileSync(junk, `${JSON.stringify({ ...header, endpoint: e2e.s3.S3_ENDPOINT })}\nnot a part\n{"part":2,"size":1,"sha256":"${"0".repeat(64)}","etag":"x"}\n`, { mode: 0o600 });
  const bad = await spawnCli("bun", ["abort", "--from", junk], e2e.env(), e2e.work);
  expect(bad.stderr).toBe(`publish-artifact: error: --from ${junk} is not a valid publish-artifact resume record: line 2 is not a part\n`);
  expect(bad.code).toBe(3);
});

test("a multipart publish that completes leaves no record, nor one whose upload was aborted (SIGINT with --no-resume)", async () => {
  const file = join(e2e.work, "medium.bin");
  writeFileSync(file, pseudoRandomBytes(12 * 1024 * 1024, 12));
  const run = await spawnCli("bun", ["--file", file, ...NAMES, "--part-size", "5MiB", "--quiet"], e2e.env(), e2e.work);
  expect(run.code).toBe(0);
  expect(resumeRecords(e2e.work)).toEqual([]);

  const big = join(e2e.work, "big2.bin");
  writeFileSync(big, pseudoRandomBytes(40 * 1024 * 1024, 41));
  const args = ["--file", big, ...NAMES, "--part-size", "5MiB", "--concurrency", "1", "--no-resume"];
  const child = Bun.spawn([...cliCommand("binary-x64", args, e2e.work, e2e.env()), ...args], { cwd: e2e.work, env: { PATH: process.env.PATH, ...e2e.env() }, stdout: "pipe", stderr: "pipe" });
  const deadline = Date.now() + 60_000;
  while (resumeRecords(e2e.work).length === 0 && Date.now() < deadline) await Bun.sleep(10);
  child.kill("SIGINT");
  expect(await child.exited).toBe(130);
  expect(openMultipartUploads(e2e.s3)).toEqual([]);
  expect(resumeRecords(e2e.work)).toEqual([]);
});
