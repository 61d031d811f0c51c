// The common frame of the end-to-end test files: the test S3 server (started by scripts/test.ts), a real admin
// API in this process, and a working directory; after each test the bucket is emptied (memstore keeps objects
// in RAM), the admin log cleared, and what the test left in the working directory removed.
import { afterAll, afterEach, beforeAll, beforeEach } from "bun:test";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startAdminServer, type AdminServer } from "./admin-server.ts";
import { curlDelete, listObjects, s3Env, type S3Env } from "./s3.ts";

export interface E2e {
  s3: S3Env;
  admin: AdminServer;
  /** A directory of this test file's own; files made in its beforeAll stay, the tests' go after each. */
  work: string;
  /** The environment of a publish against the two servers, with `extra` on top. */
  env(extra?: Record<string, string>): Record<string, string>;
}

export function useE2e(options: { adminToken?: string } = {}): E2e {
  let kept: Set<string> | undefined;
  // Filled in by beforeAll, before any test reads it.
  const context: E2e = {
    s3: undefined as unknown as S3Env,
    admin: undefined as unknown as AdminServer,
    work: "",
    env(extra: Record<string, string> = {}) {
      return { ...context.s3, ADMIN_API_URL: context.admin.url, ADMIN_API_TOKEN: context.admin.token, ...extra };
    },
  };
  beforeAll(() => {
    context.s3 = s3Env();
    context.admin = startAdminServer({ token: options.adminToken });
    context.work = mkdtempSync(join(tmpdir(), "publish-artifact-e2e-"));
  });
  beforeEach(() => {
    kept ??= new Set(readdirSync(context.work));
  });
  afterEach(() => {
    for (const key of listObjects(context.s3)) curlDelete(context.s3, key);
    context.admin.registrations.length = 0;
    for (const name of readdirSync(context.work)) if (!kept?.has(name)) rmSync(join(context.work, name), { recursive: true, force: true });
  });
  afterAll(async () => {
    await context.admin.stop();
    rmSync(context.work, { recursive: true, force: true });
  });
  return context;
}

/**
 * The names of a test file's artifact as flags, the same four every e2e file gives: `--resource-name NAME
 * --dev-stage dev --architecture ARCH --version VERSION`; `version: null` leaves the version to each test.
 */
export function nameFlags(resourceName: string, options: { architecture?: string; version?: string | null } = {}): string[] {
  const flags = ["--resource-name", resourceName, "--dev-stage", "dev", "--architecture", options.architecture ?? "arm64"];
  return options.version === null ? flags : [...flags, "--version", options.version ?? "1"];
}

/** The recovery files a run in `cwd` saved, by default in its `.publish-artifact/` folder; full paths. */
export function recoveryFiles(cwd: string, dir = join(cwd, ".publish-artifact")): string[] {
  return filesStarting(dir, "publish-artifact-recovery-");
}

/** The records of multipart uploads that runs in `cwd` kept (or are making), in its `.publish-artifact/` folder. */
export function resumeRecords(cwd: string, dir = join(cwd, ".publish-artifact")): string[] {
  return filesStarting(dir, "publish-artifact-resume-");
}

function filesStarting(dir: string, prefix: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.filter((name) => name.startsWith(prefix)).map((name) => join(dir, name));
}
