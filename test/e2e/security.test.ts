// The attacks a CI step holding the secrets must withstand, each run for real against the real S3 server and
// admin API through the CLI as users run it: a hostile working directory, tokens sent in clear or to another
// host, keys echoed into logs, recovery files staged into git, names that bend URLs, user files overwritten.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AdminServer } from "../support/admin-server.ts";
import { recoveryFiles, useE2e } from "../support/e2e.ts";
import { runCli } from "../support/run-cli.ts";
import { listObjects, type S3Env } from "../support/s3.ts";
import { pseudoRandomBytes } from "../support/streams.ts";

const e2e = useE2e();
let s3: S3Env;
let admin: AdminServer;
let work: string;
let file: string;
const NAMES = ["--resource-name", "sec", "--dev-stage", "dev", "--architecture", "arm64", "--version", "1"];
const KEY = "dev/sec-arm64-1.enc";

beforeAll(() => {
  ({ s3, admin, work } = e2e);
  file = join(work, "artifact.bin");
  writeFileSync(file, pseudoRandomBytes(64 * 1024, 9));
});

function git(cwd: string, ...args: string[]) {
  const result = spawnSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { cwd, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`git ${args.join(" ")}: ${result.stderr}`);
  return result.stdout;
}

describe("recovery files never land in git", () => {
  test("a failed registration in a fresh git checkout: the key is saved 0600 in .publish-artifact/, and git stages none of it", async () => {
    const checkout = join(work, "checkout");
    mkdirSync(checkout);
    git(checkout, "init", "-q");
    writeFileSync(join(checkout, "loader-image.tar"), pseudoRandomBytes(32 * 1024, 3));
    admin.failNext(1, 400, JSON.stringify({ detail: "rejected" }));
    const run = await runCli("bun", ["--file", "loader-image.tar", ...NAMES], e2e.env(), checkout);
    expect(run.code).toBe(5);
    const [saved, ...others] = recoveryFiles(checkout);
    expect(others).toEqual([]);
    const key = JSON.parse(readFileSync(saved as string, "utf8")).payload.encryption_key as string;
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(saved as string).mode & 0o777).toBe(0o600);
    expect(statSync(join(checkout, ".publish-artifact")).mode & 0o777).toBe(0o700);
    expect(run.stderr).toContain(`saved in ${saved}`);

    git(checkout, "add", "-A");
    const staged = git(checkout, "status", "--porcelain");
    expect(staged).toBe("A  loader-image.tar\n");
    expect(spawnSync("git", ["grep", "--cached", "-q", key], { cwd: checkout }).status).toBe(1);
  });

  test("a .publish-artifact that is a link planted in the checkout is not followed; the key goes to a private folder", async () => {
    const checkout = join(work, "planted");
    const elsewhere = join(work, "world-readable");
    mkdirSync(checkout);
    mkdirSync(elsewhere, { mode: 0o777 });
    symlinkSync(elsewhere, join(checkout, ".publish-artifact"));
    admin.failNext(1, 400, JSON.stringify({ detail: "rejected" }));
    const run = await runCli("bun", ["--file", file, ...NAMES], e2e.env(), checkout);
    expect(run.code).toBe(5);
    const saved = /saved in (\S+) \(readable only by you\)/.exec(run.stderr)?.[1] as string;
    expect(saved.startsWith(join(tmpdir(), "publish-artifact-recovery-"))).toBe(true);
    expect(statSync(join(saved, "..")).mode & 0o777).toBe(0o700);
    expect(recoveryFiles(checkout)).toEqual([]);
    expect(lstatSync(join(checkout, ".publish-artifact")).isSymbolicLink()).toBe(true);
    rmSync(saved);
  });

  test("a .gitignore planted as a link in .publish-artifact/ is replaced, never written through", async () => {
    const checkout = join(work, "planted-ignore");
    const victim = join(work, "victim.txt");
    writeFileSync(victim, "the user's own file\n");
    mkdirSync(join(checkout, ".publish-artifact"), { recursive: true, mode: 0o755 });
    symlinkSync(victim, join(checkout, ".publish-artifact", ".gitignore"));
    admin.failNext(1, 400, JSON.stringify({ detail: "rejected" }));
    const run = await runCli("bun", ["--file", file, ...NAMES], e2e.env(), checkout);
    expect(run.code).toBe(5);
    expect(readFileSync(victim, "utf8")).toBe("the user's own file\n");
    expect(lstatSync(join(checkout, ".publish-artifact", ".gitignore")).isFile()).toBe(true);
    expect(readFileSync(join(checkout, ".publish-artifact", ".gitignore"), "utf8")).toBe("*\n");
    expect(statSync(join(checkout, ".publish-artifact")).mode & 0o777).toBe(0o700);
    expect(recoveryFiles(checkout).length).toBe(1);
  });

  test("a --recovery-dir that cannot be written is refused before anything is read or sent (exit 2)", async () => {
    const blocker = join(work, "not-a-dir");
    writeFileSync(blocker, "");
    const before = admin.requests;
    const run = await runCli("bun", ["--file", file, ...NAMES, "--recovery-dir", join(blocker, "sub")], e2e.env(), work);
    expect(run.stderr).toMatch(new RegExp(`^publish-artifact: error: --recovery-dir ${blocker}/sub cannot hold recovery files: .+: give a writable directory\\n$`));
    expect(run.code).toBe(2);
    expect(admin.requests).toBe(before);
    expect(listObjects(s3)).toEqual([]);
  });
});

