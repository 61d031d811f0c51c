// What users reach for next, against the real S3 server and admin API, each through the CLI under Bun, Deno and
// the compiled binary: decrypt, verify, --output, --dry-run, --file - (stdin), progress, --quiet.
import { beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { S3Client } from "../../src/s3/client.ts";
import { uploadStream } from "../../src/s3/upload.ts";
import type { AdminServer } from "../support/admin-server.ts";
import { defaultWorkers } from "../../src/pipeline/deflate/gzip.ts";
import { nameFlags, recoveryFiles, useE2e } from "../support/e2e.ts";
import { cliCommand, spawnCli, type Runtime } from "../support/spawn-cli.ts";
import { curlDelete, listObjects, openMultipartUploads, type S3Env } from "../support/s3.ts";
import { pseudoRandomBytes, streamOf } from "../support/streams.ts";
import { checkPublished } from "../support/check-published.ts";
import { FaultProxy } from "../support/fault-proxy.ts";

const e2e = useE2e();
let s3: S3Env;
let admin: AdminServer;
let work: string;
let file: string;
const NAMES = nameFlags("tool");
const KEY = "dev/tool-arm64-1.enc";
const RUNTIMES: Runtime[] = ["bun", "deno", "binary-x64"];

beforeAll(() => {
  ({ s3, admin, work } = e2e);
  file = join(work, "artifact.bin");
  writeFileSync(file, pseudoRandomBytes(7 * 1024 * 1024, 77));
});

const env = (extra: Record<string, string> = {}) => e2e.env(extra);

/** Run the CLI with stdin from a file, as a pipe would feed it; async, since the admin API answers from here. */
async function runWithStdin(runtime: Runtime, args: string[], stdinFile: string, extraEnv: Record<string, string> = {}) {
  const child = Bun.spawn([...cliCommand(runtime, args, work, env()), ...args], {
    cwd: work,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env(), ...extraEnv },
    stdin: Bun.file(stdinFile),
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).arrayBuffer(), new Response(child.stderr).text(), child.exited]);
  return { code, stdout: new Uint8Array(stdout), stderr };
}

async function publishOnce(): Promise<{ sha256: string; encryption_key: string; size_bytes: number }> {
  const run = await spawnCli("bun", ["--file", file, ...NAMES, "--quiet"], env(), work);
  expect(run.code).toBe(0);
  return admin.registrations[0]!.body as never;
}

describe("decrypt", () => {
  for (const runtime of RUNTIMES) {
    test(`${runtime}: decrypts what openssl and gzip made, file to file and stdin to stdout`, async () => {
      const key = spawnSync("openssl", ["rand", "-hex", "32"]).stdout.toString().trim();
      const iv = spawnSync("openssl", ["rand", "-hex", "16"]).stdout.toString().trim();
      const made = spawnSync("bash", ["-c", `gzip -c '${file}' | openssl enc -aes-256-cbc -K ${key} -iv ${iv}`], { maxBuffer: 64 * 1024 * 1024 });
      expect(made.status).toBe(0);
      const encrypted = join(work, "reference.enc");
      writeFileSync(encrypted, Buffer.concat([Buffer.from(iv, "hex"), made.stdout]));
      const sha = spawnSync("sha256sum", [encrypted]).stdout.toString().split(" ")[0] as string;
      const out = join(work, "restored.bin");
      const keyFile = join(work, "key.hex");
      writeFileSync(keyFile, `${key}\n`, { mode: 0o600 });
      const toFile = await spawnCli(runtime, ["decrypt", "--key-file", keyFile, "--sha256", sha, encrypted, out], {}, work);
      expect(toFile.stderr).toBe(`decrypted ${statSync(encrypted).size} bytes into ${statSync(file).size} bytes, sha256 checked\n`);
      expect(toFile.code).toBe(0);
      expect(spawnSync("cmp", [out, file]).status).toBe(0);

      const piped = await runWithStdin(runtime, ["decrypt", "-", "-"], encrypted, { PUBLISH_ARTIFACT_KEY: key });
      expect(piped.stderr).not.toContain("warning");
      expect(piped.code).toBe(0);
      expect(Buffer.from(piped.stdout).equals(readFileSync(file))).toBe(true);
    });
  }

  test("a wrong --sha256 or a wrong --key exits 6 and leaves no output file", async () => {
    const payload = await publishOnce();
    const encrypted = join(work, "download.enc");
    checkPublished(s3, KEY, payload, file, work);
    spawnSync("cp", [join(work, "downloaded.enc"), encrypted]);
    const out = join(work, "out.bin");
    const badSha = await spawnCli("bun", ["decrypt", "--key", payload.encryption_key, "--sha256", "0".repeat(64), encrypted, out], {}, work);
    expect(badSha.code).toBe(6);
    expect(badSha.stderr).toContain(`has SHA-256 ${payload.sha256}, not the expected ${"0".repeat(64)}`);
    const badKey = await spawnCli("bun", ["decrypt", "--key", "1".repeat(64), encrypted, out], {}, work);
    expect(badKey.code).toBe(6);
    expect(badKey.stderr).toMatch(/wrong key/);
    expect(existsSync(out)).toBe(false);
    // Nor its temporary file (.out.bin.RANDOM.partial, beside it).
    expect(readdirSync(work).filter((name) => name.startsWith(".out.bin."))).toEqual([]);
    const badHex = await spawnCli("bun", ["decrypt", "--key", "xyz", encrypted, out], {}, work);
    expect(badHex.stderr).toBe("publish-artifact: error: --key must be the encryption key as 64 hex digits\n");
    expect(badHex.code).toBe(2);
  });
});

