// The attacks a CI step holding the secrets must withstand, each run for real against the real S3 server and
// admin API through the CLI as users run it: a hostile working directory, tokens sent in clear or to another
// host, keys echoed into logs, recovery files staged into git, names that bend URLs, user files overwritten.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { existsSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AdminServer } from "../support/admin-server.ts";
import { nameFlags, recoveryFiles, useE2e } from "../support/e2e.ts";
import { loadPublishConfig } from "../../src/config/publish-config.ts";
import { publishArtifact } from "../../src/commands/publish.ts";
import { cliCommand, spawnCli } from "../support/spawn-cli.ts";
import { curlDownloadUrl, curlUpload, listObjects, type S3Env } from "../support/s3.ts";
import { pseudoRandomBytes } from "../support/streams.ts";

const e2e = useE2e();
let s3: S3Env;
let admin: AdminServer;
let work: string;
let file: string;
const NAMES = nameFlags("sec");
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
    const run = await spawnCli("bun", ["--file", "loader-image.tar", ...NAMES], e2e.env(), checkout);
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
    const run = await spawnCli("bun", ["--file", file, ...NAMES], e2e.env(), checkout);
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
    const run = await spawnCli("bun", ["--file", file, ...NAMES], e2e.env(), checkout);
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
    const run = await spawnCli("bun", ["--file", file, ...NAMES, "--recovery-dir", join(blocker, "sub")], e2e.env(), work);
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
    // `paths` sends every import, the entry point's too, to the attacker's module (measured: Bun from source
    // without --tsconfig-override ran it with the token, from this directory and from a directory below it).
    const everything = JSON.stringify({ compilerOptions: { baseUrl: ".", paths: { "*": ["./evil.js"] } } });
    writeFileSync(join(hostile, "tsconfig.json"), everything);
    writeFileSync(join(hostile, "jsconfig.json"), everything);
    mkdirSync(join(hostile, "nested"));
    writeFileSync(join(hostile, "nested", "model.trt"), pseudoRandomBytes(40 * 1024, 40));
  });
  afterAll(async () => {
    await evil.stop(true);
    rmSync(hostile, { recursive: true, force: true });
  });

  const runtimes = ["binary-x64", "deno", "bun-readme"] as const;
  for (const runtime of runtimes) {
    for (const where of ["the directory", "a directory below it"]) {
      test(`${runtime}: version, --dry-run and a full publish take nothing from ${where}`, async () => {
        const cwd = where === "the directory" ? hostile : join(hostile, "nested");
        const run = (args: string[], env: Record<string, string>) => (runtime === "bun-readme" ? runReadmeBunLine(args, env, cwd) : spawnCli(runtime, args, env, cwd));
        const version = await run(["version"], {});
        expect(version.code).toBe(0);
        expect(existsSync(marker)).toBe(false);

        const plan = await run(["--file", "model.trt", ...NAMES, "--dry-run"], e2e.env());
        expect(plan.code).toBe(0);
        expect(plan.stdout).toContain(`register at  ${admin.url}/internal/resources/publish`);
        expect(plan.stdout).toContain(`cdn_url      ${s3.S3_ENDPOINT}/${s3.S3_BUCKET}/${KEY}`);
        expect(plan.stdout).not.toContain(`${evil.port}`);

        // A required variable missing from the environment is not filled in from .env.
        const { S3_BUCKET: _unset, ...withoutBucket } = e2e.env();
        const missing = await run(["--file", "model.trt", ...NAMES, "--dry-run"], withoutBucket);
        expect(missing.stderr).toBe("publish-artifact: error: S3_BUCKET is not set: set it to the target bucket's name\n");
        expect(missing.code).toBe(2);

        const publish = await run(["--file", "model.trt", ...NAMES, "--json"], e2e.env());
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
  }

  test("Bun from source, as the README runs it: a transpiler cache in the environment is neither read nor written", async () => {
    // A cache restored by CI is where a forged entry would wait; the README's line turns the cache off.
    const cache = mkdtempSync(join(tmpdir(), "publish-artifact-bun-cache-"));
    try {
      const run = await runReadmeBunLine(["version"], { BUN_RUNTIME_TRANSPILER_CACHE_PATH: cache }, work);
      expect(run.code).toBe(0);
      expect(readdirSync(cache)).toEqual([]);
      // The same run without the line's setting (in a clean directory) fills it: the check above can see a cache in use.
      const child = Bun.spawnSync([process.execPath, join(process.cwd(), "src", "main.ts"), "version"], {
        cwd: work,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, BUN_RUNTIME_TRANSPILER_CACHE_PATH: cache },
      });
      expect(child.exitCode).toBe(0);
      expect(readdirSync(cache).length).toBeGreaterThan(0);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });
});

/**
 * The README's line for Bun from source ("Running from source"), word for word, with this checkout in place of
 * /opt/publish-artifact: its leading VAR=value words go into the environment, `--file ./model.trt …` becomes `args`.
 */
async function runReadmeBunLine(args: string[], env: Record<string, string>, cwd: string) {
  const readme = readFileSync(join(process.cwd(), "README.md"), "utf8");
  const block = /```sh\n((?:[^`]*\n)*?[^`]*node_modules\/\.bin\/bun --no-env-file[^`]*?)```/.exec(readme)?.[1];
  if (block === undefined) throw new Error("the README has no line for Bun from source");
  const words = block.replace(/\\\n/g, " ").replaceAll("/opt/publish-artifact", process.cwd()).split(/\s+/).filter((w) => w !== "");
  const end = words.indexOf("--file");
  const assignments = words.slice(0, end).filter((word) => /^[A-Z_]+=/.test(word));
  const command = words.slice(assignments.length, end);
  const fromLine = Object.fromEntries(assignments.map((word) => [word.slice(0, word.indexOf("=")), word.slice(word.indexOf("=") + 1)]));
  const child = Bun.spawn([...command, ...args], {
    cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env, ...fromLine },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  return { stdout, stderr, code };
}

describe("the runtime's own switches are refused before anything is read or sent", () => {
  // Each would hand the secrets to someone else; set by accident for a whole pipeline, they reach this step.
  const switches: [string, string][] = [
    ["BUN_CONFIG_VERBOSE_FETCH", "curl"],
    ["BUN_OPTIONS", "--smol"],
    ["BUN_INSPECT", "127.0.0.1:1"],
    ["BUN_INSPECT_CONNECT_TO", "unix:///nonexistent/debugger.sock"],
    ["BUN_INSPECT_PRELOAD", "/nonexistent/preload.js"],
    ["NODE_TLS_REJECT_UNAUTHORIZED", "0"],
  ];
  for (const runtime of ["binary-x64", "bun"] as const) {
    test(`${runtime}: each switch exits 2 naming it; no request, no object, and the token is never printed`, async () => {
      const before = admin.requests;
      // Bun from source loads BUN_INSPECT_PRELOAD before any of our code, as it does a --preload: only the binary
      // gets to refuse it (the README says what cannot be caught from inside).
      for (const [name, value] of switches.filter(([name]) => runtime === "binary-x64" || name !== "BUN_INSPECT_PRELOAD")) {
        const run = await spawnCli(runtime, ["--file", file, ...NAMES], e2e.env({ [name]: value }), work);
        expect(run.stderr).toStartWith(`publish-artifact: error: ${name} is set: `);
        expect(run.stderr).toEndWith("; unset it for this step (publish-artifact runs with secrets in reach)\n");
        expect(run.stderr.split("\n").length).toBe(2);
        expect(run.stderr + run.stdout).not.toContain(admin.token);
        expect(run.code).toBe(2);
      }
      expect(admin.requests).toBe(before);
      expect(listObjects(s3)).toEqual([]);
      // The values that leave the runtime as it is do not stop a publish.
      const harmless = await spawnCli(runtime, ["--file", file, ...NAMES, "--quiet"], e2e.env({ BUN_CONFIG_VERBOSE_FETCH: "0", NODE_TLS_REJECT_UNAUTHORIZED: "1" }), work);
      expect(harmless.stderr).toBe("");
      expect(harmless.code).toBe(0);
    });
  }
});

describe("the token and the key travel only over TLS, and only to the configured host", () => {
  const refusal = (host: string) =>
    `publish-artifact: error: ADMIN_API_URL is http:// to ${host}, which would send the admin token and the encryption key unencrypted: use https://, or pass --allow-http (PUBLISH_ARTIFACT_ALLOW_HTTP=1) on a network you trust\n`;

  test("an http:// admin API on another machine is refused before anything is read or sent (exit 2)", async () => {
    for (const url of ["http://admin.example.com", "http://127.0.0.1.nip.io:8080", "http://10.0.0.1"]) {
      const run = await spawnCli("bun", ["--file", file, ...NAMES], e2e.env({ ADMIN_API_URL: url }), work);
      expect(run.stderr).toBe(refusal(new URL(url).host));
      expect(run.code).toBe(2);
    }
    expect(listObjects(s3)).toEqual([]);
    const alongside = await spawnCli("bun", ["--file", file, ...NAMES], e2e.env({ ADMIN_API_URL: "http://admin.example.com", S3_BUCKET: "" }), work);
    expect(alongside.stderr).toBe(`publish-artifact: error: S3_BUCKET is empty: set it to the target bucket's name\n${refusal("admin.example.com")}`);
  });

  test("--allow-http or PUBLISH_ARTIFACT_ALLOW_HTTP=1 opts in; loopback needs no opt-in; https needs none", async () => {
    // Accepted at validation: the dry run goes on to its checks, and only the unreachable admin API fails them (exit 4).
    const plan = (extra: string[], vars: Record<string, string>) => spawnCli("bun", ["--file", file, ...NAMES, "--dry-run", ...extra], e2e.env(vars), work);
    const accepted = (run: { code: number; stdout: string }, host: string) => {
      expect(run.stdout).toContain(`admin API    FAILED  the admin API at ${host} does not answer`);
      expect(run.code).toBe(4);
    };
    accepted(await plan(["--allow-http"], { ADMIN_API_URL: "http://admin.example.com" }), "admin.example.com");
    accepted(await plan([], { ADMIN_API_URL: "http://admin.example.com", PUBLISH_ARTIFACT_ALLOW_HTTP: "1" }), "admin.example.com");
    for (const url of ["http://localhost:1", "http://127.0.0.9:1", "http://[::1]:1", "https://admin.example.com"]) {
      const run = await plan([], { ADMIN_API_URL: url });
      expect(run.stderr).not.toContain("ADMIN_API_URL is http://");
      accepted(run, new URL(url).host);
    }
    const wrong = await plan([], { ADMIN_API_URL: "http://admin.example.com", PUBLISH_ARTIFACT_ALLOW_HTTP: "yes" });
    expect(wrong.stderr).toBe(`publish-artifact: error: PUBLISH_ARTIFACT_ALLOW_HTTP must be 1 or 0\n${refusal("admin.example.com")}`);
    expect(wrong.code).toBe(2);
  });

  test("an http:// S3 endpoint on another machine is allowed with one warning line", async () => {
    const run = await spawnCli("bun", ["--file", file, ...NAMES, "--dry-run"], e2e.env({ S3_ENDPOINT: "http://minio.cluster.internal:9000" }), work);
    expect(run.stderr).toStartWith(
      "publish-artifact: warning: S3_ENDPOINT is http:// to minio.cluster.internal:9000: requests and the encrypted artifact travel unencrypted (the secret key itself is never sent); use https:// where the server offers it\n",
    );
    // Not refused: the dry run went on to its checks, where the made-up host does not resolve.
    expect(run.stdout).toContain("S3           FAILED  S3 GetObject failed: no response from minio.cluster.internal:9000: the host name does not resolve");
    expect(run.code).toBe(4);
  });

  test("an admin API that redirects elsewhere is not followed: the token and the key stay here, the registration is saved", async () => {
    let stolen = 0;
    const listener = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => (stolen++, Response.json({ status: "ok" }, { status: 201 })) });
    const redirecting = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: () => new Response(null, { status: 307, headers: { location: `http://127.0.0.1:${listener.port}/steal?x=1` } }),
    });
    try {
      for (const runtime of ["bun", "deno", "binary-x64"] as const) {
        const run = await spawnCli(runtime, ["--file", file, ...NAMES], e2e.env({ ADMIN_API_URL: `http://127.0.0.1:${redirecting.port}` }), work);
        expect(run.stderr).toContain(
          `admin API registration failed: HTTP 307: the admin API redirects to http://127.0.0.1:${listener.port}, which is not followed (the token and the key would go there): set ADMIN_API_URL to the API's own address; the object `,
        );
        expect(run.code).toBe(5);
      }
      expect(stolen).toBe(0);
      expect(recoveryFiles(work).length).toBe(3);
    } finally {
      await Promise.all([listener.stop(true), redirecting.stop(true)]);
    }
  });
});