describe("a hostile working directory configures nothing and runs nothing", () => {
  // CI runs the tool inside the checkout being built. This one carries every file Bun or Deno could pick up
  // from the working directory: a bunfig.toml preloading a script, .env files setting every variable to an
  // attacker's server, a deno.json and a package.json mapping our dependencies to the attacker's code.
  let hostile: string;
  let marker: string;
  let evilRequests = 0;
  let evil: ReturnType<typeof Bun.serve>;

  beforeAll(() => {
    evil = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => (evilRequests++, new Response("", { status: 200 })) });
    const evilUrl = `http://127.0.0.1:${evil.port}`;
    hostile = mkdtempSync(join(tmpdir(), "publish-artifact-hostile-"));
    marker = join(hostile, "MARKER");
    const payload = `require("node:fs").writeFileSync(${JSON.stringify(marker)}, "ran with token " + process.env.ADMIN_API_TOKEN);\nexport const cac = () => { throw new Error("attacker's cac"); };\n`;
    writeFileSync(join(hostile, "evil.js"), payload);
    writeFileSync(join(hostile, "bunfig.toml"), 'preload = ["./evil.js"]\n');
    const dotenv = [
      `S3_ENDPOINT=${evilUrl}`,
      "S3_ACCESS_KEY=AKIDEVIL",
      "S3_SECRET_KEY=evil-secret",
      "S3_BUCKET=evil-bucket",
      "S3_REGION=evil-1",
      `ADMIN_API_URL=${evilUrl}`,
      "ADMIN_API_TOKEN=evil-token",
      "ADMIN_API_PUBLISH_PATH=evil/publish",
      `CDN_PUBLIC_BASE_URL=${evilUrl}/cdn`,
      "PUBLISH_ARTIFACT_RETRIES=0",
      "PUBLISH_ARTIFACT_RECOVERY_DIR=/tmp/evil",
      "PUBLISH_ARTIFACT_WORKERS=7",
      "PUBLISH_ARTIFACT_LEVEL=1",
    ].join("\n");
    for (const name of [".env", ".env.local", ".env.production", ".env.development"]) writeFileSync(join(hostile, name), `${dotenv}\n`);
    writeFileSync(join(hostile, "deno.json"), JSON.stringify({ imports: { cac: "./evil.js", valibot: "./evil.js" } }));
    writeFileSync(join(hostile, "package.json"), JSON.stringify({ name: "victim", type: "module", dependencies: { cac: "7.1.0" } }));
    mkdirSync(join(hostile, "node_modules", "cac"), { recursive: true });
    writeFileSync(join(hostile, "node_modules", "cac", "package.json"), JSON.stringify({ name: "cac", version: "7.1.0", type: "module", main: "index.js" }));
    writeFileSync(join(hostile, "node_modules", "cac", "index.js"), payload);
    writeFileSync(join(hostile, "model.trt"), pseudoRandomBytes(40 * 1024, 40));
  });
  afterAll(async () => {
    await evil.stop(true);
    rmSync(hostile, { recursive: true, force: true });
  });

  const runtimes = ["binary-x64", "deno"] as const;
  for (const runtime of runtimes) {
    test(`${runtime}: version, --dry-run and a full publish take nothing from the directory`, async () => {
      const version = await runCli(runtime, ["version"], {}, hostile);
      expect(version.code).toBe(0);
      expect(existsSync(marker)).toBe(false);

      const plan = await runCli(runtime, ["--file", "model.trt", ...NAMES, "--dry-run"], e2e.env(), hostile);
      expect(plan.code).toBe(0);
      expect(plan.stdout).toContain(`register at  ${admin.url}/internal/resources/publish`);
      expect(plan.stdout).toContain(`cdn_url      ${s3.S3_ENDPOINT}/${s3.S3_BUCKET}/${KEY}`);
      expect(plan.stdout).not.toContain(`${evil.port}`);

      // A required variable missing from the environment is not filled in from .env.
      const { S3_BUCKET: _unset, ...withoutBucket } = e2e.env();
      const missing = await runCli(runtime, ["--file", "model.trt", ...NAMES, "--dry-run"], withoutBucket, hostile);
      expect(missing.stderr).toBe("publish-artifact: error: S3_BUCKET is not set: set it to the target bucket's name\n");
      expect(missing.code).toBe(2);

      const publish = await runCli(runtime, ["--file", "model.trt", ...NAMES, "--json"], e2e.env(), hostile);
      expect(publish.stderr).toContain(`published ${KEY}`);
      expect(publish.code).toBe(0);
      const registered = admin.registrations[0]!;
      expect(registered.path).toBe("/internal/resources/publish");
      expect(registered.body.cdn_url).toBe(`${s3.S3_ENDPOINT}/${s3.S3_BUCKET}/${KEY}`);
      expect(listObjects(s3)).toEqual([KEY]);

      expect(existsSync(marker)).toBe(false);
      expect(evilRequests).toBe(0);
    });
  }

  test("Bun from source, as the README runs it (--no-env-file --config=<ours>): no preload, no .env", async () => {
    const root = process.cwd();
    const child = Bun.spawn(
      [process.execPath, "--no-env-file", `--config=${join(root, "bunfig.toml")}`, join(root, "src", "cli.ts"), "--file", "model.trt", ...NAMES, "--dry-run"],
      { cwd: hostile, env: { PATH: process.env.PATH, ...e2e.env() }, stdout: "pipe", stderr: "pipe" },
    );
    const [stdout, code] = await Promise.all([new Response(child.stdout).text(), child.exited]);
    expect(code).toBe(0);
    expect(stdout).toContain(`cdn_url      ${s3.S3_ENDPOINT}/${s3.S3_BUCKET}/${KEY}`);
    expect(existsSync(marker)).toBe(false);
  });
});