describe("verify", () => {
  for (const runtime of RUNTIMES) {
    test(`${runtime}: --key-file and --sha256 of a publish: a full match exits 0; another file exits 6`, async () => {
      const payload = await publishOnce();
      const keyFile = join(work, "key.hex");
      writeFileSync(keyFile, payload.encryption_key, { mode: 0o600 });
      const args = [...NAMES, "--key-file", keyFile, "--sha256", payload.sha256];
      const ok = await spawnCli(runtime, ["verify", "--file", file, ...args], { ...s3 }, work);
      expect(ok.stderr).toBe(
        `verified ${KEY}: ${payload.size_bytes} bytes with sha256 ${payload.sha256}, decrypted and identical to the ${statSync(file).size} bytes of ${file}\n`,
      );
      expect(ok.code).toBe(0);
      const other = join(work, "other.bin");
      const changed = readFileSync(file);
      changed[5_000_000] = (changed[5_000_000] as number) ^ 1;
      writeFileSync(other, changed);
      const bad = await spawnCli(runtime, ["verify", "--file", other, ...NAMES, "--sha256", payload.sha256], { ...s3, PUBLISH_ARTIFACT_KEY: payload.encryption_key }, work);
      expect(bad.stderr).toBe(`publish-artifact: error: ${KEY} decrypts to data that differs from --file ${other} at byte 5000000\n`);
      expect(bad.code).toBe(6);
    });
  }

  test("--from a recovery file, and a wrong key", async () => {
    admin.failNext(1, 400, JSON.stringify({ detail: "rejected" }));
    const run = await spawnCli("bun", ["--file", file, ...NAMES], env(), work);
    expect(run.code).toBe(5);
    const recovery = recoveryFiles(work)[0] as string;
    const ok = await spawnCli("bun", ["verify", "--file", file, ...NAMES, "--from", recovery], { ...s3 }, work);
    expect(ok.code).toBe(0);
    const wrong = await spawnCli("bun", ["verify", "--file", file, ...NAMES, "--key", "2".repeat(64), "--sha256", "3".repeat(64)], { ...s3 }, work);
    expect(wrong.code).toBe(6);
    const both = await spawnCli("bun", ["verify", "--file", file, ...NAMES, "--key", "2".repeat(64), "--from", recovery], { ...s3 }, work);
    expect(both.stderr).toEndWith(`publish-artifact: error: --from ${recovery} holds the key itself: leave out --key-file and --key\n`);
    expect(both.code).toBe(2);
    const hashTwice = await spawnCli("bun", ["verify", "--file", file, "--sha256", "3".repeat(64), "--from", recovery], { ...s3 }, work);
    expect(hashTwice.stderr).toBe("publish-artifact: error: verify takes the hash from --from FILE: leave out --sha256\n");
    expect(hashTwice.code).toBe(2);
  });

  test("as the README says: a private bucket's cdn_url answers 403 to a plain curl; verify, signed, needs no public access", async () => {
    const published = await spawnCli("bun", ["--file", file, ...NAMES, "--quiet", "--json"], env(), work);
    const { cdn_url: cdnUrl } = JSON.parse(published.stdout) as { cdn_url: string };
    const plain = spawnSync("curl", ["-sS", "-o", "/dev/null", "-w", "%{http_code}", cdnUrl]);
    expect(plain.stdout.toString()).toBe("403");
    const payload = admin.registrations[0]!.body as { encryption_key: string };
    const summary = join(work, "published.json");
    writeFileSync(summary, published.stdout);
    const verified = await spawnCli("bun", ["verify", "--file", file, "--from", summary], { ...s3, PUBLISH_ARTIFACT_KEY: payload.encryption_key }, work);
    expect(verified.code).toBe(0);
  });

  for (const runtime of RUNTIMES) {
    test(`${runtime}: a publish's --json output is a --from for verify, the key beside it; stdin as --file`, async () => {
      const published = await spawnCli("bun", ["--file", file, ...NAMES, "--quiet", "--json"], env(), work);
      expect(published.code).toBe(0);
      const summary = join(work, "published.json");
      writeFileSync(summary, published.stdout);
      const payload = admin.registrations[0]!.body as { encryption_key: string; sha256: string; size_bytes: number };
      const keyFile = join(work, "key.hex");
      writeFileSync(keyFile, payload.encryption_key, { mode: 0o600 });
      const verified = `verified ${KEY}: ${payload.size_bytes} bytes with sha256 ${payload.sha256}, decrypted and identical to the ${statSync(file).size} bytes of`;

      const ok = await spawnCli(runtime, ["verify", "--file", file, "--from", summary, "--key-file", keyFile], { ...s3 }, work);
      expect(ok.stderr).toBe(`${verified} ${file}\n`);
      expect(ok.code).toBe(0);
      const piped = await runWithStdin(runtime, ["verify", "--file", "-", "--from", summary], file, { PUBLISH_ARTIFACT_KEY: payload.encryption_key });
      expect(piped.stderr).toBe(`${verified} stdin\n`);
      expect(piped.code).toBe(0);

      // The hash in the file is the one compared: a file whose hash is another's fails, exit 6.
      const forged = join(work, "forged.json");
      writeFileSync(forged, JSON.stringify({ ...JSON.parse(published.stdout), sha256: "4".repeat(64) }));
      const bad = await spawnCli(runtime, ["verify", "--file", file, "--from", forged, "--key-file", keyFile], { ...s3 }, work);
      expect(bad.code).toBe(6);
      const keyless = await spawnCli(runtime, ["verify", "--file", file, "--from", summary], { ...s3 }, work);
      expect(keyless.stderr).toBe(`publish-artifact: error: --from ${summary} holds no key (a publish's --json output never does): give --key-file PATH or PUBLISH_ARTIFACT_KEY\n`);
      expect(keyless.code).toBe(2);

      // The names and a key, no hash: decrypted and compared; the hash printed, said not to be compared.
      const unhashed = await spawnCli(runtime, ["verify", "--file", file, ...NAMES, "--key-file", keyFile], { ...s3 }, work);
      expect(unhashed.stderr).toBe(
        `verified ${KEY}: ${payload.size_bytes} bytes with sha256 ${payload.sha256} (not compared: no --sha256 or --from was given), decrypted and identical to the ${statSync(file).size} bytes of ${file}\n`,
      );
      expect(unhashed.code).toBe(0);
    });
  }
});

