// The attacks a CI step holding the secrets must withstand, each run for real against the real S3 server and
// admin API through the CLI as users run it: a hostile working directory, tokens sent in clear or to another
// host, keys echoed into logs, recovery files staged into git, names that bend URLs, user files overwritten.
import { beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
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
