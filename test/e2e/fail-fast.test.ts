// Broken endpoints fail fast, with default settings, in one line that names host:port and what to do; and they
// are found before the artifact is read, so nothing is uploaded first. Real servers on this machine: a closed
// port, an unresolvable name, a TLS server with a certificate nobody trusts, a server that never answers, and
// the real S3 server given wrong credentials.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer as createTlsServer, type Server as TlsServer } from "node:tls";
import { createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import type { AdminServer } from "../support/admin-server.ts";
import { nameFlags, recoveryFiles, useE2e } from "../support/e2e.ts";
import { spawnCli, type CliRun } from "../support/spawn-cli.ts";
import { listObjects, openMultipartUploads, type S3Env } from "../support/s3.ts";
import { pseudoRandomBytes } from "../support/streams.ts";

const e2e = useE2e();
let s3: S3Env;
let admin: AdminServer;
let work: string;
let file: string;
const NAMES = nameFlags("ff");

let tlsServer: TlsServer;
let tlsHandshakes = 0;
let silent: Server;
/** A plain-http server: answers anything, the TLS handshake too, with an HTTP 400. */
let plain: Server;
let plainConnections = 0;
const silentSockets = new Set<Socket>();

beforeAll(async () => {
  ({ s3, admin, work } = e2e);
  file = join(work, "artifact.bin");
  writeFileSync(file, pseudoRandomBytes(12 * 1024 * 1024, 21));
  const made = spawnSync("openssl", [
    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
    "-keyout", join(work, "key.pem"), "-out", join(work, "cert.pem"),
  ]);
  if (made.status !== 0) throw new Error(made.stderr.toString());
  tlsServer = createTlsServer({ key: readFileSync(join(work, "key.pem")), cert: readFileSync(join(work, "cert.pem")) }, (socket) => socket.end());
  tlsServer.on("connection", () => (tlsHandshakes += 1));
  tlsServer.on("tlsClientError", () => {});
  await new Promise<void>((resolve) => tlsServer.listen(0, "127.0.0.1", resolve));
  silent = createServer((socket) => {
    silentSockets.add(socket);
    socket.on("error", () => {});
  });
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  plain = createServer((socket) => {
    plainConnections += 1;
    socket.on("error", () => {});
    socket.once("data", () => socket.end("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
  });
  await new Promise<void>((resolve) => plain.listen(0, "127.0.0.1", resolve));
});
afterAll(async () => {
  for (const socket of silentSockets) socket.destroy();
  await Promise.all([tlsServer, silent, plain].map((server) => new Promise((resolve) => server.close(resolve))));
});

const portOf = (server: Server | TlsServer) => (server.address() as { port: number }).port;

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = portOf(server);
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function timed(run: Promise<CliRun>): Promise<CliRun & { seconds: number }> {
  const started = performance.now();
  const result = await run;
  return { ...result, seconds: (performance.now() - started) / 1000 };
}

/** Nothing was uploaded, nothing registered, nothing saved: the failure came before the upload. */
function nothingHappened(): void {
  expect(listObjects(s3)).toEqual([]);
  expect(openMultipartUploads(s3)).toEqual([]);
  expect(admin.registrations).toEqual([]);
  expect(recoveryFiles(work)).toEqual([]);
}

describe("a dead endpoint fails in seconds, in one line", () => {
  test("S3 connection refused: exit 4 within 10 s, one line naming host:port", async () => {
    const port = await closedPort();
    const run = await timed(spawnCli("binary-x64", ["--file", file, ...NAMES], e2e.env({ S3_ENDPOINT: `http://127.0.0.1:${port}` }), work));
    expect(run.stderr).toBe(`publish-artifact: error: S3 GetObject failed: no response from 127.0.0.1:${port}: connection refused: check S3_ENDPOINT\n`);
    expect(run.code).toBe(4);
    expect(run.seconds).toBeLessThan(10);
    nothingHappened();
  });

  test("S3 host that does not resolve: exit 4 within 10 s, one line, no path or query", async () => {
    const run = await timed(spawnCli("binary-x64", ["--file", file, ...NAMES], e2e.env({ S3_ENDPOINT: "https://s3.does-not-exist.invalid" }), work));
    expect(run.stderr).toBe("publish-artifact: error: S3 GetObject failed: no response from s3.does-not-exist.invalid: the host name does not resolve: check S3_ENDPOINT\n");
    expect(run.code).toBe(4);
    expect(run.seconds).toBeLessThan(10);
  });

  for (const runtime of ["binary-x64", "deno"] as const) {
    test(`${runtime}: an untrusted TLS certificate is tried once, and the error says how to give a private CA`, async () => {
      const before = tlsHandshakes;
      const host = `127.0.0.1:${portOf(tlsServer)}`;
      const run = await timed(spawnCli(runtime, ["--file", file, ...NAMES], e2e.env({ S3_ENDPOINT: `https://${host}` }), work));
      expect(run.stderr).toStartWith(`publish-artifact: error: S3 GetObject failed: no response from ${host}: TLS certificate not trusted (`);
      expect(run.stderr).toEndWith(
        "): if the server's certificate comes from a private CA, give that CA's PEM file with SSL_CERT_FILE or NODE_EXTRA_CA_CERTS (under Deno: DENO_CERT=FILE)\n",
      );
      expect(run.stderr.split("\n").length).toBe(2);
      expect(run.code).toBe(4);
      expect(tlsHandshakes - before).toBe(1);
      expect(run.seconds).toBeLessThan(10);
    });
  }

  for (const runtime of ["binary-x64", "deno"] as const) {
    test(`${runtime}: https:// to a server that speaks plain http names the scheme, not a certificate, and is tried once`, async () => {
      const before = plainConnections;
      const host = `127.0.0.1:${portOf(plain)}`;
      const run = await timed(spawnCli(runtime, ["--file", file, ...NAMES], e2e.env({ S3_ENDPOINT: `https://${host}` }), work));
      expect(run.stderr).toBe(
        `publish-artifact: error: S3 GetObject failed: no response from ${host}: the server does not speak TLS on this port: if it serves plain http, the URL must start with http://: check S3_ENDPOINT\n`,
      );
      expect(run.code).toBe(4);
      expect(plainConnections - before).toBe(1);
      nothingHappened();
    });
  }

  test("an admin API that does not answer is found before the upload: exit 4, nothing uploaded, no token sent", async () => {
    const port = await closedPort();
    const run = await timed(spawnCli("binary-x64", ["--file", file, ...NAMES], e2e.env({ ADMIN_API_URL: `http://127.0.0.1:${port}` }), work));
    expect(run.stderr).toBe(
      `publish-artifact: error: the admin API at 127.0.0.1:${port} does not answer (connection refused): nothing was uploaded; check ADMIN_API_URL\n`,
    );
    expect(run.code).toBe(4);
    expect(run.seconds).toBeLessThan(10);
    nothingHappened();
  });

  test("the reachability check sends no token", async () => {
    let authorization: string | null = "not seen";
    const probe = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: (request) => {
        if (request.method === "HEAD") authorization = request.headers.get("authorization");
        return new Response(null, { status: 503 });
      },
    });
    try {
      await spawnCli("bun", ["--file", file, ...NAMES, "--dry-run"], e2e.env({ ADMIN_API_URL: `http://127.0.0.1:${probe.port}` }), work);
      expect(authorization).toBeNull();
    } finally {
      await probe.stop(true);
    }
  });

  test("a server that accepts connections and never answers fails within 90 s with default settings", async () => {
    const host = `127.0.0.1:${portOf(silent)}`;
    const run = await timed(spawnCli("binary-x64", ["--file", file, ...NAMES], e2e.env({ S3_ENDPOINT: `http://${host}` }), work));
    expect(run.stderr).toMatch(
      new RegExp(
        `^publish-artifact: S3 GetObject failed: no response from ${host.replace(/\./g, "\\.")}: no answer within 30 s; retrying in \\d\\.\\d s \\(attempt 2 of 5\\)\\n` +
          `publish-artifact: error: S3 GetObject failed: no response from ${host.replace(/\./g, "\\.")}: no answer within 30 s\\n$`,
      ),
    );
    expect(run.code).toBe(4);
    expect(run.seconds).toBeLessThan(90);
    nothingHappened();
  }, 120_000);
});

describe("S3 refusals say what to check, before anything is uploaded", () => {
  const cases: { name: string; env: Record<string, string>; expected: RegExp }[] = [
    { name: "a wrong secret", env: { S3_SECRET_KEY: "wrong-secret-123456" }, expected: /HTTP 403 SignatureDoesNotMatch: .*: check S3_SECRET_KEY \(and S3_REGION\)$/ },
    { name: "a wrong access key", env: { S3_ACCESS_KEY: "AKIDOESNOTEXIST" }, expected: /HTTP 403 InvalidAccessKeyId: .*: check S3_ACCESS_KEY$/ },
    { name: "a missing bucket", env: { S3_BUCKET: "no-such-bucket" }, expected: /HTTP 404 NoSuchBucket: .*: the bucket no-such-bucket does not exist: check S3_BUCKET$/ },
  ];
  for (const { name, env, expected } of cases) {
    test(`${name}: exit 4, one line`, async () => {
      const run = await spawnCli("binary-x64", ["--file", file, ...NAMES], e2e.env(env), work);
      const lines = run.stderr.trim().split("\n");
      expect(lines.length).toBe(1);
      expect(lines[0]).toMatch(/^publish-artifact: error: S3 GetObject failed: /);
      expect(lines[0]).toMatch(expected);
      expect(run.code).toBe(4);
      expect(run.stderr).not.toContain("wrong-secret-123456");
      nothingHappened();
    });
  }
});

describe("messages that tell what to do", () => {
  test("verify of an object that is not there: its own exit code (7), naming the key and the bucket", async () => {
    const run = await spawnCli("binary-x64", ["verify", "--file", file, ...NAMES, "--sha256", "0".repeat(64)], { ...s3, PUBLISH_ARTIFACT_KEY: "1".repeat(64) }, work);
    expect(run.stderr).toBe(
      `publish-artifact: error: dev/ff-arm64-1.enc is not in bucket ${s3.S3_BUCKET} (NoSuchKey): check the names (or --from) and S3_BUCKET, or publish it first\n`,
    );
    expect(run.code).toBe(7);
  });

  test("verify --from needs no names: the file names the object; names that disagree with it are refused", async () => {
    const out = join(work, "local.enc");
    expect((await spawnCli("bun", ["--file", file, ...NAMES, "--output", out], {}, work)).code).toBe(0);
    // Upload the very file --output wrote, as a user would with any S3 client, then verify from its metadata.
    const put = spawnSync("curl", [
      "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--aws-sigv4", `aws:amz:${s3.S3_REGION}:s3`, "--user", `${s3.S3_ACCESS_KEY}:${s3.S3_SECRET_KEY}`,
      "-H", "x-amz-content-sha256: UNSIGNED-PAYLOAD", "-T", out, `${s3.S3_ENDPOINT}/${s3.S3_BUCKET}/dev/ff-arm64-1.enc`,
    ]);
    expect(put.stdout.toString()).toBe("200");
    const run = await spawnCli("binary-x64", ["verify", "--file", file, "--from", `${out}.json`], { ...s3 }, work);
    expect(run.stderr).toStartWith("verified dev/ff-arm64-1.enc: ");
    expect(run.code).toBe(0);
    const other = await spawnCli("bun", ["verify", "--file", file, "--from", `${out}.json`, ...NAMES.slice(0, -1), "2"], { ...s3 }, work);
    expect(other.stderr).toBe(
      `publish-artifact: error: the names give dev/ff-arm64-2.enc, but the --from file is for dev/ff-arm64-1.enc: leave the names out, or give the file of dev/ff-arm64-2.enc\n`,
    );
    expect(other.code).toBe(2);
  });

  test("decrypt names its own arguments", async () => {
    const missing = join(work, "nope.enc");
    const run = await spawnCli("bun", ["decrypt", missing, join(work, "out.bin")], { PUBLISH_ARTIFACT_KEY: "1".repeat(64) }, work);
    expect(run.stderr).toBe(`publish-artifact: error: cannot read IN ${missing}: no such file\n`);
    expect(run.code).toBe(3);
    const unknown = await spawnCli("bun", ["decrypt", "--bogus", "a", "b"], {}, work);
    expect(unknown.stderr).toBe(
      "publish-artifact: error: unknown flag --bogus: see publish-artifact --help for the flags\n" +
        'publish-artifact: error: decrypt needs IN and OUT: publish-artifact decrypt --key-file PATH IN OUT ("-" for stdin or stdout)\n',
    );
    expect(unknown.code).toBe(2);
  });

  test("publish-artifact --version alone says where the program's version is", async () => {
    const run = await spawnCli("bun", ["--version"], {}, work);
    expect(run.stderr).toContain(
      "publish-artifact: error: --version needs a value, e.g. --version 2026-04-15 (the artifact's version; the program's own version is: publish-artifact version)\n",
    );
    expect(run.code).toBe(2);
  });
});

test("the README's from-source line works verbatim after npm ci, without bun on the PATH", () => {
  // Every directory that holds a `bun` is left out of the PATH.
  const path = (process.env.PATH ?? "").split(":").filter((dir) => spawnSync("test", ["-x", join(dir, "bun")]).status !== 0).join(":");
  const run = spawnSync("npm", ["run", "--silent", "publish-artifact", "--", "version"], { cwd: process.cwd(), env: { ...process.env, PATH: path }, encoding: "utf8" });
  expect(run.stdout).toBe("publish-artifact 0.1.0 (source)\n");
  expect(run.status).toBe(0);
});