describe("--output and --dry-run", () => {
  for (const runtime of RUNTIMES) {
    test(`${runtime}: --output writes the encrypted file and its metadata (0600, with the key, which no output shows), uploads nothing`, async () => {
      const out = join(work, "local.enc");
      const before = admin.requests;
      const run = await spawnCli(runtime, ["--file", file, ...NAMES, "--output", out, "--json"], { S3_ENDPOINT: s3.S3_ENDPOINT, S3_BUCKET: s3.S3_BUCKET }, work);
      expect(run.code).toBe(0);
      const metadata = JSON.parse(readFileSync(`${out}.json`, "utf8"));
      expect(statSync(`${out}.json`).mode & 0o777).toBe(0o600);
      const { encryption_key: key, ...published } = metadata.payload;
      expect(JSON.parse(run.stdout)).toEqual({ object_key: KEY, ...published, encrypted_file: out, metadata_file: `${out}.json` });
      expect(run.stdout + run.stderr).not.toContain(key);
      expect(metadata.payload.cdn_url).toBe(`${s3.S3_ENDPOINT}/${s3.S3_BUCKET}/${KEY}`);
      expect(statSync(out).size).toBe(metadata.payload.size_bytes);
      expect(spawnSync("sha256sum", [out]).stdout.toString().split(" ")[0]).toBe(metadata.payload.sha256);
      // The independent decoder reads it.
      const decode = spawnSync("bash", [
        "-c",
        `tail -c +17 '${out}' | openssl enc -d -aes-256-cbc -K ${metadata.payload.encryption_key} -iv $(head -c 16 '${out}' | od -An -tx1 | tr -d ' \\n') | gunzip | cmp - '${file}'`,
      ]);
      expect(decode.status).toBe(0);
      expect(listObjects(s3)).toEqual([]);
      expect(admin.requests).toBe(before);
    });
  }

  test("--dry-run says what it cannot know: whether a compressible file fits one request", async () => {
    // 10 MiB of zeros compress to almost nothing: one PutObject, though its worst case would need parts. The plan
    // says what it cannot know, and the publish then sends one PutObject.
    const zeros = join(work, "zeros.bin");
    writeFileSync(zeros, new Uint8Array(10 * 1024 * 1024));
    const planned = await spawnCli("bun", ["--file", zeros, ...NAMES, "--dry-run", "--json"], env(), work);
    expect(JSON.parse(planned.stdout).upload_as).toBe(
      "multipart, parts of 8.0 MiB, 4 at a time, if the ciphertext passes 8.0 MiB (up to 10.0 MiB if nothing compresses; known only once compressed); else one PutObject request",
    );
    const published = await spawnCli("bun", ["--file", zeros, ...NAMES], env(), work);
    expect(published.code).toBe(0);
    expect(published.stderr).toMatch(/from 10485760 bytes \(10\.0 MiB\), one request\n/);
  });

  test("--dry-run --no-overwrite fails as the publish would (exit 4) when an object is at the key", async () => {
    expect((await spawnCli("bun", ["--file", file, ...NAMES, "--quiet"], env(), work)).code).toBe(0);
    const planned = await spawnCli("binary-x64", ["--file", file, ...NAMES, "--dry-run", "--no-overwrite"], env(), work);
    expect(planned.stdout).toContain(`  S3           FAILED  ${KEY} in bucket ${s3.S3_BUCKET} already exists and --no-overwrite was given: a publish would refuse, uploading nothing\n`);
    expect(planned.stderr).toBe("publish-artifact: error: dry run: a check failed (see its FAILED line): a publish would fail the same way\n");
    expect(planned.code).toBe(4);
    const published = await spawnCli("bun", ["--file", file, ...NAMES, "--no-overwrite"], env(), work);
    expect(published.code).toBe(4);
    // Without --no-overwrite the dry run only says the object would be replaced.
    expect((await spawnCli("bun", ["--file", file, ...NAMES, "--dry-run"], env(), work)).code).toBe(0);
  });

  test("ADMIN_API_URL given as the whole publish URL is refused before anything (exit 2); a 404 at the publish URL fails the dry run and warns the publish", async () => {
    const postsBefore = admin.requests;
    const doubled = await spawnCli("bun", ["--file", file, ...NAMES, "--dry-run"], env({ ADMIN_API_URL: `${admin.url}/internal/resources/publish/` }), work);
    expect(doubled.stderr).toBe(
      `publish-artifact: error: ADMIN_API_URL ends with the publish path (/internal/resources/publish), which is added to it: set ADMIN_API_URL to the API's base URL, ${admin.url}\n`,
    );
    expect(doubled.code).toBe(2);
    // An API under a prefix the URL does not have: the HEAD of the publish URL gets a 404 (any other answer is fine).
    const heads: string[] = [];
    const elsewhere = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: (request) => {
        heads.push(`${request.method} ${new URL(request.url).pathname}`);
        return new Response(null, { status: 404 });
      },
    });
    try {
      const base = `http://127.0.0.1:${elsewhere.port}`;
      const planned = await spawnCli("binary-x64", ["--file", file, ...NAMES, "--dry-run"], env({ ADMIN_API_URL: base }), work);
      const line = `the admin API answers HTTP 404 at ${base}/internal/resources/publish (ADMIN_API_URL ${base} and the publish path): ADMIN_API_URL must be the API's base URL`;
      expect(planned.stdout).toContain(`  admin API    FAILED  ${line}\n`);
      expect(planned.code).toBe(4);
      expect(heads).toEqual(["HEAD /internal/resources/publish"]);
      // The publish says so before its upload, and goes on (some frameworks answer 404 to a HEAD of a POST route).
      const published = await spawnCli("bun", ["--file", file, ...NAMES], env({ ADMIN_API_URL: base }), work);
      expect(published.stderr).toStartWith(`publish-artifact: warning: ${line}; publishing anyway (a failed registration is saved for register --from)\n`);
      expect(published.code).toBe(5);
    } finally {
      await elsewhere.stop(true);
    }
    expect(admin.requests).toBe(postsBefore);
  });

  test("--dry-run validates, shows the plan, runs the read-only checks and writes nothing", async () => {
    const checksBefore = admin.checks;
    const postsBefore = admin.requests;
    const run = await spawnCli("binary-x64", ["--file", file, ...NAMES, "--dry-run"], env(), work);
    // The default, one worker per core this machine lets us use (a CPU quota included): the binary runs here too.
    const workers = defaultWorkers();
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const adminHost = new URL(admin.url).host;
    expect(run.stdout).toBe(
      [
        "dry run: nothing was uploaded or registered",
        `  input        ${file}, ${7 * 1024 * 1024} bytes (7.0 MiB)`,
        `  object key   ${KEY}`,
        `  upload to    ${s3.S3_ENDPOINT}/${s3.S3_BUCKET}/${KEY}`,
        "  upload as    one PutObject request",
        "  credentials  S3_ACCESS_KEY and S3_SECRET_KEY",
        `  compress     ${workers === 0 ? "on the main thread, no workers" : `${workers} worker${workers > 1 ? "s" : ""}`}, gzip level 6`,
        `  register at  ${admin.url}/internal/resources/publish`,
        `  cdn_url      ${s3.S3_ENDPOINT}/${s3.S3_BUCKET}/${KEY}`,
        "  resume       no upload of this publish was kept: a new upload",
        "checks:",
        `  recovery dir ok      ${join(work, ".publish-artifact")} (would be created)`,
        `  admin API    ok      ${adminHost} answers (HTTP 405 to an unauthenticated HEAD)`,
        `  S3           ok      credentials and bucket accepted; ${KEY} in bucket ${s3.S3_BUCKET} is free`,
        "",
      ].join("\n"),
    );
    expect(admin.checks).toBe(checksBefore + 1);
    expect(admin.requests).toBe(postsBefore);
    expect(listObjects(s3)).toEqual([]);
    expect(existsSync(join(work, ".publish-artifact"))).toBe(false);

    // A dead admin port and a wrong secret: both reported, exit 4, still nothing written; --json for machines.
    const closed = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("") });
    const deadUrl = `http://127.0.0.1:${closed.port}`;
    await closed.stop(true);
    const broken = await spawnCli("bun", ["--file", file, ...NAMES, "--dry-run", "--json"], env({ ADMIN_API_URL: deadUrl, S3_SECRET_KEY: "wrong-secret-123" }), work);
    expect(broken.code).toBe(4);
    const plan = JSON.parse(broken.stdout);
    expect(plan.checks.recovery_dir.ok).toBe(true);
    expect(plan.checks.admin_api).toEqual({
      ok: false,
      detail: `the admin API at ${new URL(deadUrl).host} does not answer (connection refused): nothing was uploaded; check ADMIN_API_URL`,
    });
    expect(plan.checks.s3.ok).toBe(false);
    expect(plan.checks.s3.detail).toMatch(/^S3 GetObject failed: HTTP 403 SignatureDoesNotMatch: .*: check S3_SECRET_KEY \(and S3_REGION\)$/);
    expect(broken.stderr).toBe("publish-artifact: error: dry run: a check failed (see its FAILED line): a publish would fail the same way\n");
    expect(broken.stdout + broken.stderr).not.toContain("wrong-secret-123");
    expect(listObjects(s3)).toEqual([]);

    const missing = await spawnCli("bun", ["--file", join(work, "nope"), ...NAMES, "--dry-run"], env(), work);
    expect(missing.code).toBe(3);
    // A missing file is found before any check goes out.
    expect(admin.checks).toBe(checksBefore + 1);
  });
});

