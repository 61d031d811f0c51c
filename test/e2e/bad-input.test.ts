// Every bad input a user can give, through the CLI: its exact one-line message, its exit code, and proof that
// no request reached either server (both are counting servers here) and no secret was printed.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cliCommand, spawnCli } from "../support/spawn-cli.ts";
import { nameFlags } from "../support/e2e.ts";

const SECRET = "s3-secret-RECOGNISABLE-bad-input";
const TOKEN = "admin-token-RECOGNISABLE-bad-input";

let requests = 0;
let s3: ReturnType<typeof Bun.serve>;
let admin: ReturnType<typeof Bun.serve>;
let work: string;
let file: string;

beforeAll(() => {
  const counting = () =>
    Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch() {
        requests += 1;
        return new Response("unexpected request", { status: 500 });
      },
    });
  s3 = counting();
  admin = counting();
  work = mkdtempSync(join(tmpdir(), "publish-artifact-bad-input-"));
  file = join(work, "model.trt");
  writeFileSync(file, "weights");
});
afterAll(async () => {
  await Promise.all([s3.stop(true), admin.stop(true)]);
  rmSync(work, { recursive: true, force: true });
});

function goodEnv(): Record<string, string> {
  return {
    S3_ENDPOINT: `http://127.0.0.1:${s3.port}`,
    S3_ACCESS_KEY: "AKIDBADINPUT",
    S3_SECRET_KEY: SECRET,
    S3_BUCKET: "artifacts",
    ADMIN_API_URL: `http://127.0.0.1:${admin.port}`,
    ADMIN_API_TOKEN: TOKEN,
  };
}

const GOOD_ARGS = nameFlags("m");

interface Case {
  name: string;
  args?: string[];
  env?: Record<string, string | undefined>;
  message: string;
  code: number;
}