describe("register --from trusts nothing in the file", () => {
  // A recovery file is data: a checkout, a restored cache or anyone who can write it may have edited it.
  let record: { object_key: string; publish_url: string; payload: Record<string, unknown> };
  const edited = (name: string, change: (copy: typeof record) => unknown) => {
    const path = join(work, `edited-${name}.json`);
    const copy = structuredClone(record);
    change(copy);
    writeFileSync(path, JSON.stringify(copy), { mode: 0o600 });
    return path;
  };

  beforeAll(async () => {
    admin.failNext(1, 400, JSON.stringify({ detail: "rejected" }));
    const run = await spawnCli("bun", ["--file", file, ...NAMES, "--quiet"], e2e.env(), work);
    expect(run.code).toBe(5);
    record = JSON.parse(readFileSync(recoveryFiles(work)[0] as string, "utf8"));
  });
  test("the token goes only to ADMIN_API_URL and the cdn_url is made from the environment, whatever the file says", async () => {
    let stolen = 0;
    const listener = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => (stolen++, Response.json({ status: "ok" }, { status: 201 })) });
    try {
      uploadAgain();
      const listenerUrl = `http://127.0.0.1:${listener.port}/internal/resources/publish`;
      const path = edited("urls", (copy) => {
        copy.publish_url = listenerUrl;
        copy.payload.cdn_url = `http://127.0.0.1:${listener.port}/evil.enc`;
      });
      const { ADMIN_API_URL: _unset, ...noAdmin } = e2e.env();
      const unset = await spawnCli("bun", ["register", "--from", path], noAdmin, work);
      expect(unset.stderr).toBe("publish-artifact: error: ADMIN_API_URL is not set: set it to the admin API's base URL\n");
      expect(unset.code).toBe(2);

      for (const runtime of ["binary-x64", "deno"] as const) {
        const copy = join(work, `urls-${runtime}.json`);
        writeFileSync(copy, readFileSync(path), { mode: 0o600 });
        admin.registrations.length = 0;
        const again = await spawnCli(runtime, ["register", "--from", copy], e2e.env(), work);
        const cdnUrl = `${s3.S3_ENDPOINT}/${s3.S3_BUCKET}/${KEY}`;
        expect(again.stderr).toBe(
          `publish-artifact: ${copy} was saved for ${listenerUrl}; registering at ${admin.url}/internal/resources/publish (from ADMIN_API_URL) instead\n` +
            `publish-artifact: ${copy} says cdn_url http://127.0.0.1:${listener.port}/evil.enc; registering ${cdnUrl} (from the S3 and CDN variables) instead\n` +
            `registered ${KEY}; ${copy} was removed\n`,
        );
        expect(again.code).toBe(0);
        expect(admin.registrations.map((r) => r.body)).toEqual([{ ...record.payload, cdn_url: cdnUrl }]);
      }
      expect(stolen).toBe(0);
    } finally {
      await listener.stop(true);
    }
  });

  test("names that do not make object_key, another size, another key, a missing object, control characters: refused, nothing sent", async () => {
    const other = "ab".repeat(32);
    const cases: [string, string, number, string][] = [
      [edited("names", (c) => (c.payload.resource_name = "other")), "its names (resource_name, dev_stage, architecture, version) make dev/other-arm64-1.enc, not its object_key dev/sec-arm64-1.enc", 3, ""],
      [edited("size", (c) => (c.payload.size_bytes = (c.payload.size_bytes as number) + 16)), `size_bytes is ${(record.payload.size_bytes as number) + 16}, but ${KEY} in bucket ${s3.S3_BUCKET} is ${record.payload.size_bytes} bytes`, 3, ""],
      [edited("key", (c) => Object.assign(c.payload, { encryption_key: other, sha256: other })), `encryption_key does not decrypt ${KEY} in bucket ${s3.S3_BUCKET}`, 3, ""],
    ];
    uploadAgain();
    const before = admin.requests;
    for (const runtime of ["binary-x64", "bun"] as const) {
      for (const [path, why, code] of cases) {
        const run = await spawnCli(runtime, ["register", "--from", path], e2e.env(), work);
        expect(run.stderr).toBe(`publish-artifact: error: --from ${path} does not describe the object: ${why}; nothing was registered\n`);
        expect(run.code).toBe(code);
        expect(existsSync(path)).toBe(true);
      }
      const gone = edited("gone", (c) => {
        c.payload.version = "never-published";
        c.object_key = "dev/sec-arm64-never-published.enc";
      });
      const missing = await spawnCli(runtime, ["register", "--from", gone], e2e.env(), work);
      expect(missing.stderr).toBe(`publish-artifact: error: dev/sec-arm64-never-published.enc in bucket ${s3.S3_BUCKET} does not exist (HEAD: 404): upload it first, or check S3_BUCKET and --from; nothing was registered\n`);
      expect(missing.code).toBe(7);
      for (const [field, value] of [["object_key", `${KEY}\u001b[2K\rpublish-artifact: registered`], ["publish_url", "https://a.example/\npublish-artifact: forged"]] as const) {
        const forged = edited(`control-${field}`, (c) => ((c as unknown as Record<string, unknown>)[field] = value));
        const run = await spawnCli(runtime, ["register", "--from", forged], e2e.env(), work);
        expect(run.stderr).toBe(`publish-artifact: error: --from ${forged} is not a valid publish-artifact recovery or metadata file: ${field} is wrong or missing\n`);
        expect(run.code).toBe(3);
      }
    }
    expect(admin.requests).toBe(before);
    expect(admin.registrations).toEqual([]);
  });

  test("credentials that may not read the object (here: a wrong secret) stop register before anything is sent, exit 4", async () => {
    uploadAgain();
    const before = admin.requests;
    const path = edited("unreadable", () => {});
    const run = await spawnCli("bun", ["register", "--from", path, "--retries", "0"], e2e.env({ S3_SECRET_KEY: "not-the-secret-123456" }), work);
    expect(run.stderr).toBe(
      `publish-artifact: error: S3 refused to show ${KEY} in bucket ${s3.S3_BUCKET} (HEAD: 403): register checks the object against --from, so the credentials of S3_ACCESS_KEY need s3:GetObject on it (or the secret is wrong); nothing was registered\n`,
    );
    expect(run.code).toBe(4);
    expect(admin.requests).toBe(before);
    expect(existsSync(path)).toBe(true);
  });

  test("the file's key joins the redaction: an admin API that echoes it upper-cased or \\u-escaped shows no key", async () => {
    const key = record.payload.encryption_key as string;
    const escaped = [...key].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).join("");
    const echoing = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: (request) => (request.method === "HEAD" ? new Response(null, { status: 405 }) : new Response(`{"upper":"${key.toUpperCase()}","escaped":"${escaped}"}`, { status: 422 })),
    });
    try {
      uploadAgain();
      for (const runtime of ["binary-x64", "bun"] as const) {
        const path = edited(`echo-${runtime}`, () => {});
        const run = await spawnCli(runtime, ["register", "--from", path, "--retries", "0"], e2e.env({ ADMIN_API_URL: `http://127.0.0.1:${echoing.port}` }), work);
        expect(run.code).toBe(5);
        expect(run.stderr).toContain(`admin API registration failed: HTTP 422: {"upper":"[redacted]","escaped":"[redacted]"}`);
        for (const text of [key, key.toUpperCase(), escaped, key.slice(0, 16)]) expect(run.stdout + run.stderr).not.toContain(text);
      }
    } finally {
      await echoing.stop(true);
    }
  });

  /** The recovery file's object, put back byte for byte by curl when a test starts (the bucket is emptied after each). */
  let kept: string;
  // Outside the working directory, which loses after each test what the file's first test did not find there.
  const keptDir = mkdtempSync(join(tmpdir(), "publish-artifact-kept-"));
  beforeAll(() => {
    kept = join(keptDir, "object.enc");
    expect(curlDownloadUrl(s3, `${s3.S3_ENDPOINT}/${s3.S3_BUCKET}/${KEY}`, kept)).toBe(200);
  });
  afterAll(() => rmSync(keptDir, { recursive: true, force: true }));
  function uploadAgain(): void {
    if (!listObjects(s3).includes(KEY)) expect(curlUpload(s3, KEY, kept)).toBe(200);
  }
});