describe("--file - (stdin)", () => {
  for (const runtime of RUNTIMES) {
    test(`${runtime}: a piped artifact goes up as a multipart upload and verifies`, async () => {
      const big = join(work, "piped.bin");
      writeFileSync(big, pseudoRandomBytes(12 * 1024 * 1024, 12));
      const run = await runWithStdin(runtime, ["--file", "-", ...NAMES, "--part-size", "5MiB", "--json"], big);
      expect(run.stderr).toContain(`published ${KEY}`);
      expect(run.stderr).toMatch(/from 12582912 bytes \(12\.0 MiB\), 3 parts of 5\.0 MiB/);
      expect(run.code).toBe(0);
      checkPublished(s3, KEY, admin.registrations[0]!.body as never, big, work);
      expect(openMultipartUploads(s3)).toEqual([]);
    });
  }

  for (const runtime of ["bun", "binary-x64"] as const) {
    test(`${runtime}: parts that would take more than 64 MiB of memory go through a spool in TMPDIR, left empty`, async () => {
      const big = join(work, "spooled.bin");
      writeFileSync(big, pseudoRandomBytes(12 * 1024 * 1024, 13));
      const spoolParent = mkdtempSync(join(work, "tmp-"));
      // 5 MiB parts, 16 at a time: 85 MiB could be held at once, so they are spooled (part-spool.ts).
      const args = ["--file", "-", ...NAMES, "--part-size", "5MiB", "--concurrency", "16"];
      const run = await runWithStdin(runtime, args, big, { TMPDIR: spoolParent });
      expect(run.stderr).toMatch(/from 12582912 bytes \(12\.0 MiB\), 3 parts of 5\.0 MiB/);
      expect(run.code).toBe(0);
      checkPublished(s3, KEY, admin.registrations[0]!.body as never, big, work);
      expect(readdirSync(spoolParent)).toEqual([]);
    });
  }

  test("a spool that cannot be made: a FAILED check in the dry run, and exit 4 in one line naming TMPDIR's folder before any upload", async () => {
    const big = join(work, "unspooled.bin");
    writeFileSync(big, pseudoRandomBytes(12 * 1024 * 1024, 14));
    const missing = join(work, "no-such-tmp");
    const problem = `cannot spool the upload's parts in ${missing} (no such file): set TMPDIR to a folder with 320.0 MiB free, or give a smaller --part-size`;
    // The dry run says so first, as a failed check.
    const planned = await runWithStdin("binary-x64", ["--file", "-", ...NAMES, "--dry-run"], big, { TMPDIR: missing });
    const plannedText = new TextDecoder().decode(planned.stdout);
    expect(plannedText).toContain("  upload as    from stdin, size unknown: multipart in parts of 64.0 MiB (at most 625.0 GiB), 4 at a time; parts held in files in a temporary folder (up to 320.0 MiB)\n");
    expect(plannedText).toContain(`  spool        FAILED  ${problem}\n`);
    expect(planned.code).toBe(4);
    const fine = mkdtempSync(join(work, "tmp-"));
    const plannedFine = await runWithStdin("binary-x64", ["--file", "-", ...NAMES, "--dry-run"], big, { TMPDIR: fine });
    expect(new TextDecoder().decode(plannedFine.stdout)).toContain(`  spool        ok      ${fine} takes the parts' files (320.0 MiB free at least)\n`);
    expect(plannedFine.code).toBe(0);
    expect(readdirSync(fine)).toEqual([]);

    const run = await runWithStdin("binary-x64", ["--file", "-", ...NAMES], big, { TMPDIR: missing });
    expect(run.stderr).toBe(`publish-artifact: error: ${problem}\n`);
    expect(run.code).toBe(4);
    expect(openMultipartUploads(s3)).toEqual([]);
    expect(listObjects(s3)).toEqual([]);
    expect(admin.registrations).toEqual([]);
  });

  test("a stream that outgrows the part limit fails clearly and its upload is aborted", async () => {
    const client = new S3Client({
      endpoint: s3.S3_ENDPOINT,
      credentials: { kind: "static", from: "S3_ACCESS_KEY and S3_SECRET_KEY", accessKeyId: s3.S3_ACCESS_KEY, secretAccessKey: s3.S3_SECRET_KEY },
      bucket: s3.S3_BUCKET,
      region: s3.S3_REGION,
    });
    const chunk = pseudoRandomBytes(1024 * 1024, 3);
    const error = await uploadStream(client, KEY, streamOf(Array.from({ length: 16 }, () => chunk)), {
      partSize: 5 * 1024 * 1024,
      concurrency: 2,
      maxParts: 2,
    }).catch((e: unknown) => e);
    expect((error as Error).message).toBe(
      "the input needs more than 2 parts of 5242880 bytes, S3's limit: the upload was aborted; raise --part-size",
    );
    expect(openMultipartUploads(s3)).toEqual([]);
    expect(listObjects(s3)).toEqual([]);
  });
});