const cases: Case[] = [];
const HINTS: Record<string, string> = {
  S3_ENDPOINT: "set it to the S3 server's base URL",
  S3_ACCESS_KEY: "set it to the S3 access key id",
  S3_SECRET_KEY: "set it to the S3 secret key",
  S3_BUCKET: "set it to the target bucket's name",
  ADMIN_API_URL: "set it to the admin API's base URL",
  ADMIN_API_TOKEN: "set it to the admin API bearer token",
};
for (const [name, hint] of Object.entries(HINTS)) {
  // One of the S3 key pair alone: both or neither (neither takes AWS's credential chain: credentials.test.ts).
  const other = { S3_ACCESS_KEY: "S3_SECRET_KEY", S3_SECRET_KEY: "S3_ACCESS_KEY" }[name];
  const half = `${other} is set without ${name}: set both, or neither (then AWS's credential chain is used)`;
  cases.push({ name: `${name} missing`, env: { [name]: undefined }, message: other ? half : `${name} is not set: ${hint}`, code: 2 });
  cases.push({ name: `${name} empty`, env: { [name]: "" }, message: other ? half : `${name} is empty: ${hint}`, code: 2 });
}
const EXAMPLES: Record<string, string> = {
  S3_ENDPOINT: "https://s3.example.com",
  ADMIN_API_URL: "https://admin.example.com",
  CDN_PUBLIC_BASE_URL: "https://cdn.example.com",
};
for (const [name, example] of Object.entries(EXAMPLES)) {
  cases.push({ name: `${name} not a URL`, env: { [name]: "s3 dot example" }, message: `${name} is not a valid URL: set it to a full URL such as ${example}`, code: 2 });
  cases.push({ name: `${name} unsupported scheme`, env: { [name]: "ftp://x.example" }, message: `${name} must start with http:// or https://, e.g. ${example}`, code: 2 });
  cases.push({
    name: `${name} with credentials`,
    env: { [name]: `https://user:${SECRET}@x.example` },
    message: `${name} must not contain credentials (user:password@): remove them from the URL`,
    code: 2,
  });
}
const NAME_FLAGS = ["--resource-name", "--dev-stage", "--architecture", "--version"];
for (const flag of NAME_FLAGS) {
  const example = { "--resource-name": "my_model", "--dev-stage": "dev", "--architecture": "arm64", "--version": "2026-04-15" }[flag];
  const bad: [string, string, string][] = [
    ["empty", "", `${flag} is empty: give a non-empty value, e.g. ${flag} ${example}`],
    ["a slash", "a/b", `${flag} contains "/" or "\\", which would change the object key's path: remove it`],
    ["a backslash", "a\\b", `${flag} contains "/" or "\\", which would change the object key's path: remove it`],
    [".", ".", `${flag} must not be "." or "..": give a real name`],
    ["..", "..", `${flag} must not be "." or "..": give a real name`],
    ["a control character", "a\tb", `${flag} contains control characters: remove them`],
    ["a leading space", " a", `${flag} has leading or trailing spaces: remove them`],
    ["a trailing space", "a ", `${flag} has leading or trailing spaces: remove them`],
  ];
  for (const [what, value, message] of bad) {
    const args = [...GOOD_ARGS];
    args[args.indexOf(flag) + 1] = value;
    cases.push({ name: `${flag} with ${what}`, args, message, code: 2 });
  }
}
cases.push({ name: "an unknown flag", args: [...GOOD_ARGS, "--colour", "red"], message: "unknown flag --colour: see publish-artifact --help for the flags", code: 2 });
// A required flag mistyped: the suggestion alone, not a "required" line before it.
const mistyped = (flag: string, typed: string) => GOOD_ARGS.map((arg) => (arg === flag ? typed : arg));
cases.push({ name: "a mistyped required flag", args: mistyped("--resource-name", "--resource_name"), message: "unknown flag --resource_name: did you mean --resource-name?", code: 2 });
cases.push({ name: "a required flag with two letters swapped", args: mistyped("--dev-stage", "--dev-stgae"), message: "unknown flag --dev-stgae: did you mean --dev-stage?", code: 2 });
cases.push({ name: "a flag given twice", args: [...GOOD_ARGS, "--version", "2"], message: "--version was given more than once: give it once", code: 2 });
cases.push({ name: "a flag without its value", args: [...GOOD_ARGS.slice(0, -1)], message: "--version needs a value, e.g. --version 2026-04-15 (the artifact's version; the program's own version is: publish-artifact version)", code: 2 });
cases.push({ name: "a stray argument", args: ["upload", ...GOOD_ARGS], message: "unexpected argument upload: every value belongs to a flag, e.g. --file PATH", code: 2 });
cases.push({ name: "a bad --part-size", args: [...GOOD_ARGS, "--part-size", "1MiB"], message: "--part-size must be a size between 5MiB and 5GiB, e.g. --part-size 64MiB", code: 2 });
cases.push({
  name: "a --part-size with a unit that is none",
  args: [...GOOD_ARGS, "--part-size", "64MBs"],
  message: '--part-size must be a size between 5MiB and 5GiB ("MBs" is not a unit: use KiB, MiB or GiB (or KB, MB, GB, read as aws-cli does: 1024-based)), e.g. --part-size 64MiB',
  code: 2,
});
cases.push({ name: "a bad --retries", args: [...GOOD_ARGS, "--retries", "many"], message: "--retries must be a whole number from 0 to 20, e.g. --retries 4", code: 2 });
cases.push({
  name: "an S3_ENDPOINT with a path (the object would land under it, named without it)",
  env: { S3_ENDPOINT: "https://s3.example.com/artifacts/" },
  message: "S3_ENDPOINT must not have a path (/artifacts): the bucket goes in S3_BUCKET; set S3_ENDPOINT to https://s3.example.com",
  code: 2,
});
cases.push({ name: "an S3_SESSION_TOKEN with a line break", env: { S3_SESSION_TOKEN: "FwoG\nZXIv" }, message: "S3_SESSION_TOKEN must not contain spaces or line breaks", code: 2 });
cases.push({ name: "a bad PUBLISH_ARTIFACT_TIMEOUT", env: { PUBLISH_ARTIFACT_TIMEOUT: "0" }, message: "PUBLISH_ARTIFACT_TIMEOUT must be a whole number of seconds from 1 to 86400", code: 2 });
cases.push({ name: "an unknown command", args: ["frobnicate"], message: "unexpected argument frobnicate: every value belongs to a flag, e.g. --file PATH", code: 2 });

