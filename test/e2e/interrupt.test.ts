// One SIGINT or SIGTERM ends a run promptly in every state: waiting on a silent stdin, reading and compressing,
// uploading, registering. It exits 130 or 143 with the `interrupted` line, and leaves no multipart upload open.
// stdin comes from a FIFO whose writer stays open, as `docker save | publish-artifact --file -` would.
import { afterEach, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync, type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { AdminServer } from "../support/admin-server.ts";
import { nameFlags, recoveryFiles, useE2e } from "../support/e2e.ts";
import { cliCommand, type Runtime } from "../support/spawn-cli.ts";
import { listObjects, openMultipartUploads, type S3Env } from "../support/s3.ts";
import { pseudoRandomBytes } from "../support/streams.ts";

const e2e = useE2e();
let s3: S3Env;
let admin: AdminServer;
let work: string;
const NAMES = nameFlags("int");
const KEY = "dev/int-arm64-1.enc";
/** A run stopped before any multipart upload began does not speak of one. */
const NOTHING_STARTED = "nothing was registered";
const ABORTED = "the multipart upload was aborted and nothing was registered";
/** The tool's own deadline is 1 s; the rest is the test machine's scheduling under load. */
const PROMPT_MS = 1500;

beforeAll(() => ({ s3, admin, work } = e2e));

const writers: ChildProcess[] = [];
afterEach(() => {
  for (const writer of writers.splice(0)) writer.kill("SIGKILL");
});

/** A FIFO whose writer sends `bytes` bytes and then stays open, silent. */
function silentPipe(name: string, bytes: number): string {
  const fifo = join(work, name);
  spawnSync("mkfifo", [fifo]);
  const writer = spawn("bash", ["-c", `exec 3>"$1"; head -c ${bytes} /dev/urandom >&3; sleep 120`, "writer", fifo], { stdio: "ignore" });
  writers.push(writer);
  return fifo;
}

interface Started {
  signal(name: "SIGINT" | "SIGTERM"): Promise<{ code: number; stderr: string; ms: number }>;
}

/** Start the CLI as a user does; `stdinFrom` a path (a FIFO) or nothing. */
function start(runtime: Runtime, args: string[], env: Record<string, string>, stdinFrom?: string): Started {
  const command = [...cliCommand(runtime, args, work, env), ...args];
  // exec: the signal goes to the CLI itself, as CI's would.
  const script = stdinFrom === undefined ? 'exec "$@" < /dev/null' : 'exec "$@" < "$STDIN_FROM"';
  const child = Bun.spawn(["bash", "-c", script, "cli", ...command], {
    cwd: work,
    env: { PATH: process.env.PATH, ...env, ...(stdinFrom === undefined ? {} : { STDIN_FROM: stdinFrom }) },
    stdout: "ignore",
    stderr: "pipe",
  });
  const stderr = new Response(child.stderr).text();
  return {
    async signal(name) {
      const sent = performance.now();
      child.kill(name);
      const code = await child.exited;
      return { code, stderr: await stderr, ms: performance.now() - sent };
    },
  };
}

/** The run's last line: progress lines (one each 10%) may come before it. */
const lastLine = (stderr: string) => stderr.trim().split("\n").at(-1);

async function until(condition: () => boolean, what: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(20);
  }
}

describe("one signal ends the run promptly, in every state", () => {
  for (const [runtime, name, code] of [
    ["binary-x64", "SIGINT", 130],
    ["bun", "SIGTERM", 143],
  ] as const) {
    test(`${runtime}: ${name} while waiting on a silent stdin`, async () => {
      const fifo = silentPipe(`idle-${name}`, 0);
      const checks = admin.checks;
      const run = start(runtime, ["--file", "-", ...NAMES], e2e.env(), fifo);
      await until(() => admin.checks > checks, "the pre-upload checks");
      await Bun.sleep(300);
      const ended = await run.signal(name);
      expect(lastLine(ended.stderr)).toBe(`publish-artifact: error: interrupted by ${name}: ${NOTHING_STARTED}`);
      expect(ended.code).toBe(code);
      expect(ended.ms).toBeLessThan(PROMPT_MS);
      expect(listObjects(s3)).toEqual([]);
    });
  }

  test("binary-x64: SIGTERM while a slow pipe is being uploaded: the multipart upload is aborted, its spool removed", async () => {
    const fifo = silentPipe("slow", 32 * 1024 * 1024);
    const spoolParent = mkdtempSync(join(work, "tmp-"));
    // 16 parts of 5 MiB at a time: spooled (part-spool.ts), in TMPDIR.
    const args = ["--file", "-", ...NAMES, "--part-size", "5MiB", "--concurrency", "16"];
    const run = start("binary-x64", args, { ...e2e.env(), TMPDIR: spoolParent }, fifo);
    await until(() => openMultipartUploads(s3).length === 1, "the multipart upload");
    await Bun.sleep(500);
    // The spool holds the parts now.
    expect(readdirSync(spoolParent)).toHaveLength(1);
    const ended = await run.signal("SIGTERM");
    expect(lastLine(ended.stderr)).toBe(`publish-artifact: error: interrupted by SIGTERM: ${ABORTED}`);
    expect(ended.code).toBe(143);
    expect(ended.ms).toBeLessThan(PROMPT_MS);
    expect(openMultipartUploads(s3)).toEqual([]);
    expect(listObjects(s3)).toEqual([]);
    expect(admin.registrations).toEqual([]);
    expect(readdirSync(spoolParent)).toEqual([]);
  });

  test("binary-x64: SIGINT while a file is read and compressed, before its first part is complete", async () => {
    const file = join(work, "big.bin");
    writeFileSync(file, pseudoRandomBytes(96 * 1024 * 1024, 96));
    const checks = admin.checks;
    // One part holds the whole ciphertext: it would go up as one PutObject, so no multipart upload ever begins.
    const run = start("binary-x64", ["--file", file, ...NAMES, "--part-size", "128MiB"], e2e.env());
    await until(() => admin.checks > checks, "the pre-upload checks");
    await Bun.sleep(250);
    const ended = await run.signal("SIGINT");
    expect(lastLine(ended.stderr)).toBe(`publish-artifact: error: interrupted by SIGINT: ${NOTHING_STARTED}`);
    expect(ended.code).toBe(130);
    expect(ended.ms).toBeLessThan(PROMPT_MS);
    expect(openMultipartUploads(s3)).toEqual([]);
    expect(listObjects(s3)).toEqual([]);
  });

  test("binary-x64: SIGINT while registering: the registration is saved, exit 130", async () => {
    let posted = false;
    const stalling = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch(request) {
        if (request.method === "HEAD") return new Response(null, { status: 405 });
        posted = true;
        return new Promise<Response>(() => {}); // never answers
      },
    });
    try {
      const file = join(work, "small.bin");
      writeFileSync(file, pseudoRandomBytes(100_000, 1));
      const run = start("binary-x64", ["--file", file, ...NAMES], e2e.env({ ADMIN_API_URL: `http://127.0.0.1:${stalling.port}` }));
      await until(() => posted, "the registration");
      const ended = await run.signal("SIGINT");
      const lines = ended.stderr.trim().split("\n");
      expect(lines[0]).toBe("publish-artifact: error: interrupted by SIGINT");
      expect(ended.stderr).toContain("its registration, with the encryption key, saved in");
      expect(ended.code).toBe(130);
      expect(ended.ms).toBeLessThan(PROMPT_MS);
      expect(listObjects(s3)).toEqual([KEY]);
      expect(recoveryFiles(work).length).toBe(1);
    } finally {
      await stalling.stop(true);
    }
  });
});
