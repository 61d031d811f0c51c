// Faults injected between the CLI and the real S3 server and admin API (test/support/fault-proxy.ts): transient
// failures are retried and the publish completes; permanent ones end with the right exit code, no multipart
// upload left open, nothing registered that should not be, and no secret in any output.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { AdminServer } from "../support/admin-server.ts";
import { nameFlags, recoveryFiles, resumeRecords, useE2e } from "../support/e2e.ts";
import { FaultProxy, s3ErrorBody, type Fault, type ProxiedRequest } from "../support/fault-proxy.ts";
import { spawnCli, type CliRun, type Runtime } from "../support/spawn-cli.ts";
import { curlDelete, listObjects, openMultipartUploads, type S3Env } from "../support/s3.ts";
import { pseudoRandomBytes } from "../support/streams.ts";
import { checkPublished } from "../support/check-published.ts";

const TOKEN = "admin-token-RECOGNISABLE-9876543210";
const KEY = "dev/m-arm64-1.enc";

const e2e = useE2e({ adminToken: TOKEN });
/** scripts/test.ts starts the S3 server with a recognisable secret, so a leak of it is easy to find. */
let SECRET: string;
let s3: S3Env;
let admin: AdminServer;
let s3Proxy: FaultProxy;
let adminProxy: FaultProxy;
let work: string;
let smallFile: string;
let largeFile: string;

beforeAll(async () => {
  ({ s3, admin, work } = e2e);
  SECRET = s3.S3_SECRET_KEY;
  expect(SECRET).toContain("RECOGNISABLE");
  s3Proxy = await FaultProxy.start(s3.S3_ENDPOINT);
  adminProxy = await FaultProxy.start(admin.url);
  smallFile = join(work, "small.bin");
  writeFileSync(smallFile, pseudoRandomBytes(100_000, 3));
  // Random, so it stays 12 MiB after gzip: three parts of 5 MiB.
  largeFile = join(work, "large.bin");
  writeFileSync(largeFile, pseudoRandomBytes(12 * 1024 * 1024, 4));
});
afterAll(async () => {
  await Promise.all([s3Proxy.stop(), adminProxy.stop()]);
});
afterEach(() => {
  s3Proxy.clear();
  adminProxy.clear();
});

const isPut = (r: ProxiedRequest) => r.method === "PUT" && !r.target.includes("partNumber=");
const isPart = (n: number) => (r: ProxiedRequest) => r.method === "PUT" && r.target.includes(`partNumber=${n}&`);
const isCreate = (r: ProxiedRequest) => r.method === "POST" && r.target.includes("?uploads");
const isComplete = (r: ProxiedRequest) => r.method === "POST" && r.target.includes("uploadId=");
const isAbort = (r: ProxiedRequest) => r.method === "DELETE" && r.target.includes("uploadId=");
const isRegistration = (r: ProxiedRequest) => r.method === "POST";

async function publish(file: string, extraArgs: string[] = [], extraEnv: Record<string, string> = {}, runtime: Runtime = "bun"): Promise<CliRun> {
  const args = ["--file", file, ...nameFlags("m")];
  const env = {
    ...s3,
    S3_ENDPOINT: s3Proxy.url,
    S3_SECRET_KEY: SECRET,
    ADMIN_API_URL: adminProxy.url,
    ADMIN_API_TOKEN: TOKEN,
    ...extraEnv,
  };
  return spawnCli(runtime, [...args, "--part-size", "5MiB", ...extraArgs], env, work);
}

function expectNoSecrets(run: CliRun): void {
  const output = run.stdout + run.stderr;
  expect(output).not.toContain(SECRET);
  expect(output).not.toContain(TOKEN);
  for (const { body } of admin.registrations) expect(output).not.toContain(body.encryption_key as string);
  for (const path of recoveryFiles(work)) {
    const record = JSON.parse(readFileSync(path, "utf8")) as { payload: { encryption_key: string } };
    expect(output).not.toContain(record.payload.encryption_key);
  }
}