test("an unknown flag is reported together with every other problem; --version -1 is a value", async () => {
  const before = requests;
  const { S3_BUCKET: _unset, ...withoutBucket } = goodEnv();
  const run = await spawnCli("bun", ["--file", file, ...GOOD_ARGS, "--colour", "red", "--part-size", "1"], withoutBucket, work);
  expect(run.stderr).toBe(
    [
      "publish-artifact: error: unknown flag --colour: see publish-artifact --help for the flags",
      "publish-artifact: error: --part-size must be a size between 5MiB and 5GiB, e.g. --part-size 64MiB",
      "publish-artifact: error: S3_BUCKET is not set: set it to the target bucket's name",
      "",
    ].join("\n"),
  );
  expect(run.code).toBe(2);
  const out = join(work, "minus.enc");
  const minus = await spawnCli("bun", ["--file", file, ...GOOD_ARGS.slice(0, -1), "-1", "--output", out, "--json", "--quiet"], {}, work);
  expect(minus.stderr).toBe("");
  expect(JSON.parse(minus.stdout).object_key).toBe("dev/m-arm64--1.enc");
  expect(requests).toBe(before);
});

describe("bad input: one line, a distinct exit code, no request, no secret", () => {
  for (const c of cases) {
    test(c.name, async () => {
      const before = requests;
      const env = { ...goodEnv(), ...c.env };
      const args = c.args ?? GOOD_ARGS;
      const run = await spawnCli("bun", args.includes("--file") || c.name === "an unknown command" ? args : ["--file", file, ...args], env, work);
      expect(run.stderr).toBe(`publish-artifact: error: ${c.message}\n`);
      expect(run.stdout).toBe("");
      expect(run.code).toBe(c.code);
      expect(requests).toBe(before);
      expect(run.stderr).not.toContain(SECRET);
      expect(run.stderr).not.toContain(TOKEN);
    });
  }
});

describe("bad input files", () => {
  const fileCases: [string, () => string, (path: string) => string][] = [
    ["a missing file", () => join(work, "missing.trt"), (p) => `cannot read --file ${p}: no such file`],
    [
      "a directory",
      () => {
        const dir = join(work, "a-directory");
        mkdirSync(dir, { recursive: true });
        return dir;
      },
      (p) => `cannot read --file ${p}: it is a directory, not a file`,
    ],
    ["not a regular file", () => "/dev/null", (p) => `cannot read --file ${p}: it is not a regular file (a pipe, a device or a socket): give the path of a file`],
  ];
  for (const [name, makePath, message] of fileCases) {
    test(name, async () => {
      const before = requests;
      const path = makePath();
      const run = await spawnCli("bun", ["--file", path, ...GOOD_ARGS], goodEnv(), work);
      expect(run.stderr).toBe(`publish-artifact: error: ${message(path)}\n`);
      expect(run.code).toBe(3);
      expect(requests).toBe(before);
    });
  }

  test("an unreadable file", async () => {
    const path = join(work, "unreadable.trt");
    writeFileSync(path, "secret weights");
    chmodSync(path, 0o000);
    chmodSync(work, 0o755);
    // root reads any file: run the CLI as nobody then, as a user without the right would.
    const asUser = process.getuid?.() === 0 ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] : [];
    const child = Bun.spawn([...asUser, ...cliCommand("bun"), "--file", path, ...GOOD_ARGS], {
      env: { PATH: process.env.PATH, HOME: tmpdir(), ...goodEnv() },
      cwd: tmpdir(),
      stdout: "pipe",
      stderr: "pipe",
    });
    const before = requests;
    const [stderr, code] = await Promise.all([new Response(child.stderr).text(), child.exited]);
    expect(stderr).toBe(`publish-artifact: error: cannot read --file ${path}: permission denied\n`);
    expect(code).toBe(3);
    expect(requests).toBe(before);
  });
});
