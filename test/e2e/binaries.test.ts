// The compiled executables, run where users run them: the x64 binary natively, the arm64 one under qemu, each
// doing a full publish against the real S3 server and admin API, verified independently. The musl builds need
// musl's libstdc++ and libgcc, which Debian lacks, so they are only checked for being musl executables of the
// right machine.
import { beforeAll, describe, expect, test } from "bun:test";
import { closeSync, openSync, readSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { TARGETS, binaryPath, runnerFor } from "../../scripts/build.ts";
import pkg from "../../package.json" with { type: "json" };
import type { AdminServer } from "../support/admin-server.ts";
import { nameFlags, useE2e } from "../support/e2e.ts";
import { spawnCli, type Runtime } from "../support/spawn-cli.ts";
import { openMultipartUploads, type S3Env } from "../support/s3.ts";
import { pseudoRandomBytes } from "../support/streams.ts";
import { checkPublished } from "../support/check-published.ts";

const e2e = useE2e();
let s3: S3Env;
let admin: AdminServer;
let work: string;
beforeAll(() => ({ s3, admin, work } = e2e));

/** The ELF header's machine and the program interpreter (the dynamic loader) named in PT_INTERP. */
function elfInfo(path: string): { machine: number; interpreter: string } {
  const fd = openSync(path, "r");
  try {
    const header = Buffer.alloc(64);
    readSync(fd, header, 0, 64, 0);
    expect(header.subarray(0, 4).toString("latin1")).toBe("\x7fELF");
    const machine = header.readUInt16LE(18);
    const phoff = Number(header.readBigUInt64LE(32));
    const phentsize = header.readUInt16LE(54);
    const phnum = header.readUInt16LE(56);
    const table = Buffer.alloc(phentsize * phnum);
    readSync(fd, table, 0, table.length, phoff);
    for (let i = 0; i < phnum; i++) {
      const entry = table.subarray(i * phentsize, (i + 1) * phentsize);
      if (entry.readUInt32LE(0) !== 3) continue; // PT_INTERP
      const offset = Number(entry.readBigUInt64LE(8));
      const size = Number(entry.readBigUInt64LE(32));
      const interp = Buffer.alloc(size);
      readSync(fd, interp, 0, size, offset);
      return { machine, interpreter: interp.toString("latin1").replace(/\0+$/, "") };
    }
    return { machine, interpreter: "" };
  } finally {
    closeSync(fd);
  }
}

const EM = { "x86-64": 62, aarch64: 183 } as const;

describe("the built executables", () => {
  for (const target of TARGETS) {
    test(`${target.name} is a ${target.libc} executable for ${target.machine}`, () => {
      const { machine, interpreter } = elfInfo(binaryPath(target));
      expect(machine).toBe(EM[target.machine]);
      if (target.libc === "musl") expect(interpreter).toMatch(/^\/lib\/ld-musl-(x86_64|aarch64)\.so\.1$/);
      else expect(interpreter).toMatch(/^\/lib(64)?\/ld-linux-(x86-64|aarch64)\.so\.[12]$/);
      expect(interpreter).toContain(target.machine === "x86-64" ? "x86" : "aarch64");
    });
  }

  const runnable: [Runtime, string][] = [
    ["binary-x64", "linux-x64"],
    ["binary-arm64", "linux-arm64"],
  ];
  for (const [runtime, name] of runnable) {
    const target = TARGETS.find((t) => t.name === name)!;
    const canRun = runnerFor(target) !== undefined;

    test.skipIf(!canRun && !process.env.CI)(`${name}: --help and version`, async () => {
      const help = await spawnCli(runtime, ["--help"], {});
      expect(help.code).toBe(0);
      expect(help.stdout).toContain("--resource-name NAME");
      expect(help.stdout).toContain("Exit codes:");
      const version = await spawnCli(runtime, ["version"], {});
      expect(version.code).toBe(0);
      expect(version.stdout.trim()).toMatch(new RegExp(`^publish-artifact ${pkg.version.replace(/\./g, "\\.")} \\([0-9a-f]{12}(-dirty)?\\)$`));
    });

    test.skipIf(!canRun && !process.env.CI)(`${name}: a full multipart publish, verified independently`, async () => {
      const file = join(work, `${name}.bin`);
      writeFileSync(file, pseudoRandomBytes(11 * 1024 * 1024, 5));
      const args = ["--file", file, ...nameFlags("bin", { architecture: name, version: "1.10" })];
      const run = await spawnCli(runtime, [...args, "--part-size", "5MiB", "--json"], { ...s3, ADMIN_API_URL: admin.url, ADMIN_API_TOKEN: admin.token }, work);
      expect(run.stderr).toContain(`published dev/bin-${name}-1.10.enc`);
      expect(run.code).toBe(0);
      const payload = admin.registrations[0]!.body as { sha256: string; encryption_key: string; size_bytes: number };
      expect(JSON.parse(run.stdout).sha256).toBe(payload.sha256);
      checkPublished(s3, `dev/bin-${name}-1.10.enc`, payload, file, work);
      expect(openMultipartUploads(s3)).toEqual([]);
    });
  }
});