describe("smaller doors", () => {
  /** A run that would hang (as a FIFO open did) is killed after 15 s and fails the test instead of the suite. */
  async function runBounded(runtime: "binary-x64" | "deno" | "bun", args: string[], env: Record<string, string>) {
    const child = Bun.spawn([...cliCommand(runtime, args, work, env), ...args], {
      cwd: work,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, DENO_NO_UPDATE_CHECK: "1", ...env },
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    const [stderr, code] = await Promise.all([new Response(child.stderr).text(), child.exited]);
    clearTimeout(timer);
    return { stderr, code };
  }

  test("a FIFO where a file is needed (--file, --key-file, --from, IN) is refused at once, exit 3; nothing is sent", async () => {
    const fifo = join(work, "planted.fifo");
    spawnSync("mkfifo", [fifo]);
    const before = admin.requests;
    const notRegular = "it is not a regular file (a pipe, a device or a socket): give the path of a file";
    for (const runtime of ["binary-x64", "deno"] as const) {
      const cases: [string[], string][] = [
        [["--file", fifo, ...NAMES], `cannot read --file ${fifo}: ${notRegular}`],
        [["--file", fifo, ...NAMES, "--dry-run"], `cannot read --file ${fifo}: ${notRegular}`],
        [["decrypt", "--key-file", fifo, file, join(work, "out.bin")], `cannot read --key-file ${fifo}: ${notRegular}`],
        [["decrypt", "--key-file", join(work, "no-such-key"), fifo, join(work, "out.bin")], `cannot read --key-file ${join(work, "no-such-key")}: no such file`],
        [["register", "--from", fifo], `cannot read --from ${fifo}: ${notRegular}`],
        [["verify", "--file", file, "--from", fifo], `cannot read --from ${fifo}: ${notRegular}`],
      ];
      for (const [args, message] of cases) {
        const run = await runBounded(runtime, args, e2e.env());
        expect(run.stderr).toBe(`publish-artifact: error: ${message}\n`);
        expect(run.code).toBe(3);
      }
    }
    expect(admin.requests).toBe(before);
    expect(listObjects(s3)).toEqual([]);
  });

  test("names too long for a recovery file's name still leave a recovery file; a key S3 would refuse is refused first (exit 2)", async () => {
    const long = "r".repeat(230);
    const names = ["--resource-name", long, "--dev-stage", "dev", "--architecture", "arm64", "--version", "1"];
    const key = `dev/${long}-arm64-1.enc`;
    const plan = await spawnCli("binary-x64", ["--file", file, ...names, "--dry-run"], e2e.env(), work);
    expect(plan.code).toBe(0);
    admin.failNext(1, 400, JSON.stringify({ detail: "rejected" }));
    const run = await spawnCli("binary-x64", ["--file", file, ...names], e2e.env(), work);
    expect(run.code).toBe(5);
    const [saved] = recoveryFiles(work);
    expect(Buffer.byteLength(saved!.split("/").at(-1)!)).toBeLessThanOrEqual(255);
    expect(listObjects(s3)).toEqual([key]);
    const registered = await spawnCli("bun", ["register", "--from", saved!], e2e.env(), work);
    expect(registered.code).toBe(0);
    expect(admin.registrations.map((r) => r.body.resource_name)).toEqual([long]);

    const tooLong = ["--resource-name", "é".repeat(520), ...names.slice(2)];
    const before = admin.requests + admin.checks;
    for (const args of [["--dry-run"], []]) {
      const refused = await spawnCli("bun", ["--file", file, ...tooLong, ...args], e2e.env(), work);
      expect(refused.stderr).toMatch(/^publish-artifact: error: the object key dev\/é+… is 1056 bytes, and S3 takes at most 1024: shorten --resource-name, --dev-stage, --architecture or --version\n$/);
      expect(refused.code).toBe(2);
    }
    expect(admin.requests + admin.checks).toBe(before);
  });

  test("a --key-file others can read, or a link: one warning each, as ssh gives; a private file, none", async () => {
    const out = join(work, "warned.enc");
    expect((await spawnCli("bun", ["--file", file, ...NAMES, "--output", out, "--quiet"], {}, work)).code).toBe(0);
    const key = JSON.parse(readFileSync(`${out}.json`, "utf8")).payload.encryption_key as string;
    const open = join(work, "open.key");
    writeFileSync(open, key, { mode: 0o644 });
    const closed = join(work, "closed.key");
    writeFileSync(closed, key, { mode: 0o600 });
    symlinkSync(closed, join(work, "linked.key"));
    const decrypted = `decrypted ${statSync(out).size} bytes into ${statSync(file).size} bytes\n`;
    for (const runtime of ["binary-x64", "deno"] as const) {
      const restored = join(work, `warned-${runtime}.bin`);
      const loose = await spawnCli(runtime, ["decrypt", "--key-file", open, out, restored], {}, work);
      expect(loose.stderr).toBe(`publish-artifact: warning: --key-file ${open} can be read or changed by others (mode 0644): chmod 600 ${open}\n${decrypted}`);
      expect(loose.code).toBe(0);
      rmSync(restored);
      const linked = await spawnCli(runtime, ["decrypt", "--key-file", join(work, "linked.key"), out, restored], {}, work);
      expect(linked.stderr).toBe(`publish-artifact: warning: --key-file ${join(work, "linked.key")} is a symbolic link: give the key file itself, which only you can change\n${decrypted}`);
      rmSync(restored);
      const tight = await spawnCli(runtime, ["decrypt", "--key-file", closed, out, restored], {}, work);
      expect(tight.stderr).toBe(decrypted);
      rmSync(restored);
    }
  });

  test("loopback is one rule for publish, --dry-run and register: 127.1, 0x7f000001 and [::ffff:127.0.0.1] need no --allow-http", async () => {
    const port = new URL(admin.url).port;
    for (const host of ["127.1", "0x7f000001", "[::ffff:127.0.0.1]"]) {
      const url = `http://${host}:${port}`;
      for (const args of [["--file", file, ...NAMES, "--dry-run"], ["register", "--from", join(work, "none.json")]]) {
        const run = await spawnCli("bun", args, e2e.env({ ADMIN_API_URL: url }), work);
        expect(run.stderr).not.toContain("ADMIN_API_URL is http://");
        expect(run.code).not.toBe(2);
      }
    }
    const remote = await spawnCli("bun", ["--file", file, ...NAMES, "--dry-run"], e2e.env({ ADMIN_API_URL: `http://[::ffff:10.0.0.1]:${port}` }), work);
    expect(remote.stderr).toContain("ADMIN_API_URL is http:// to [::ffff:a00:1]");
    expect(remote.code).toBe(2);
  });

  test("control characters in what is printed are escaped: a path cannot paint or forge a line", async () => {
    const odd = join(work, "x\u001b[31mred\rpublish-artifact: published");
    const run = await spawnCli("binary-x64", ["--file", odd, ...NAMES], e2e.env(), work);
    expect(run.stderr).toBe(`publish-artifact: error: cannot read --file ${join(work, "x\\u001b[31mred\\u000dpublish-artifact: published")}: no such file\n`);
    expect(run.code).toBe(3);
  });
});

describe("the key appears only where the user stores it", () => {
  test("--output, with and without --json or --quiet, prints no key; the key is only in FILE.json (0600)", async () => {
    for (const [i, extra] of [[], ["--json"], ["--quiet"], ["--json", "--quiet"]].entries()) {
      const out = join(work, `local-${i}.enc`);
      const run = await spawnCli("binary-x64", ["--file", file, ...NAMES, "--output", out, ...extra], {}, work);
      expect(run.code).toBe(0);
      const key = JSON.parse(readFileSync(`${out}.json`, "utf8")).payload.encryption_key as string;
      expect(key).toMatch(/^[0-9a-f]{64}$/);
      expect(statSync(`${out}.json`).mode & 0o777).toBe(0o600);
      expect(run.stdout + run.stderr).not.toContain(key);
      if (extra.includes("--json")) expect(JSON.parse(run.stdout).metadata_file).toBe(`${out}.json`);
      else expect(run.stdout).toBe("");
    }
  });

  test("an admin API that echoes the request body in its errors (as FastAPI's 422 does) shows no key, in retries or at the end", async () => {
    const bodies: string[] = [];
    let calls = 0;
    const echoing = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      async fetch(request) {
        if (request.method === "HEAD") return new Response(null, { status: 405 });
        const body = await request.text();
        bodies.push(body);
        calls += 1;
        // First a 503 that repeats the body (a retry notice shows it), then FastAPI's 422 with the body as "input",
        // padded so that the message is cut short near the key.
        if (calls === 1) return new Response(`upstream said: ${body}`, { status: 503 });
        const detail = [{ type: "value_error", loc: ["body"], msg: "x".repeat(180), input: JSON.parse(body) }];
        return Response.json({ detail }, { status: 422 });
      },
    });
    try {
      for (const runtime of ["bun", "binary-x64"] as const) {
        bodies.length = 0;
        calls = 0;
        const run = await spawnCli(runtime, ["--file", file, ...NAMES, "--retries", "1"], e2e.env({ ADMIN_API_URL: `http://127.0.0.1:${echoing.port}` }), work);
        expect(run.code).toBe(5);
        expect(calls).toBe(2);
        const key = JSON.parse(bodies[0] as string).encryption_key as string;
        expect(run.stderr).toContain("admin API registration failed: HTTP 503: upstream said:");
        expect(run.stderr).toContain("[redacted]");
        expect(run.stderr).toContain("admin API registration failed: HTTP 422:");
        // Not the key, nor any 16-digit run of it (a message cut short in the middle of the key).
        for (let at = 0; at + 16 <= key.length; at++) expect(run.stdout + run.stderr).not.toContain(key.slice(at, at + 16));
        const saved = /saved in (\S+) \(readable only by you\)/.exec(run.stderr)?.[1] as string;
        expect(JSON.parse(readFileSync(saved, "utf8")).payload.encryption_key).toBe(key);
      }
    } finally {
      await echoing.stop(true);
    }
  });

  test("decrypt and verify take the key from --key-file (the key, or the metadata file) or PUBLISH_ARTIFACT_KEY; --key warns", async () => {
    const out = join(work, "local.enc");
    expect((await spawnCli("bun", ["--file", file, ...NAMES, "--output", out], {}, work)).code).toBe(0);
    const metadata = JSON.parse(readFileSync(`${out}.json`, "utf8"));
    const key = metadata.payload.encryption_key as string;
    const keyFile = join(work, "key.hex");
    writeFileSync(keyFile, `${key}\n`, { mode: 0o600 });
    const restored = join(work, "restored.bin");
    const decrypted = `decrypted ${statSync(out).size} bytes into ${statSync(file).size} bytes`;

    // The metadata file gives the key and the hash, which is then checked.
    const fromMetadata = await spawnCli("binary-x64", ["decrypt", "--key-file", `${out}.json`, out, restored], {}, work);
    expect(fromMetadata.stderr).toBe(`${decrypted}, sha256 checked\n`);
    expect(fromMetadata.code).toBe(0);
    expect(readFileSync(restored).equals(readFileSync(file))).toBe(true);
    rmSync(restored);

    const fromHexFile = await spawnCli("deno", ["decrypt", "--key-file", keyFile, out, restored], {}, work);
    expect(fromHexFile.stderr).toBe(`${decrypted}\n`);
    expect(fromHexFile.code).toBe(0);
    rmSync(restored);

    const fromEnv = await spawnCli("bun", ["decrypt", out, restored], { PUBLISH_ARTIFACT_KEY: key }, work);
    expect(fromEnv.stderr).toBe(`${decrypted}\n`);
    expect(fromEnv.code).toBe(0);
    rmSync(restored);

    const onCommandLine = await spawnCli("bun", ["decrypt", "--key", key, out, restored], {}, work);
    expect(onCommandLine.stderr).toBe(
      "publish-artifact: warning: --key puts the encryption key on the command line, where other users of this machine can read it: use --key-file PATH or PUBLISH_ARTIFACT_KEY\n" +
        `${decrypted}\n`,
    );
    expect(onCommandLine.code).toBe(0);
    rmSync(restored);

    const both = await spawnCli("bun", ["decrypt", "--key", key, "--key-file", keyFile, out, restored], {}, work);
    expect(both.stderr).toBe("publish-artifact: error: give the key once: --key-file PATH or --key HEX, not both\n");
    expect(both.code).toBe(2);
    const none = await spawnCli("bun", ["decrypt", out, restored], {}, work);
    expect(none.stderr).toBe(
      "publish-artifact: error: decrypt needs the key: --key-file PATH (a file holding it, or the metadata or recovery file) or PUBLISH_ARTIFACT_KEY\n",
    );
    expect(none.code).toBe(2);
    writeFileSync(join(work, "junk.txt"), "not a key\n");
    const junk = await spawnCli("bun", ["decrypt", "--key-file", join(work, "junk.txt"), out, restored], {}, work);
    expect(junk.stderr).toBe(
      `publish-artifact: error: --key-file ${join(work, "junk.txt")} holds neither a key (64 hex digits) nor a publish-artifact recovery or metadata file\n`,
    );
    expect(junk.code).toBe(3);
    expect(existsSync(restored)).toBe(false);

    // verify: a hex key file without --sha256 still decrypts and compares, and says the hash was not compared.
    admin.registrations.length = 0;
    expect((await spawnCli("bun", ["--file", file, ...NAMES, "--quiet"], e2e.env(), work)).code).toBe(0);
    const payload = admin.registrations[0]!.body as { encryption_key: string; sha256: string };
    writeFileSync(keyFile, payload.encryption_key);
    const noSha = await spawnCli("bun", ["verify", "--file", file, ...NAMES, "--key-file", keyFile], { ...s3 }, work);
    expect(noSha.stderr).toContain(`sha256 ${payload.sha256} (not compared: no --sha256 or --from was given), decrypted and identical`);
    expect(noSha.code).toBe(0);
    const verified = await spawnCli("binary-x64", ["verify", "--file", file, ...NAMES, "--key-file", keyFile, "--sha256", payload.sha256], { ...s3 }, work);
    expect(verified.code).toBe(0);
    const viaEnv = await spawnCli("bun", ["verify", "--file", file, ...NAMES, "--sha256", payload.sha256], { ...s3, PUBLISH_ARTIFACT_KEY: payload.encryption_key }, work);
    expect(viaEnv.stderr).not.toContain("warning");
    expect(viaEnv.code).toBe(0);
  });
});