describe("progress", () => {
  test("on a terminal (a real pseudo-terminal): one line redrawn in place, gone at the end; NO_COLOR respected", async () => {
    const big = join(work, "slow.bin");
    // Text, at level 9 on the main thread alone, so that it takes a few seconds here (random bytes would be
    // stored, at memory speed).
    const lines: string[] = [];
    for (let i = 0; lines.length < 1_500_000; i++) lines.push(`{"id":${i},"layer":"${((i * 2654435761) >>> 0).toString(16)}","size":${(i * 7919) % 1000003}}`);
    writeFileSync(big, new TextEncoder().encode(lines.join("\n")).subarray(0, 64 * 1024 * 1024));
    const command = [...cliCommand("bun"), "--file", big, ...NAMES, "--workers", "0", "--level", "9"].map((a) => `'${a}'`).join(" ");
    const child = Bun.spawn(["script", "-qfec", command, "/dev/null"], {
      cwd: work,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: "1", ...env() },
      stdout: "pipe",
    });
    const [output, code] = await Promise.all([new Response(child.stdout).text(), child.exited]);
    expect(code).toBe(0);
    const redraws = output.split("\r\x1b[2K").length - 1;
    expect(redraws).toBeGreaterThan(1);
    expect(output).toMatch(/\d+% read \([\d.]+ MiB of 64\.0 MiB\), [\d.]+ [KMG]iB encrypted, [\d.]+ (B|[KMG]iB) uploaded, [\d.]+ MiB\/s, ETA \d+/);
    expect(output).toContain(`published ${KEY}`);
    // Only the line-redraw sequence; no colours (SGR codes).
    expect(output).not.toMatch(/\x1b\[[\d;]*m/);
    // The line is cleared before the summary.
    expect(output).toMatch(/\r\x1b\[2Kpublished /);
  });

  test("from stdin on a terminal: bytes count as the connection takes them, and the last steps are shown", async () => {
    // One PutObject of about 4.9 MiB through a line of 1 MiB/s: some 5 s during which S3 has answered nothing.
    // Counted only once S3 answers, the line said "0 B uploaded" all along (issue 21, §5).
    const proxy = await FaultProxy.start(s3.S3_ENDPOINT);
    proxy.add({ match: (request) => request.method === "PUT", times: Number.POSITIVE_INFINITY, action: { kind: "throttle", bytesPerSecond: 1024 * 1024 } });
    try {
      const piped = join(work, "piped-slow.bin");
      writeFileSync(piped, pseudoRandomBytes(4_900_000, 8));
      const args = ["--file", "-", ...NAMES, "--part-size", "5MiB"];
      const command = `cat '${piped}' | ${[...cliCommand("bun"), ...args].map((a) => `'${a}'`).join(" ")}`;
      const child = Bun.spawn(["script", "-qfec", command, "/dev/null"], {
        cwd: work,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: "1", ...env({ S3_ENDPOINT: proxy.url }) },
        stdout: "pipe",
      });
      const [output, code] = await Promise.all([new Response(child.stdout).text(), child.exited]);
      expect(code).toBe(0);
      expect(proxy.unfired()).toEqual([]);
      const redraws = output.split("\r\x1b[2K");
      const goingUp = redraws.filter((line) => /, [1-9][\d.]* (KiB|MiB) uploaded/.test(line) && !line.includes("registering"));
      expect(goingUp.length).toBeGreaterThanOrEqual(3);
      expect(output).toContain(`; registering at ${new URL(admin.url).host}`);
      expect(output).toContain(`published ${KEY}`);
    } finally {
      await proxy.stop();
    }
  }, 60_000);

  test("deno on a terminal with the README's permissions: a publish and a decrypt ask nothing (no permission prompt)", async () => {
    // Deno prompts on a terminal for anything its flags do not allow, and a prompt stops a CI step or a person.
    // Measured: reading a variable outside --allow-env (the runtime switches), or the umask (--allow-sys), did.
    const out = join(work, "tty.enc");
    const restored = join(work, "tty.bin");
    for (const args of [["--file", file, ...NAMES, "--quiet"], ["--file", file, ...NAMES, "--output", out, "--quiet"], ["decrypt", "--key-file", `${out}.json`, out, restored]]) {
      const command = [...cliCommand("deno", args, work, env()), ...args].map((a) => `'${a}'`).join(" ");
      const child = Bun.spawn(["script", "-qfec", command, "/dev/null"], {
        cwd: work,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, DENO_NO_UPDATE_CHECK: "1", BUN_OPTIONS: "--smol", ...env() },
        stdin: "pipe",
        stdout: "pipe",
      });
      // A prompt waits for an answer: end the wait after 60 s, and the test fails on what it printed.
      const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
      const [output, code] = await Promise.all([new Response(child.stdout).text(), child.exited]);
      clearTimeout(timer);
      expect(output).not.toContain("Deno requests");
      expect(code).toBe(0);
    }
    expect(readFileSync(restored).equals(readFileSync(file))).toBe(true);
  });

  test("not on a terminal, a short run prints no progress; --quiet prints nothing at all", async () => {
    const run = await spawnCli("bun", ["--file", file, ...NAMES], env(), work);
    expect(run.code).toBe(0);
    expect(run.stderr).not.toContain("% read");
    expect(run.stderr).not.toContain("\r");
    admin.registrations.length = 0;
    // A fresh key: replacing an object is warned about even with --quiet.
    curlDelete(s3, KEY);
    const quiet = await spawnCli("bun", ["--file", file, ...NAMES, "--quiet", "--json"], env(), work);
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe("");
    expect(JSON.parse(quiet.stdout).object_key).toBe(KEY);
  });
});
