// A container's CPU limit is a cgroup quota: the default number of compression workers must follow it, or a pod
// allowed 2 CPUs on a 64-core node would start 16 workers (10-25 MiB of RSS each) to share 2 CPUs. Bun's and
// Deno's navigator.hardwareConcurrency already count the quota (gzip.ts: defaultWorkers); this keeps it so, for
// real: the CLI is started inside a cgroup whose quota is one CPU, which needs root and a writable cgroup
// hierarchy (this machine and CI have both; elsewhere the test says it is skipped).
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, rmSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { defaultWorkers } from "../../src/pipeline/deflate/gzip.ts";
import { nameFlags, useE2e } from "../support/e2e.ts";
import { cliCommand, type Runtime } from "../support/spawn-cli.ts";
import { pseudoRandomBytes } from "../support/streams.ts";

const e2e = useE2e();
const NAMES = nameFlags("quota", { architecture: "x64" });
const cores = navigator.hardwareConcurrency;

/** A cgroup limited to one CPU (v2 cpu.max, or v1's cpu controller), or undefined if none can be made here. */
function oneCpuCgroup(): { procs: string; remove(): void } | undefined {
  const name = `publish-artifact-test-${process.pid}`;
  // The parent must be a real cgroup hierarchy with the cpu controller (a tmpfs at /sys/fs/cgroup takes any
  // mkdir), and the new directory a real cgroup (the kernel fills it with cgroup.procs).
  const candidates = [
    { parent: "/sys/fs/cgroup", marker: "cpu.max", file: "cpu.max", quota: "100000 100000" },
    { parent: "/sys/fs/cgroup/cpu", marker: "cpu.cfs_quota_us", file: "cpu.cfs_quota_us", quota: "100000" },
  ];
  for (const { parent, marker, file, quota } of candidates) {
    const dir = join(parent, name);
    try {
      mkdirSync(dir);
    } catch {
      continue;
    }
    try {
      if (!existsSync(join(dir, marker)) || !existsSync(join(dir, "cgroup.procs"))) throw new Error("not a cgroup with the cpu controller");
      writeFileSync(join(dir, file), quota);
      return { procs: join(dir, "cgroup.procs"), remove: () => rmdirSync(dir) };
    } catch {
      // A real cgroup goes with rmdir alone; what a tmpfs took, with its files.
      try {
        rmdirSync(dir);
      } catch {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  return undefined;
}

const cgroup = cores >= 2 ? oneCpuCgroup() : undefined;
// Removed even when the file's set-up fails (an afterAll may then not run): a cgroup outlives the process.
const removeCgroup = () => {
  try {
    cgroup?.remove();
  } catch {
    // Already removed.
  }
};
afterAll(removeCgroup);
process.on("exit", removeCgroup);
if (!cgroup) console.warn("cpu-quota.test.ts: skipped, no cgroup with a CPU quota can be made here (needs root, 2+ cores)");

async function dryRun(runtime: Runtime, inCgroup: boolean): Promise<{ workers: number; level: number }> {
  const file = join(e2e.work, "artifact.bin");
  writeFileSync(file, pseudoRandomBytes(1024, 1));
  const args = ["--file", file, ...NAMES, "--dry-run", "--json"];
  const command = cliCommand(runtime, args, e2e.work, e2e.env());
  // The shell moves itself into the cgroup, then becomes the CLI, which so starts inside it.
  const wrapped = inCgroup ? ["sh", "-c", 'echo $$ > "$0" && exec "$@"', cgroup?.procs ?? "", ...command, ...args] : [...command, ...args];
  const child = Bun.spawn(wrapped, { cwd: e2e.work, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...e2e.env() }, stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  expect(stderr).toBe("");
  expect(code).toBe(0);
  return (JSON.parse(stdout) as { compression: { workers: number; level: number } }).compression;
}

describe.skipIf(!cgroup)("a CPU quota of one CPU", () => {
  for (const runtime of ["binary-x64", "bun", "deno"] as const) {
    test(`${runtime}: inside it the default is no workers (the main thread compresses); outside, a worker per core`, async () => {
      expect(await dryRun(runtime, false)).toEqual({ workers: defaultWorkers(cores), level: 6 });
      expect(defaultWorkers(cores)).toBeGreaterThanOrEqual(2);
      expect(await dryRun(runtime, true)).toEqual({ workers: 0, level: 6 });
    });
  }
});
