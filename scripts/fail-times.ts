// `bun scripts/fail-times.ts [CAP_SECONDS]`: how long a publish with default settings takes to fail against a
// broken endpoint, and what it prints. Each case runs the CLI from source against a server on this machine:
// a closed port, a host that does not resolve, a TLS server whose certificate nobody trusts, a server that
// accepts connections and never answers, and a real S3 server (radosgw) given the wrong secret. A case still
// running after CAP_SECONDS (default 1500) is stopped and reported as such.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startAdminServer } from "../test/support/admin-server.ts";
import { startRadosgw, stopRadosgw } from "../test/support/s3.ts";

const cap = Number(process.argv[2] ?? 1500);
const work = mkdtempSync(join(tmpdir(), "publish-artifact-fail-times-"));
const artifact = join(work, "model.trt");
writeFileSync(artifact, new Uint8Array(20 * 1024 * 1024).map((_, i) => (i * 2654435761) >>> 24));

interface Outcome {
  name: string;
  seconds: number;
  code: number | string;
  lines: number;
  first: string;
}

function run(name: string, env: Record<string, string>): Promise<Outcome> {
  const args = ["src/main.ts", "--file", artifact, "--resource-name", "m", "--dev-stage", "dev", "--architecture", "x", "--version", "1"];
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: process.cwd(), env: { PATH: process.env.PATH, PUBLISH_ARTIFACT_RECOVERY_DIR: work, ...env } });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill("SIGKILL"), cap * 1000);
  return new Promise((resolve) =>
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      const lines = stderr.trim().split("\n").filter((line) => line !== "");
      resolve({
        name,
        seconds: (performance.now() - started) / 1000,
        code: signal === "SIGKILL" ? `killed after ${cap} s` : (code ?? String(signal)),
        lines: lines.length,
        first: lines.at(-1) ?? "",
      });
    }),
  );
}

/** A TLS server with a self-signed certificate that no CA store trusts. */
function untrustedTls(): { url: string; stop: () => void } {
  spawnSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-keyout", join(work, "key.pem"), "-out", join(work, "cert.pem")], {
    stdio: "ignore",
  });
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    tls: { cert: Bun.file(join(work, "cert.pem")), key: Bun.file(join(work, "key.pem")) },
    fetch: () => new Response("", { status: 500 }),
  });
  return { url: `https://127.0.0.1:${server.port}`, stop: () => server.stop(true) };
}

/** Accepts connections and never answers. */
async function silentServer(): Promise<{ url: string; stop: () => void }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

const s3Dir = join(work, "radosgw");
const s3 = startRadosgw(s3Dir);
if (!s3) throw new Error("the S3 server did not start");
const admin = startAdminServer();
const base = { ...s3, ADMIN_API_URL: admin.url, ADMIN_API_TOKEN: admin.token } as Record<string, string>;
const tls = untrustedTls();
const silent = await silentServer();
const outcomes: Outcome[] = [];
try {
  outcomes.push(await run("S3 connection refused", { ...base, S3_ENDPOINT: await closedPort() }));
  outcomes.push(await run("S3 host does not resolve", { ...base, S3_ENDPOINT: "https://s3.does-not-exist.invalid" }));
  outcomes.push(await run("S3 TLS certificate untrusted", { ...base, S3_ENDPOINT: tls.url }));
  outcomes.push(await run("S3 wrong secret", { ...base, S3_SECRET_KEY: "not-the-secret-key" }));
  outcomes.push(await run("admin connection refused", { ...base, ADMIN_API_URL: await closedPort() }));
  outcomes.push(await run("S3 accepts, never answers", { ...base, S3_ENDPOINT: silent.url }));
} finally {
  tls.stop();
  silent.stop();
  await admin.stop();
  stopRadosgw(s3Dir);
  rmSync(work, { recursive: true, force: true });
}
console.log(`\nTime to fail with default settings (20 MiB artifact, CLI from source under Bun, cap ${cap} s)`);
console.log(`  ${"case".padEnd(30)} ${"seconds".padStart(8)} ${"exit".padStart(6)} ${"lines".padStart(5)}  last line`);
for (const o of outcomes) {
  console.log(`  ${o.name.padEnd(30)} ${o.seconds.toFixed(1).padStart(8)} ${String(o.code).padStart(6)} ${String(o.lines).padStart(5)}  ${o.first.slice(0, 160)}`);
}
