// `npm run build`: single-file executables of the CLI for linux x64 and arm64, glibc and musl, in dist/, with
// dist/SHA256SUMS. Cross-compiling normally makes Bun download each target's runtime; here every runtime comes
// from an npm package that `npm ci` installed (tools/bun-runtimes, pinned by its own lockfile, installed by the
// root package's postinstall), so the build works offline and is reproducible from the lockfiles.
//
// Prints each binary's size, and for the binaries this machine can run (natively, or arm64 under
// qemu-aarch64-static) the median start-up time of `--help` over 10 runs.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { WORKER_FILES } from "../src/worker-urls.ts";

export interface Target {
  /** File name suffix in dist/. */
  name: string;
  bunTarget: "bun-linux-x64" | "bun-linux-arm64" | "bun-linux-x64-musl" | "bun-linux-arm64-musl";
  /** The devDependency holding this target's Bun runtime. */
  runtimePackage: string;
  machine: "x86-64" | "aarch64";
  libc: "glibc" | "musl";
}

export const TARGETS: Target[] = [
  { name: "linux-x64", bunTarget: "bun-linux-x64", runtimePackage: "bun-runtime-linux-x64", machine: "x86-64", libc: "glibc" },
  { name: "linux-arm64", bunTarget: "bun-linux-arm64", runtimePackage: "bun-runtime-linux-arm64", machine: "aarch64", libc: "glibc" },
  { name: "linux-x64-musl", bunTarget: "bun-linux-x64-musl", runtimePackage: "bun-runtime-linux-x64-musl", machine: "x86-64", libc: "musl" },
  {
    name: "linux-arm64-musl",
    bunTarget: "bun-linux-arm64-musl",
    runtimePackage: "bun-runtime-linux-arm64-musl",
    machine: "aarch64",
    libc: "musl",
  },
];

export const DIST = "dist";
/** The package that holds the runtimes: npm must be forced to install runtimes of other CPUs, and only there. */
const RUNTIMES_DIR = join("tools", "bun-runtimes");
export const binaryPath = (target: Target) => join(DIST, `publish-artifact-${target.name}`);

/** How to run a binary here: directly on its own machine, arm64 glibc under qemu; undefined when we cannot. */
export function runnerFor(target: Target): string[] | undefined {
  const hostMachine = process.arch === "x64" ? "x86-64" : "aarch64";
  if (target.libc === "musl") return undefined; // Debian has no musl libstdc++/libgcc: see the README.
  if (target.machine === hostMachine) return [];
  if (target.machine === "aarch64" && existsSync("/usr/bin/qemu-aarch64-static") && existsSync("/usr/aarch64-linux-gnu")) {
    return ["/usr/bin/qemu-aarch64-static", "-L", "/usr/aarch64-linux-gnu"];
  }
  return undefined;
}

function gitCommit(): string {
  const head = spawnSync("git", ["rev-parse", "--short=12", "HEAD"], { encoding: "utf8" });
  if (head.status !== 0) return "unknown";
  const dirty = spawnSync("git", ["status", "--porcelain", "--untracked-files=no"], { encoding: "utf8" }).stdout.trim() !== "";
  return `${head.stdout.trim()}${dirty ? "-dirty" : ""}`;
}

function medianStartMs(command: string[], runs = 10): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const result = spawnSync(command[0] as string, command.slice(1), { stdio: "ignore" });
    if (result.status !== 0) throw new Error(`${command.join(" ")} exited with ${result.status}`);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return ((times[4] as number) + (times[5] as number)) / 2;
}

async function build(): Promise<void> {
  const commit = gitCommit();
  rmSync(DIST, { recursive: true, force: true });
  mkdirSync(DIST);
  const sums: string[] = [];
  for (const target of TARGETS) {
    const runtime = join(RUNTIMES_DIR, "node_modules", target.runtimePackage, "bin", "bun");
    if (!existsSync(runtime)) throw new Error(`${runtime} is missing: run npm ci (its postinstall installs the runtime of every target)`);
    const outfile = binaryPath(target);
    const result = await Bun.build({
      // Each worker (compression, encryption) is an entry point of its own: a Worker's code must be in the binary.
      entrypoints: ["src/main.ts", ...Object.values(WORKER_FILES).map((file) => join("src", file))],
      compile: {
        target: target.bunTarget,
        outfile,
        executablePath: runtime,
        // CI runs the binary inside somebody else's checkout, with the secrets in its environment: nothing in
        // the working directory may configure it or run code in it (a bunfig.toml's preload, a .env, a
        // tsconfig.json or package.json that Bun would otherwise read from there).
        autoloadBunfig: false,
        autoloadDotenv: false,
        autoloadTsconfig: false,
        autoloadPackageJson: false,
      },
      minify: true,
      // JSC bytecode made at build time, not parsed and compiled at each start. Measured here (linux-x64, six
      // interleaved runs each): --help 35 ms against 48 (median of 10), `--output` of 1 MiB 0.12-0.14 s against
      // 0.15-0.16 s, for 3.4 MiB more binary (107.8 MiB).
      bytecode: true,
      sourcemap: "none",
      // Separate chunks for the dynamic imports: --help and version then load neither the signer nor the
      // pipeline (measured: 54 ms → 30 ms to start).
      splitting: true,
      format: "esm",
      define: { PUBLISH_ARTIFACT_COMMIT: JSON.stringify(commit) },
    });
    if (!result.success) {
      for (const log of result.logs) console.error(log);
      throw new Error(`build of ${target.name} failed`);
    }
    const bytes = readFileSync(outfile);
    sums.push(`${createHash("sha256").update(bytes).digest("hex")}  publish-artifact-${target.name}`);
    const runner = runnerFor(target);
    const start = runner ? `, --help starts in ${medianStartMs([...runner, outfile, "--help"]).toFixed(1)} ms (median of 10)` : "";
    const how = runner === undefined ? " (not runnable here)" : runner.length > 0 ? " (under qemu)" : "";
    console.log(`${outfile}: ${(statSync(outfile).size / 1024 / 1024).toFixed(1)} MiB${start}${how}`);
  }
  writeFileSync(join(DIST, "SHA256SUMS"), `${sums.join("\n")}\n`);
  console.log(`${join(DIST, "SHA256SUMS")}: ${TARGETS.length} binaries, built from ${commit}`);
}

if (import.meta.main) await build();