describe("cdn_url always names the object", () => {
  test("names with ?, #, % and spaces: cdn_url has no query or fragment, and fetching it returns the object", async () => {
    const names = ["--resource-name", "m?x=1#top", "--dev-stage", "dev", "--architecture", "arm 64", "--version", "50%"];
    const key = "dev/m?x=1#top-arm 64-50%.enc";
    const run = await spawnCli("binary-x64", ["--file", file, ...names], e2e.env(), work);
    expect(run.code).toBe(0);
    const payload = admin.registrations[0]!.body as { cdn_url: string; sha256: string };
    const url = new URL(payload.cdn_url);
    expect(url.search + url.hash).toBe("");
    expect(`${url.origin}${decodeURIComponent(url.pathname)}`).toBe(`${s3.S3_ENDPOINT}/${s3.S3_BUCKET}/${key}`);
    expect(listObjects(s3)).toEqual([key]);
    // Fetched as a loader would (signed here, since the test bucket is private): the very object.
    const download = join(work, "via-cdn-url.enc");
    expect(curlDownloadUrl(s3, payload.cdn_url, download)).toBe(200);
    expect(spawnSync("sha256sum", [download]).stdout.toString().split(" ")[0]).toBe(payload.sha256);
  });
});

describe("nothing the user owns is destroyed", () => {
  const sha = (path: string) => spawnSync("sha256sum", [path]).stdout.toString().split(" ")[0];
  /** The openssl CLI and gunzip, not our own decrypt: the first 16 bytes are the IV. */
  const opensslDecrypt = (path: string, key: string): Buffer => {
    const iv = readFileSync(path).subarray(0, 16).toString("hex");
    const body = join(work, "body.bin");
    writeFileSync(body, readFileSync(path).subarray(16));
    const gz = spawnSync("openssl", ["enc", "-d", "-aes-256-cbc", "-K", key, "-iv", iv, "-in", body]).stdout;
    rmSync(body);
    return spawnSync("gunzip", ["-c"], { input: gz, maxBuffer: 1 << 30 }).stdout;
  };

  test("--output that is the input (same path, a symlink, a hard link, or its .json) is refused, exit 2, input untouched", async () => {
    const input = join(work, "precious.trt");
    writeFileSync(input, pseudoRandomBytes(100_000, 5));
    const before = sha(input);
    symlinkSync(input, join(work, "link.enc"));
    linkSync(input, join(work, "hard.enc"));
    for (const output of [input, join(work, "link.enc"), join(work, "hard.enc")]) {
      const run = await spawnCli("binary-x64", ["--file", input, ...NAMES, "--output", output], {}, work);
      expect(run.stderr).toBe(
        `publish-artifact: error: --output ${output} is the input file itself (--file ${input}): writing it would destroy the artifact; choose another path\n`,
      );
      expect(run.code).toBe(2);
    }
    const jsonInput = join(work, "weights.json");
    writeFileSync(jsonInput, '{"weights":[1,2,3]}');
    const json = await spawnCli("bun", ["--file", jsonInput, ...NAMES, "--output", join(work, "weights")], {}, work);
    expect(json.stderr).toBe(
      `publish-artifact: error: --output ${join(work, "weights")} would write its metadata to ${jsonInput}, which is the input file (--file ${jsonInput}): choose another path\n`,
    );
    expect(json.code).toBe(2);
    expect(readFileSync(jsonInput, "utf8")).toBe('{"weights":[1,2,3]}');
    expect(sha(input)).toBe(before);
    const dash = await spawnCli("bun", ["--file", input, ...NAMES, "--output", "-"], {}, work);
    expect(dash.stderr).toBe(
      "publish-artifact: error: --output - cannot be: the key goes into a metadata file beside the output (FILE.json); give a path, e.g. --output ./model.trt.enc\n",
    );
    expect(dash.code).toBe(2);
    expect(readdirSync(work).filter((name) => name.endsWith(".partial"))).toEqual([]);
  });

  test("--output: a link planted at the old temporary name (or any name) is never written through; the input and the victim stay whole", async () => {
    const input = join(work, "input-planted.trt");
    writeFileSync(input, pseudoRandomBytes(300_000, 12));
    const victim = join(work, "victim-of-output.txt");
    writeFileSync(victim, "the user's own file\n");
    const before = sha(input);
    for (const runtime of ["binary-x64", "deno"] as const) {
      const out = join(work, `planted-${runtime}.enc`);
      // The name the tool used to write (FILE.partial), pointing at another file and at the input.
      symlinkSync(victim, `${out}.partial`);
      const first = await spawnCli(runtime, ["--file", input, ...NAMES, "--output", out, "--quiet"], {}, work);
      expect(first.code).toBe(0);
      rmSync(`${out}.partial`);
      symlinkSync(input, `${out}.partial`);
      rmSync(`${out}.json`);
      const second = await spawnCli(runtime, ["--file", input, ...NAMES, "--output", out, "--quiet"], {}, work);
      expect(second.code).toBe(0);
      expect(readFileSync(victim, "utf8")).toBe("the user's own file\n");
      expect(sha(input)).toBe(before);
      expect(lstatSync(out).isFile()).toBe(true);
      // No temporary file is left behind.
      expect(readdirSync(work).filter((name) => name.startsWith(`.planted-${runtime}.enc.`))).toEqual([]);
      const key = JSON.parse(readFileSync(`${out}.json`, "utf8")).payload.encryption_key as string;
      expect(opensslDecrypt(out, key).equals(readFileSync(input))).toBe(true);
    }
  });

  test("decrypt: OUT that is IN is refused (any name); an OUT.partial link receives nothing; an existing OUT is replaced with a warning", async () => {
    const input = join(work, "secret-plain.bin");
    writeFileSync(input, pseudoRandomBytes(200_000, 13));
    const enc = join(work, "secret.enc");
    expect((await spawnCli("bun", ["--file", input, ...NAMES, "--output", enc, "--quiet"], {}, work)).code).toBe(0);
    const keyFile = `${enc}.json`;
    const encBefore = sha(enc);
    symlinkSync(enc, join(work, "enc-link"));
    linkSync(enc, join(work, "enc-hard"));
    for (const runtime of ["binary-x64", "deno"] as const) {
      for (const out of [enc, join(work, "enc-link"), join(work, "enc-hard")]) {
        const run = await spawnCli(runtime, ["decrypt", "--key-file", keyFile, enc, out], {}, work);
        expect(run.stderr).toBe(`publish-artifact: error: OUT ${out} is IN ${enc} itself: writing it would destroy the encrypted file; choose another path\n`);
        expect(run.code).toBe(2);
      }
      expect(sha(enc)).toBe(encBefore);

      // Another user's world-readable file, linked where the plaintext used to be staged.
      const shared = join(work, `world-readable-${runtime}.txt`);
      writeFileSync(shared, "public\n", { mode: 0o644 });
      const out = join(work, `restored-${runtime}.bin`);
      symlinkSync(shared, `${out}.partial`);
      const run = await spawnCli(runtime, ["decrypt", "--key-file", keyFile, enc, out], {}, work);
      expect(run.code).toBe(0);
      expect(readFileSync(shared, "utf8")).toBe("public\n");
      expect(readFileSync(out).equals(readFileSync(input))).toBe(true);

      // An existing OUT, here a link to the shared file: replaced, with a warning; the link's target untouched.
      rmSync(out);
      symlinkSync(shared, out);
      const again = await spawnCli(runtime, ["decrypt", "--key-file", keyFile, enc, out], {}, work);
      expect(again.stderr).toBe(`publish-artifact: warning: OUT ${out} exists: it is being replaced\ndecrypted ${statSync(enc).size} bytes into ${statSync(input).size} bytes, sha256 checked\n`);
      expect(again.code).toBe(0);
      expect(lstatSync(out).isFile()).toBe(true);
      expect(readFileSync(shared, "utf8")).toBe("public\n");
      expect(readdirSync(work).filter((name) => name.startsWith(`.restored-${runtime}.bin.`))).toEqual([]);
    }
  });

  test("--output never replaces a FILE.json that is not the metadata of an earlier run", async () => {
    const out = join(work, "out.enc");
    writeFileSync(`${out}.json`, '{"my":"own config"}\n');
    const run = await spawnCli("bun", ["--file", file, ...NAMES, "--output", out], {}, work);
    expect(run.stderr).toBe(`publish-artifact: error: ${out}.json exists and is not the metadata of an earlier --output: move it away, or choose another --output\n`);
    expect(run.code).toBe(2);
    expect(readFileSync(`${out}.json`, "utf8")).toBe('{"my":"own config"}\n');
    rmSync(`${out}.json`);
    expect((await spawnCli("bun", ["--file", file, ...NAMES, "--output", out], {}, work)).code).toBe(0);
    // An earlier run's metadata is replaced.
    expect((await spawnCli("bun", ["--file", file, ...NAMES, "--output", out], {}, work)).code).toBe(0);
  });

  test("an object already at the key: replaced with a warning (--json says so); --no-overwrite refuses, exit 4, nothing uploaded", async () => {
    const first = await spawnCli("bun", ["--file", file, ...NAMES, "--json", "--quiet"], e2e.env(), work);
    expect(first.code).toBe(0);
    expect(first.stderr).toBe("");
    expect(JSON.parse(first.stdout).replaced).toBe(false);
    const firstPayload = admin.registrations[0]!.body as { sha256: string };

    const second = await spawnCli("binary-x64", ["--file", file, ...NAMES, "--json", "--quiet"], e2e.env(), work);
    expect(second.code).toBe(0);
    expect(second.stderr).toBe(
      `publish-artifact: warning: ${KEY} in bucket ${s3.S3_BUCKET} already exists: it is being replaced, and the key in its current registration will no longer decrypt it\n`,
    );
    expect(JSON.parse(second.stdout).replaced).toBe(true);
    const secondPayload = admin.registrations[1]!.body as { sha256: string };
    expect(secondPayload.sha256).not.toBe(firstPayload.sha256);

    for (const runtime of ["bun", "deno", "binary-x64"] as const) {
      const refused = await spawnCli(runtime, ["--file", file, ...NAMES, "--no-overwrite"], e2e.env(), work);
      expect(refused.stderr).toBe(
        `publish-artifact: error: ${KEY} in bucket ${s3.S3_BUCKET} already exists and --no-overwrite was given: nothing was uploaded\n`,
      );
      expect(refused.code).toBe(4);
    }
    expect(admin.registrations.length).toBe(2);
    const download = join(work, "still.enc");
    expect(curlDownloadUrl(s3, `${s3.S3_ENDPOINT}/${s3.S3_BUCKET}/${KEY}`, download)).toBe(200);
    expect(sha(download)).toBe(secondPayload.sha256);
  });

  test("--no-overwrite sends If-None-Match: *, so an object stored by someone else during the upload is kept", async () => {
    const flags = { file: [file], resourceName: ["sec"], devStage: ["dev"], architecture: ["arm64"], version: ["1"], recoveryDir: [work] };
    const config = { ...loadPublishConfig(flags, e2e.env()), overwrite: false };
    const theirs = join(work, "theirs.bin");
    writeFileSync(theirs, "another publisher's object");
    // The real server and real fetch; the other publisher's PUT (by curl) lands just before ours.
    const racing = (url: string, init: RequestInit) => {
      if (init.method === "PUT") spawnSync("bash", ["-c", `curl -sS -o /dev/null --aws-sigv4 "aws:amz:${s3.S3_REGION}:s3" --user "${s3.S3_ACCESS_KEY}:${s3.S3_SECRET_KEY}" -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" -T "${theirs}" "${s3.S3_ENDPOINT}/${s3.S3_BUCKET}/${KEY}"`]);
      return fetch(url, init);
    };
    const error = await publishArtifact(config, { fetch: racing }).catch((e: unknown) => e);
    expect((error as Error).message).toBe(
      `${KEY} in bucket ${s3.S3_BUCKET} was stored by someone else during this upload and --no-overwrite was given: it was left as it is and nothing was registered`,
    );
    expect(admin.registrations).toEqual([]);
    const download = join(work, "theirs.download");
    expect(curlDownloadUrl(s3, `${s3.S3_ENDPOINT}/${s3.S3_BUCKET}/${KEY}`, download)).toBe(200);
    expect(readFileSync(download, "utf8")).toBe("another publisher's object");
  });

  test("an empty stdin is refused (exit 3) unless --allow-empty; an empty file still publishes", async () => {
    const empty = join(work, "empty.bin");
    writeFileSync(empty, "");
    const run = (runtime: "bun" | "binary-x64", extra: string[]) => {
      const args = ["--file", "-", ...NAMES, ...extra];
      const child = Bun.spawn([...cliCommand(runtime, args, work, e2e.env()), ...args], {
        cwd: work,
        env: { PATH: process.env.PATH, ...e2e.env() },
        stdin: Bun.file(empty),
        stdout: "pipe",
        stderr: "pipe",
      });
      return Promise.all([new Response(child.stderr).text(), child.exited]);
    };
    for (const runtime of ["bun", "binary-x64"] as const) {
      const [stderr, code] = await run(runtime, []);
      expect(stderr).toBe(
        "publish-artifact: error: stdin (--file -) was empty: nothing to publish (did the command before the pipe fail?); pass --allow-empty to publish an empty artifact\n",
      );
      expect(code).toBe(3);
    }
    expect(listObjects(s3)).toEqual([]);
    expect(admin.registrations).toEqual([]);
    const [, allowed] = await run("bun", ["--allow-empty", "--quiet"]);
    expect(allowed).toBe(0);
    expect(listObjects(s3)).toEqual([KEY]);
    admin.registrations.length = 0;
    const emptyFile = await spawnCli("bun", ["--file", empty, ...NAMES, "--quiet"], e2e.env(), work);
    expect(emptyFile.code).toBe(0);
    expect(admin.registrations.length).toBe(1);
  });
});