interface Case {
  name: string;
  large: boolean;
  s3Faults?: Fault[];
  adminFaults?: Fault[];
  args?: string[];
  code: number;
  published: boolean;
  stderr?: RegExp;
  /** Extra checks on what reached the servers. */
  check?: () => void;
  /** The failure may pass: the multipart upload is kept in S3 with its record, for the same command to resume. */
  kept?: boolean;
}

/** The last line of a failure that keeps the upload. */
const KEPT = /\npublish-artifact: error: the upload is kept: S3 holds \d+ of its parts \([\d.]+ MiB\); run the same command to resume it, or publish-artifact abort --from \S+\/publish-artifact-resume-\S+\.jsonl to drop it$/;

// Permanent failures use fewer retries to stay quick; the backoff is still real.
const cases: Case[] = [
  {
    name: "transient 503 SlowDown on a single PutObject",
    large: false,
    s3Faults: [{ match: isPut, action: { kind: "status", status: 503, body: s3ErrorBody("SlowDown", "Please reduce your request rate.") } }],
    code: 0,
    published: true,
    stderr: /S3 PutObject failed: HTTP 503 SlowDown: Please reduce your request rate\.; retrying in \d+\.\d s \(attempt 2 of 5\)/,
    check: () => expect(s3Proxy.count(isPut)).toBe(2),
  },
  {
    name: "transient 500 InternalError on one part",
    large: true,
    s3Faults: [{ match: isPart(2), action: { kind: "status", status: 500, body: s3ErrorBody("InternalError") } }],
    code: 0,
    published: true,
    check: () => expect(s3Proxy.count(isPart(2))).toBe(2),
  },
  {
    name: "transient failure of CreateMultipartUpload",
    large: true,
    s3Faults: [{ match: isCreate, action: { kind: "status", status: 503, body: s3ErrorBody("ServiceUnavailable") } }],
    code: 0,
    published: true,
  },
  {
    name: "the answer to CreateMultipartUpload is lost: the stray upload is aborted",
    large: true,
    s3Faults: [{ match: isCreate, action: { kind: "lose-answer" } }],
    code: 0,
    published: true,
    check: () => {
      expect(s3Proxy.count(isCreate)).toBe(2);
      expect(s3Proxy.count(isAbort)).toBe(1);
    },
  },
  {
    name: "the answer to CompleteMultipartUpload is lost: the retry finds it done",
    large: true,
    s3Faults: [{ match: isComplete, action: { kind: "lose-answer" } }],
    code: 0,
    published: true,
    check: () => expect(s3Proxy.count(isComplete)).toBe(2),
  },
  {
    name: "transient failure of CompleteMultipartUpload",
    large: true,
    s3Faults: [{ match: isComplete, action: { kind: "status", status: 500, body: s3ErrorBody("InternalError") } }],
    code: 0,
    published: true,
    check: () => expect(s3Proxy.count(isComplete)).toBe(2),
  },
  {
    name: "S3's 400 RequestTimeout is retried",
    large: true,
    s3Faults: [{ match: isPart(1), action: { kind: "status", status: 400, body: s3ErrorBody("RequestTimeout") } }],
    code: 0,
    published: true,
  },
  {
    name: "transient failure of the admin POST",
    large: false,
    adminFaults: [{ match: isRegistration, action: { kind: "status", status: 502, body: "bad gateway" } }],
    code: 0,
    published: true,
    check: () => expect(adminProxy.count(isRegistration)).toBe(2),
  },
  {
    name: "a connection reset in the middle of a part",
    large: true,
    s3Faults: [{ match: isPart(2), action: { kind: "reset", afterBodyBytes: 1024 * 1024 } }],
    code: 0,
    published: true,
    check: () => expect(s3Proxy.count(isPart(2))).toBe(2),
  },
  {
    name: "a connection reset in the middle of the admin POST",
    large: false,
    adminFaults: [{ match: isRegistration, action: { kind: "reset", afterBodyBytes: 10 } }],
    code: 0,
    published: true,
  },
  {
    name: "a part stalled past the timeout",
    large: true,
    s3Faults: [{ match: isPart(3), action: { kind: "stall" } }],
    // One part at a time: parts 1 and 2 show the line's pace, so the stalled part 3 is given seconds, not the
    // slow-line allowance a first part gets (progress-body.ts).
    args: ["--timeout", "2", "--concurrency", "1"],
    code: 0,
    published: true,
    stderr: /S3 UploadPart 3 failed: no response from 127\.0\.0\.1:\d+: no answer within 2 s; retrying/,
  },
  {
    // 5 MiB at 640 KiB/s takes 8 s, four times the timeout: the timeout is on lack of progress, not total time.
    name: "a slow part that keeps moving is never cut",
    large: true,
    s3Faults: [{ match: isPart(1), action: { kind: "throttle", bytesPerSecond: 640 * 1024 } }],
    args: ["--timeout", "2"],
    code: 0,
    published: true,
    check: () => expect(s3Proxy.count(isPart(1))).toBe(1),
  },
  {
    name: "permanent failure of PutObject",
    large: false,
    s3Faults: [{ match: isPut, times: Infinity, action: { kind: "status", status: 503, body: s3ErrorBody("SlowDown") } }],
    args: ["--retries", "2"],
    code: 4,
    published: false,
    stderr: /publish-artifact: error: S3 PutObject failed: HTTP 503 SlowDown: injected SlowDown$/,
    check: () => expect(s3Proxy.count(isPut)).toBe(3),
  },
  {
    name: "a part failing with 500 past the retries: the upload is kept for a resume, not aborted",
    large: true,
    s3Faults: [{ match: isPart(2), times: Infinity, action: { kind: "status", status: 500, body: s3ErrorBody("InternalError") } }],
    args: ["--retries", "1"],
    code: 4,
    published: false,
    kept: true,
    stderr: new RegExp(`publish-artifact: error: S3 UploadPart 2 failed: HTTP 500 InternalError: injected InternalError${KEPT.source}`),
    check: () => expect(s3Proxy.count(isAbort)).toBe(0),
  },
  {
    name: "the same with --no-resume: the upload is aborted",
    large: true,
    s3Faults: [{ match: isPart(2), times: Infinity, action: { kind: "status", status: 500, body: s3ErrorBody("InternalError") } }],
    args: ["--retries", "1", "--no-resume"],
    code: 4,
    published: false,
    stderr: /publish-artifact: error: S3 UploadPart 2 failed: HTTP 500 InternalError: injected InternalError$/,
    check: () => expect(s3Proxy.count(isAbort)).toBe(1),
  },
  {
    name: "every answer to CreateMultipartUpload lost: every stray upload is aborted",
    large: true,
    s3Faults: [{ match: isCreate, times: Infinity, action: { kind: "lose-answer" } }],
    args: ["--retries", "2"],
    code: 4,
    published: false,
    check: () => expect(s3Proxy.count(isAbort)).toBe(3),
  },
  {
    name: "permanent failure of CreateMultipartUpload",
    large: true,
    s3Faults: [{ match: isCreate, times: Infinity, action: { kind: "status", status: 503, body: s3ErrorBody("ServiceUnavailable") } }],
    args: ["--retries", "1"],
    code: 4,
    published: false,
  },
  {
    name: "CompleteMultipartUpload failing with 500 past the retries: the upload is kept",
    large: true,
    s3Faults: [{ match: isComplete, times: Infinity, action: { kind: "status", status: 500, body: s3ErrorBody("InternalError") } }],
    args: ["--retries", "1"],
    code: 4,
    published: false,
    kept: true,
    stderr: new RegExp(`S3 CompleteMultipartUpload failed: HTTP 500 InternalError: injected InternalError${KEPT.source}`),
    check: () => expect(s3Proxy.count(isAbort)).toBe(0),
  },
  {
    name: "CompleteMultipartUpload refused (400 InvalidPart): the upload is aborted",
    large: true,
    s3Faults: [{ match: isComplete, times: Infinity, action: { kind: "status", status: 400, body: s3ErrorBody("InvalidPart") } }],
    code: 4,
    published: false,
    stderr: /S3 CompleteMultipartUpload failed: HTTP 400 InvalidPart: injected InvalidPart$/,
    check: () => expect(s3Proxy.count(isAbort)).toBe(1),
  },
  {
    name: "a 403 on a part is not retried",
    large: true,
    s3Faults: [{ match: isPart(1), times: Infinity, action: { kind: "status", status: 403, body: s3ErrorBody("AccessDenied", "Access Denied") } }],
    code: 4,
    published: false,
    stderr: /S3 UploadPart 1 failed: HTTP 403 AccessDenied: Access Denied: the credentials of S3_ACCESS_KEY may not do this: check their policy for the bucket$/,
    check: () => expect(s3Proxy.count(isPart(1))).toBe(1),
  },
  {
    name: "permanent failure of the admin POST: uploaded, registration saved, exit 5",
    large: true,
    adminFaults: [{ match: isRegistration, times: Infinity, action: { kind: "status", status: 503, body: "{\"detail\":\"down\"}" } }],
    args: ["--retries", "1"],
    code: 5,
    published: false,
    stderr: /admin API registration failed: HTTP 503: down; the object .* is uploaded .*publish-artifact register --from /,
    check: () => {
      expect(listObjects(s3)).toEqual([KEY]);
      expect(recoveryFiles(work).length).toBe(1);
    },
  },
  {
    name: "a stalled admin POST past the timeout, for good",
    large: false,
    adminFaults: [{ match: isRegistration, times: Infinity, action: { kind: "stall" } }],
    args: ["--retries", "1", "--timeout", "1"],
    code: 5,
    published: false,
    stderr: /admin API registration failed: no response from 127\.0\.0\.1:\d+: no answer within 1 s/,
  },
];

