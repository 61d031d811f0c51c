// Resumable publish (issue 18): a publish killed, interrupted or cut off in the middle of its multipart upload
// keeps it; the same command then regenerates the ciphertext under the kept key and IV and sends only the parts
// S3 does not hold. Whatever the record says, the object is the ciphertext of the current input: every finished
// publish here is checked with curl, sha256sum, openssl and gunzip (check-published.ts), not with our code.
import { afterAll, afterEach, beforeAll, expect, test } from "bun:test";
import { readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { checkPublished } from "../support/check-published.ts";
import { nameFlags, resumeRecords, useE2e } from "../support/e2e.ts";
import { FaultProxy } from "../support/fault-proxy.ts";
import { curlAbort, curlDownload, openMultipartUploadIds, openMultipartUploads } from "../support/s3.ts";
import { cliCommand, spawnCli, type CliRun, type Runtime } from "../support/spawn-cli.ts";
import { pseudoRandomBytes, streamOf } from "../support/streams.ts";
import { s3ConfigOf } from "../../src/config/s3-variables.ts";
import { UploadKeptError } from "../../src/errors.ts";
import { S3Client } from "../../src/s3/client.ts";
import { uploadPart, type UploadedPart } from "../../src/s3/multipart.ts";
import { sha256Hex } from "../../src/hex.ts";
import { uploadStream } from "../../src/s3/upload.ts";

const e2e = useE2e();
const NAMES = nameFlags("resumed");
const KEY = "dev/resumed-arm64-1.enc";
const MiB = 1024 * 1024;
const PART = 5 * MiB;
/** Incompressible: the ciphertext is about as large as the input, so parts are counted in input bytes. */
const SIZE = 60 * MiB;

let proxy: FaultProxy;
beforeAll(async () => {
  proxy = await FaultProxy.start(e2e.s3.S3_ENDPOINT);
});
afterAll(() => proxy.stop());
afterEach(() => {
  proxy.requests.length = 0;
  proxy.clear();
  // An upload a failed test left open would cost the next one its assertions.
  for (const id of openMultipartUploadIds(e2e.s3)) curlAbort(e2e.s3, KEY, id);
});

interface Header {
  upload_id: string;
  encryption_key: string;
  iv: string;
}


function readRecord(path: string): { header: Header; parts: { part: number; etag: string; sha256: string }[] } {
  const [header, ...parts] = readFileSync(path, "utf8").trim().split("\n").map((line) => JSON.parse(line));
  return { header, parts };
}

function writeInput(name: string, seed: number, size = SIZE): string {
  const path = join(e2e.work, name);
  writeFileSync(path, pseudoRandomBytes(size, seed));
  return path;
}

/**
 * A publish (through the proxy, like the reruns: a record is of one endpoint) started in the background, and
 * stopped with `signal` once its record journals `parts` parts. The proxy's count starts afresh after it.
 */
async function stopAfterParts(runtime: Runtime, args: string[], parts: number, signal: "SIGKILL" | "SIGINT" | "SIGTERM"): Promise<{ code: number; stderr: string }> {
  const env = e2e.env({ S3_ENDPOINT: proxy.url });
  const child = Bun.spawn([...cliCommand(runtime, args, e2e.work, env), ...args], {
    cwd: e2e.work,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, DENO_NO_UPDATE_CHECK: "1", ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  const deadline = Date.now() + 120_000;
  const journaled = () => resumeRecords(e2e.work).some((path) => readFileSync(path, "utf8").trim().split("\n").length > parts);
  while (!journaled() && Date.now() < deadline) await Bun.sleep(5);
  child.kill(signal);
  const [stderr, code] = await Promise.all([new Response(child.stderr).text(), child.exited]);
  proxy.requests.length = 0;
  return { code, stderr };
}

/** The bytes of UploadPart bodies that went through the proxy. */
function partBytesSent(): number {
  return proxy.requests
    .filter((r) => r.method === "PUT" && r.target.includes("partNumber="))
    .reduce((sum, r) => sum + Number(r.headers["content-length"] ?? 0), 0);
}

/** The publish through the counting proxy, with --json. */
async function publishThroughProxy(runtime: Runtime, args: string[], extra: Record<string, string> = {}): Promise<CliRun> {
  return spawnCli(runtime, [...args, "--json"], e2e.env({ S3_ENDPOINT: proxy.url, ...extra }), e2e.work);
}

function expectPublished(run: CliRun, input: string): { sha256: string; encryption_key: string; size_bytes: number } {
  expect(run.stderr).not.toContain("error");
  expect(run.code).toBe(0);
  const registered = e2e.admin.registrations.at(-1)?.body as { sha256: string; encryption_key: string; size_bytes: number };
  // The object is where the proxy's S3 is: the same radosgw.
  checkPublished(e2e.s3, KEY, registered, input, e2e.work);
  expect(resumeRecords(e2e.work)).toEqual([]);
  expect(openMultipartUploads(e2e.s3)).toEqual([]);
  return registered;
}

test("SIGKILL at 80%: the same command sends the last fifth, under the kept key, and the object decrypts with openssl", async () => {
  const input = writeInput("model.trt", 1);
  const args = ["--file", input, ...NAMES, "--part-size", "5MiB", "--concurrency", "1"];
  const killed = await stopAfterParts("binary-x64", args, 10, "SIGKILL");
  expect(killed.code).toBe(137);
  const [record] = resumeRecords(e2e.work);
  const { header, parts } = readRecord(record as string);
  expect(parts.length).toBeGreaterThanOrEqual(10);

  const rerun = await publishThroughProxy("binary-x64", args);
  const registered = expectPublished(rerun, input);
  // The kept key: the parts S3 held were made under it.
  expect(registered.encryption_key).toBe(header.encryption_key);
  expect(rerun.stdout + rerun.stderr).not.toContain(header.encryption_key);
  expect(rerun.stderr).toContain(`resuming the upload of ${KEY} a previous run kept: its record lists ${parts.length} parts`);
  const summary = JSON.parse(rerun.stdout);
  expect(summary.resumed_parts).toBeGreaterThanOrEqual(10);
  expect(summary.resumed_bytes).toBe(summary.resumed_parts * PART);
  // At most a third of the object sent again (here: the parts after the kill, about a fifth).
  expect(partBytesSent()).toBeLessThanOrEqual(registered.size_bytes / 3);
  expect(partBytesSent() + summary.resumed_bytes).toBe(registered.size_bytes);
  // The upload resumed was the kept one: no second upload was created.
  expect(proxy.requests.filter((r) => r.method === "POST" && r.target.includes("uploads"))).toHaveLength(0);
}, 240_000);

test("--dry-run says whether the publish would resume and what S3 holds, and touches neither the record nor the upload", async () => {
  const input = writeInput("planned.bin", 13, 30 * MiB);
  const args = ["--file", input, ...NAMES, "--part-size", "5MiB", "--concurrency", "1"];
  expect((await publishThroughProxy("bun", [...args, "--dry-run"])).stdout).toContain('"detail":"no upload of this publish was kept: a new upload"');
  await stopAfterParts("binary-x64", args, 3, "SIGKILL");
  const [record] = resumeRecords(e2e.work);
  const { header, parts } = readRecord(record as string);
  const env = e2e.env({ S3_ENDPOINT: proxy.url });
  // After the lease has gone stale: a dry run does not wait for it.
  await Bun.sleep(4500);
  const text = await spawnCli("binary-x64", [...args, "--dry-run"], env, e2e.work);
  expect(text.code).toBe(0);
  expect(text.stdout).toContain(`  resume       would resume the upload kept in ${record}: S3 holds ${parts.length} of its parts (${parts.length * 5}.0 MiB), which would not be sent again`);
  const json = JSON.parse((await spawnCli("bun", [...args, "--dry-run", "--json"], env, e2e.work)).stdout);
  expect(json.resume).toMatchObject({ would_resume: true, parts_in_s3: parts.length, bytes_in_s3: parts.length * PART });
  const no = await spawnCli("bun", [...args, "--dry-run", "--no-resume"], env, e2e.work);
  expect(no.stdout).toContain(`  resume       the upload kept in ${record} would not be resumed (--no-resume): it would be aborted, and a new upload made`);
  expect(resumeRecords(e2e.work)).toEqual([record as string]);
  expect(openMultipartUploadIds(e2e.s3)).toEqual([header.upload_id]);
  expect(text.stdout + JSON.stringify(json) + no.stdout).not.toContain(header.encryption_key);
  curlAbort(e2e.s3, KEY, header.upload_id);
  const gone = await spawnCli("bun", [...args, "--dry-run"], env, e2e.work);
  expect(gone.stdout).toContain(`  resume       the upload kept in ${record} is gone from S3: a new upload`);
}, 240_000);

test("a line cut in the middle (resets past the retries): exit 4, the upload kept with one line saying so; the rerun finishes it", async () => {
  const input = writeInput("image.tar", 2, 30 * MiB);
  const args = ["--file", input, ...NAMES, "--part-size", "5MiB", "--concurrency", "1", "--retries", "1"];
  proxy.add({ match: (r) => r.method === "PUT" && r.target.includes("partNumber=4"), times: Infinity, action: { kind: "reset", afterBodyBytes: 1000 } });
  const cut = await spawnCli("binary-x64", args, e2e.env({ S3_ENDPOINT: proxy.url }), e2e.work);
  expect(cut.code).toBe(4);
  expect(proxy.unfired()).toEqual([]);
  const [record, ...others] = resumeRecords(e2e.work);
  expect(others).toEqual([]);
  expect(statSync(record as string).mode & 0o777).toBe(0o600);
  const kept = cut.stderr.trim().split("\n").at(-1);
  expect(kept).toBe(
    `publish-artifact: error: the upload is kept: S3 holds 3 of its parts (15.0 MiB); run the same command to resume it, or publish-artifact abort --from ${record} to drop it`,
  );
  expect(openMultipartUploadIds(e2e.s3)).toEqual([readRecord(record as string).header.upload_id]);
  expect(e2e.admin.registrations).toHaveLength(0);

  proxy.clear();
  proxy.requests.length = 0;
  const rerun = await publishThroughProxy("bun", args);
  expectPublished(rerun, input);
  expect(JSON.parse(rerun.stdout).resumed_parts).toBe(3);
  expect(partBytesSent()).toBeLessThan(30 * MiB - 3 * PART + 4096);
}, 240_000);

test("SIGINT keeps the upload (exit 130, one line), and a rerun with other --workers and --concurrency (its parts spooled) resumes it", async () => {
  const input = writeInput("weights.bin", 3);
  const killed = await stopAfterParts("binary-x64", ["--file", input, ...NAMES, "--part-size", "5MiB", "--concurrency", "1", "--workers", "2"], 4, "SIGINT");
  expect(killed.code).toBe(130);
  const [record] = resumeRecords(e2e.work);
  expect(killed.stderr).toMatch(
    new RegExp(`^publish-artifact: error: interrupted by SIGINT: the upload is kept: S3 holds \\d+ of its parts \\(\\d+(\\.\\d)? MiB\\); run the same command to resume it, or publish-artifact abort --from ${record} to drop it; nothing was registered\\n$`),
  );
  // 16 parts of 5 MiB at a time: held in files (part-spool.ts), each hashed as it is written and compared with the journal.
  const rerun = await publishThroughProxy("bun", ["--file", input, ...NAMES, "--part-size", "5MiB", "--concurrency", "16", "--workers", "0"]);
  expectPublished(rerun, input);
  expect(JSON.parse(rerun.stdout).resumed_parts).toBeGreaterThanOrEqual(4);
}, 240_000);

test("the input changed with its size and mtime put back: a regenerated part differs from the journal, so a new key and IV, and the new content", async () => {
  const input = writeInput("changed.bin", 4);
  const args = ["--file", input, ...NAMES, "--part-size", "5MiB", "--concurrency", "1"];
  await stopAfterParts("binary-x64", args, 6, "SIGKILL");
  const { header } = readRecord(resumeRecords(e2e.work)[0] as string);
  const before = statSync(input, { bigint: true });
  // Other bytes in the second part's range, same size, same mtime to the nanosecond (touch -r copies it whole).
  const stamp = join(e2e.work, "stamp");
  expect(Bun.spawnSync(["touch", "-r", input, stamp]).exitCode).toBe(0);
  const changed = readFileSync(input);
  changed.fill(7, 6 * MiB, 6 * MiB + 100);
  writeFileSync(input, changed);
  expect(Bun.spawnSync(["touch", "-r", stamp, input]).exitCode).toBe(0);
  const after = statSync(input, { bigint: true });
  expect([after.size, after.mtimeNs, after.ino]).toEqual([before.size, before.mtimeNs, before.ino]);

  const rerun = await publishThroughProxy("binary-x64", args);
  const registered = expectPublished(rerun, input);
  expect(rerun.stderr).toContain(`the upload of ${KEY} a previous run kept is not resumed: part 2 came out other than its journal says: the input changed since`);
  expect(rerun.stderr).toContain("this run starts afresh with a new key");
  expect(registered.encryption_key).not.toBe(header.encryption_key);
  expect(JSON.parse(rerun.stdout).resumed_parts).toBe(0);
  // Part 2 was never sent under the kept upload with the new bytes: the new upload is another one.
  const keptUploadPuts = proxy.requests.filter((r) => r.method === "PUT" && r.target.includes(encodeURIComponent(header.upload_id)));
  expect(keptUploadPuts.map((r) => /partNumber=(\d+)/.exec(r.target)?.[1])).not.toContain("2");
}, 240_000);

test("the input touched (mtime changed): not resumed, the kept upload aborted, one notice, a new key", async () => {
  const input = writeInput("touched.bin", 5, 20 * MiB);
  const args = ["--file", input, ...NAMES, "--part-size", "5MiB", "--concurrency", "1"];
  await stopAfterParts("binary-x64", args, 1, "SIGKILL");
  const { header } = readRecord(resumeRecords(e2e.work)[0] as string);
  utimesSync(input, new Date(), new Date(Date.now() - 5000));
  const rerun = await publishThroughProxy("binary-x64", args);
  const registered = expectPublished(rerun, input);
  expect(rerun.stderr).toContain(
    `publish-artifact: the upload of ${KEY} a previous run kept is not resumed: the input changed since (its size, modification time or inode); it was aborted, and this run starts afresh with a new key`,
  );
  expect(registered.encryption_key).not.toBe(header.encryption_key);
  expect(proxy.requests.some((r) => r.method === "DELETE" && r.target.includes(encodeURIComponent(header.upload_id)))).toBe(true);
}, 240_000);

test("--no-resume: the kept upload is aborted and the publish starts afresh; its own SIGINT aborts rather than keeps", async () => {
  const input = writeInput("fresh.bin", 6, 30 * MiB);
  const args = ["--file", input, ...NAMES, "--part-size", "5MiB", "--concurrency", "1"];
  await stopAfterParts("binary-x64", args, 2, "SIGKILL");
  const { header } = readRecord(resumeRecords(e2e.work)[0] as string);
  const rerun = await publishThroughProxy("binary-x64", [...args, "--no-resume"]);
  const registered = expectPublished(rerun, input);
  expect(rerun.stderr).toContain(`is not resumed: --no-resume was given; it was aborted, and this run starts afresh with a new key`);
  expect(registered.encryption_key).not.toBe(header.encryption_key);

  const stopped = await stopAfterParts("binary-x64", [...args, "--no-resume"], 1, "SIGINT");
  expect(stopped.code).toBe(130);
  expect(stopped.stderr.trim().split("\n").at(-1)).toBe("publish-artifact: error: interrupted by SIGINT: the multipart upload was aborted and nothing was registered");
  expect(resumeRecords(e2e.work)).toEqual([]);
  expect(openMultipartUploads(e2e.s3)).toEqual([]);
}, 240_000);

test("a part replaced in S3 by another client (its ETag no longer the journal's) is sent again", async () => {
  const input = writeInput("replaced.bin", 7, 30 * MiB);
  const args = ["--file", input, ...NAMES, "--part-size", "5MiB", "--concurrency", "1"];
  await stopAfterParts("binary-x64", args, 3, "SIGKILL");
  const { header } = readRecord(resumeRecords(e2e.work)[0] as string);
  const client = new S3Client(s3ConfigOf({ ...e2e.s3, S3_SESSION_TOKEN: undefined }));
  const other = pseudoRandomBytes(PART, 99);
  await uploadPart(client, KEY, header.upload_id, 2, other, sha256Hex(other));

  const rerun = await publishThroughProxy("binary-x64", args);
  expectPublished(rerun, input);
  const sentParts = proxy.requests.filter((r) => r.method === "PUT" && r.target.includes("partNumber=")).map((r) => Number(/partNumber=(\d+)/.exec(r.target)?.[1]));
  expect(sentParts).toContain(2);
  expect(sentParts).not.toContain(1);
  expect(sentParts).not.toContain(3);
}, 240_000);

test("the upload aborted out of band (Ceph answers ListParts 404 NoSuchKey): one notice, afresh with a new key", async () => {
  const input = writeInput("gone.bin", 8, 30 * MiB);
  const args = ["--file", input, ...NAMES, "--part-size", "5MiB", "--concurrency", "1"];
  await stopAfterParts("binary-x64", args, 2, "SIGKILL");
  const { header } = readRecord(resumeRecords(e2e.work)[0] as string);
  curlAbort(e2e.s3, KEY, header.upload_id);
  const rerun = await publishThroughProxy("binary-x64", args);
  const registered = expectPublished(rerun, input);
  expect(rerun.stderr).toContain(
    `publish-artifact: the upload of ${KEY} a previous run kept is not resumed: the upload is gone from S3 (aborted by someone, or by a lifecycle rule that expires incomplete uploads); this run starts afresh with a new key`,
  );
  expect(registered.encryption_key).not.toBe(header.encryption_key);
}, 240_000);

test("two reruns at once: one resumes the kept upload, the other sees it held and makes its own; both objects are whole", async () => {
  const input = writeInput("twice.bin", 9, 30 * MiB);
  const args = ["--file", input, ...NAMES, "--part-size", "5MiB", "--concurrency", "1"];
  await stopAfterParts("binary-x64", args, 3, "SIGKILL");
  const [first, second] = await Promise.all([publishThroughProxy("binary-x64", args), publishThroughProxy("binary-x64", args)]);
  for (const run of [first, second]) expect(run.code).toBe(0);
  const resumed = [first, second].map((run) => JSON.parse(run.stdout).resumed_parts as number);
  expect(resumed.filter((n) => n > 0)).toHaveLength(1);
  expect(resumed.filter((n) => n === 0)).toHaveLength(1);
  expect(first.stderr + second.stderr).toContain("another run of this publish is using the upload kept in");
  // The object is the last one completed, and it is the input, under the key of its own registration.
  const last = e2e.admin.registrations.find((r) => (r.body as { sha256: string }).sha256 === sha256Of(KEY));
  expect(last).toBeDefined();
  checkPublished(e2e.s3, KEY, last?.body as { sha256: string; encryption_key: string; size_bytes: number }, input, e2e.work);
  expect(resumeRecords(e2e.work)).toEqual([]);
  expect(openMultipartUploads(e2e.s3)).toEqual([]);
}, 240_000);

test("a record made by the binary is not resumed under Deno (another deflate): afresh, with one notice", async () => {
  const input = writeInput("deno.bin", 10, 20 * MiB);
  const args = ["--file", input, ...NAMES, "--part-size", "5MiB", "--concurrency", "1"];
  await stopAfterParts("binary-x64", args, 1, "SIGKILL");
  const rerun = await spawnCli("deno", [...args, "--json"], e2e.env({ S3_ENDPOINT: proxy.url }), e2e.work);
  expectPublished(rerun, input);
  expect(rerun.stderr).toMatch(/is not resumed: it was compressed by libdeflate, this run compresses with \S+ \(a resume needs the same runtime/);
}, 240_000);

test("under Deno: a run killed under Deno is resumed under Deno", async () => {
  const input = writeInput("deno-own.bin", 12, 30 * MiB);
  const args = ["--file", input, ...NAMES, "--part-size", "5MiB", "--concurrency", "1"];
  await stopAfterParts("deno", args, 2, "SIGKILL");
  const rerun = await publishThroughProxy("deno", args);
  expectPublished(rerun, input);
  expect(JSON.parse(rerun.stdout).resumed_parts).toBeGreaterThanOrEqual(2);
}, 240_000);

function sha256Of(key: string): string {
  const download = join(e2e.work, "current.enc");
  expect(curlDownload(e2e.s3, key, download)).toBe(200);
  return new Bun.CryptoHasher("sha256").update(readFileSync(download)).digest("hex");
}

test("a resume past 1,000 parts: ListParts is read page after page, and every part S3 holds is found, none sent again", async () => {
  const client = new S3Client(s3ConfigOf({ ...e2e.s3, S3_SESSION_TOKEN: undefined }));
  const partSize = 4096;
  const data = pseudoRandomBytes(partSize * 1010 + 100, 11);
  const journal: UploadedPart[] = [];
  let uploadId = "";
  const stop = new AbortController();
  const first = uploadStream(client, KEY, streamOf([data]), {
    partSize,
    concurrency: 8,
    signal: stop.signal,
    keepWhenTransient: true,
    journal: {
      started: async (id) => {
        uploadId = id;
      },
      partDone: async (part) => {
        journal.push(part);
        if (journal.length === 1005) stop.abort("SIGINT");
      },
      aborted: async () => {},
    },
  });
  const kept = await first.catch((error: unknown) => error);
  expect(kept).toBeInstanceOf(UploadKeptError);
  // The server pages at 1,000: one ListParts does not see them all.
  const page = await client.send("ListParts", { method: "GET", key: KEY, query: { uploadId } });
  expect(page.body).toContain("<IsTruncated>true</IsTruncated>");

  const sent: number[] = [];
  const resumed = await uploadStream(client, KEY, streamOf([data]), {
    partSize,
    concurrency: 8,
    resume: { uploadId, journaled: journal },
    onUploaded: (bytes) => sent.push(bytes),
  });
  expect(resumed.resumedParts).toBe(journal.length);
  expect(resumed.parts).toBe(1011);
  expect(sent.length).toBe(1011 - journal.length);
  expect(resumed.bytes).toBe(data.byteLength);
  expect(curlDownload(e2e.s3, KEY, join(e2e.work, "paged.bin"))).toBe(200);
  expect(Buffer.compare(readFileSync(join(e2e.work, "paged.bin")), data)).toBe(0);
}, 240_000);

test("interrupted before its record is written, an upload is aborted, not kept: nothing would know its id", async () => {
  const client = new S3Client(s3ConfigOf({ ...e2e.s3, S3_SESSION_TOKEN: undefined }));
  const stop = new AbortController();
  const failed = await uploadStream(client, KEY, streamOf([pseudoRandomBytes(3 * 4096, 14)]), {
    partSize: 4096,
    concurrency: 2,
    signal: stop.signal,
    keepWhenTransient: true,
    journal: {
      started: async () => {
        stop.abort("SIGINT");
        throw new Error("interrupted while the record was written");
      },
      partDone: async () => {},
      aborted: async () => {},
    },
  }).catch((error: unknown) => error);
  expect(failed).not.toBeInstanceOf(UploadKeptError);
  expect((failed as Error).message).toBe("interrupted while the record was written");
  expect(openMultipartUploads(e2e.s3)).toEqual([]);
});