describe("faults between the CLI and the servers", () => {
  for (const c of cases) {
    test(c.name, async () => {
      for (const fault of c.s3Faults ?? []) s3Proxy.add(fault);
      for (const fault of c.adminFaults ?? []) adminProxy.add(fault);
      const file = c.large ? largeFile : smallFile;
      const run = await publish(file, c.args);
      if (c.stderr) expect(run.stderr.trim()).toMatch(c.stderr);
      expect(run.code).toBe(c.code);
      const kept = resumeRecords(work);
      expect(kept).toHaveLength(c.kept ? 1 : 0);
      expect(openMultipartUploads(s3)).toEqual(c.kept ? [KEY] : []);
      expect(admin.registrations.length).toBe(c.published ? 1 : 0);
      if (c.published) {
        expect(listObjects(s3)).toEqual([KEY]);
        checkPublished(s3, KEY, admin.registrations[0]!.body as never, file, work);
      } else if (c.code !== 5) {
        expect(listObjects(s3)).toEqual([]);
      }
      c.check?.();
      // What the user would do next (or the next run would): the kept upload ends with its record.
      for (const record of kept) expect((await spawnCli("bun", ["abort", "--from", record], { ...s3, S3_ENDPOINT: s3Proxy.url, S3_SECRET_KEY: SECRET }, work)).code).toBe(0);
      expect(openMultipartUploads(s3)).toEqual([]);
      // Every fault this case injected hit a request: a case whose fault never fired proves nothing.
      expect(s3Proxy.unfired()).toEqual([]);
      expect(adminProxy.unfired()).toEqual([]);
      expectNoSecrets(run);
    });
  }
});

test("temporary credentials: every S3 request carries S3_SESSION_TOKEN as x-amz-security-token, signed, and S3 accepts it", async () => {
  const token = "session-token-RECOGNISABLE-FwoGZXIvYXdzEXAMPLE";
  for (const runtime of ["binary-x64", "deno"] as const) {
    s3Proxy.clear();
    admin.registrations.length = 0;
    const run = await publish(largeFile, ["--json"], { S3_SESSION_TOKEN: token }, runtime);
    expect(run.code).toBe(0);
    // radosgw checks the signature, which covers the header.
    const requests = s3Proxy.requests;
    expect(requests.length).toBeGreaterThanOrEqual(6); // key check, Create, 3 parts, Complete, HEAD
    for (const request of requests) {
      expect(request.headers["x-amz-security-token"]).toBe(token);
      expect(request.headers.authorization).toMatch(/SignedHeaders=[^,]*x-amz-security-token/);
    }
    expect(run.stdout + run.stderr).not.toContain(token);
    expect(listObjects(s3)).toEqual([KEY]);
    curlDelete(s3, KEY);
  }
});
