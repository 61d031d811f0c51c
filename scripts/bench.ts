// `npm run bench`: speed and memory of the publish pipeline, side by side with baselines in the same run.
//
// For a 1 GiB and then a 256 MiB artifact (half pseudo-random bytes, half structured text; deterministic) it
// times, each in a process of its own under /usr/bin/time (elapsed seconds and peak RSS):
//   gzip -6          the gzip CLI on the same file: the classic single-core baseline
//   gzip-stream      CompressionStream('gzip') alone in Bun: the single-stream baseline; and the
//                    parallel gzip alone at the default worker count, beside pigz
//   pipeline         our whole pipeline (file, gzip, AES-256-CBC, SHA-256) into a null sink, on the main thread
//                    alone (--workers 0: libdeflate's blocks under Bun) and with 1, 2 and 4 workers
//   publish          the full publish to a local S3 server (radosgw) and admin API
//   output           the CLI's --output with its defaults, beside pigz -p (cores)
// and, for the parallel compressor (parallel-gzip.ts): pigz -p 1, 2 and 4 beside the pipeline with as many
// workers, levels 1 and 2 beside 6, and the publish with the default workers (one per core) at upload
// concurrency 2, 4 and 8.
// The pipeline runs report the CPU seconds per GiB of input of each thread (thread-clock.ts): the main thread,
// the cipher's worker and the compression workers. From those, the serial ceiling (input bytes per second when
// compression workers are unlimited) and the projected speed at 8, 16 and 32 workers, one core per thread.
// Targets (issue 12): --output within 1.10× of pigz -p (cores); main thread ≤ 1.5 CPU-s/GiB, ceiling ≥ 700 MB/s;
// peak RSS < 200 MiB and within 15% between the two sizes.
//
// And the resume (issue 18): a publish killed with SIGKILL once S3 holds 90% of its ciphertext, then the same
// command, timed, with the bytes it sent and those it found in S3, beside the full publish with the same flags.
//
// And from stdin (issue 19): the publish of a 300 MiB tarball of gzipped layers from the file and piped into
// --file -, in pairs.
//
// And the data users publish (issue 19): float16 and int8 weights, random bytes, a tarball of gzipped layers and
// the mixed file, 256 MiB each: `openssl enc -aes-256-cbc` alone (the floor: CBC is serial), `pigz -6` on every
// core, `sha256sum`, and the CLI's --output with its defaults, from source and as this machine's binary (what CI
// runs: built first, as the tests build it), with the ratios the issue sets targets for; then the publish to
// radosgw on the float16 weights.
//
// Each run is repeated (--runs, default 3) and the median time is reported, since a shared 2-core machine is
// noisy; peak RSS is the largest seen. Options: --sizes 1024,256 (MiB), --runs N, --only resume, --only kinds
// or --only stdin (those rows alone).
import { spawn, spawnSync } from "node:child_process";
import { createCipheriv } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { defaultWorkers } from "../src/pipeline/deflate/gzip.ts";
import { TARGETS, binaryPath, runnerFor } from "./build.ts";
import { float16Weights, int8Weights } from "../test/support/weights.ts";
import { startAdminServer } from "../test/support/admin-server.ts";
import { curlDelete, listObjects, startRadosgw, stopRadosgw, type S3Env } from "../test/support/s3.ts";

const MIB = 1024 * 1024;
const argv = process.argv.slice(2);
const option = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const sizes = (option("--sizes") ?? "1024,256").split(",").map(Number);
const repeats = Number(option("--runs") ?? 3);
const only = option("--only");
const BENCH_NAMES = ["--resource-name", "bench", "--dev-stage", "bench", "--architecture", "x64", "--version", "1"];
const cores = navigator.hardwareConcurrency;
const defaultWorkersHere = defaultWorkers(cores) || 1;
const work = mkdtempSync(join(tmpdir(), "publish-artifact-bench-"));
const s3Dir = join(work, "radosgw");

interface ThreadTimes {
  main: number;
  workers: number[];
  other: number;
}

interface Measure {
  mode: string;
  seconds: number;
  rssMiB: number;
  outBytes: number;
  /** Pipeline runs only: CPU seconds per thread, of the median run. */
  cpu?: ThreadTimes;
  /** Publishes: bytes of the ciphertext a resumed upload found in S3 and did not send. */
  resumedBytes?: number;
}

/** Deterministic: AES-CTR keystream for the random half, numbered records for the structured half. */
async function makeArtifact(path: string, size: number): Promise<void> {
  const handle = await open(path, "w");
  const keystream = createCipheriv("aes-256-ctr", Buffer.alloc(32, 7), Buffer.alloc(16, 0));
  const zeros = Buffer.alloc(4 * MIB);
  const half = Math.floor(size / 2);
  let written = 0;
  while (written < half) {
    const chunk = keystream.update(zeros.subarray(0, Math.min(zeros.length, half - written)));
    await handle.write(chunk);
    written += chunk.length;
  }
  let record = 0;
  while (written < size) {
    const lines: string[] = [];
    for (let i = 0; i < 20_000; i++, record++) {
      lines.push(
        `{"id":${record},"layer":"sha256:${(record * 2654435761 >>> 0).toString(16).padStart(8, "0")}","size":${(record * 7919) % 1000003},"path":"usr/lib/x86_64-linux-gnu/lib${record % 977}.so"}\n`,
      );
    }
    const chunk = Buffer.from(lines.join("")).subarray(0, size - written);
    await handle.write(chunk);
    written += chunk.length;
  }
  await handle.close();
}

/** Run a command `repeats` times; the median time and the largest peak RSS. */
async function measured(mode: string, command: string[], env?: Record<string, string | undefined>, after?: () => void): Promise<Measure> {
  const runs: Measure[] = [];
  for (let i = 0; i < repeats; i++) {
    runs.push(await timed(mode, command, env));
    after?.();
  }
  const median = [...runs].sort((a, b) => a.seconds - b.seconds)[Math.floor(runs.length / 2)] as Measure;
  return { ...median, mode, rssMiB: Math.max(...runs.map((r) => r.rssMiB)) };
}

/** Run a command under /usr/bin/time; resolves with elapsed seconds and peak RSS. */
async function timed(mode: string, command: string[], env: Record<string, string | undefined> = process.env): Promise<Measure> {
  const timeFile = join(work, "time.txt");
  const child = spawn("/usr/bin/time", ["-f", "%e %M", "-o", timeFile, ...command], { env, stdio: ["ignore", "pipe", "inherit"] });
  const out: Buffer[] = [];
  child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
  const code: number = await new Promise((resolve) => child.on("exit", (status) => resolve(status ?? 1)));
  if (code !== 0) throw new Error(`${mode} failed with exit code ${code}`);
  const [seconds, rssKiB] = readFileSync(timeFile, "utf8").trim().split(/\s+/).slice(-2).map(Number) as [number, number];
  const stdout = Buffer.concat(out).toString().trim();
  // bench-run.ts prints { outBytes }, the CLI's --json { size_bytes }, the shell baselines a number.
  const parsed = stdout.startsWith("{") ? (JSON.parse(stdout) as { outBytes?: number; size_bytes?: number; cpu?: ThreadTimes; resumed_bytes?: number }) : undefined;
  const outBytes = parsed ? (parsed.outBytes ?? parsed.size_bytes ?? 0) : Number(stdout);
  const resumed = parsed?.resumed_bytes !== undefined ? { resumedBytes: parsed.resumed_bytes } : {};
  return { mode, seconds, rssMiB: rssKiB / 1024, outBytes, ...(parsed?.cpu ? { cpu: parsed.cpu } : {}), ...resumed };
}

/** This machine's binary, built afresh (into dist/, as `npm test` builds it). */
function nativeBinary(): string {
  if (spawnSync(process.execPath, ["scripts/build.ts"], { stdio: ["ignore", "ignore", "inherit"] }).status !== 0) throw new Error("bench: the build failed");
  const target = TARGETS.find((t) => runnerFor(t)?.length === 0);
  if (!target) throw new Error("bench: no binary runs natively on this machine");
  return binaryPath(target);
}

function ensureTools(): void {
  spawnSync("bash", ["scripts/apt-install.sh", "the benchmark", "/usr/bin/time=time", "pigz=pigz"], { stdio: "inherit" });
}

async function main(): Promise<number> {
  ensureTools();
  // Room for a few 1 GiB publishes in memstore, which holds objects in RAM at about twice their size.
  const s3 = startRadosgw(s3Dir, { ...process.env, RADOSGW_MEMSTORE_BYTES: String(12 * 1024 ** 3) });
  if (!s3) throw new Error("the S3 server did not start");
  const admin = startAdminServer();
  const results = new Map<number, Measure[]>();
  try {
    if (only === undefined || only === "kinds") await dataKinds(s3, admin);
    if (only === undefined || only === "stdin") await fromStdin(s3, admin);
    for (const sizeMiB of only === "kinds" || only === "stdin" ? [] : sizes) {
      const file = join(work, `artifact-${sizeMiB}MiB.bin`);
      console.error(`bench: generating ${sizeMiB} MiB artifact`);
      await makeArtifact(file, sizeMiB * MIB);
      const bun = process.execPath;
      const runs: Measure[] = [];
      // A recovery file (a registration that failed) goes to the benchmark's own temporary directory, never the checkout.
      const env = { ...process.env, ...s3, ADMIN_API_URL: admin.url, ADMIN_API_TOKEN: admin.token, PUBLISH_ARTIFACT_RECOVERY_DIR: work };
      // Each published object is deleted at once: memstore keeps objects in RAM.
      const cleanBucket = () => listObjects(s3).forEach((key) => curlDelete(s3, key));
      // The publish as users run it: the CLI itself, with its signal handling, checks and output.
      const cli = (workers: number) => [bun, "src/main.ts", "--file", file, ...BENCH_NAMES, "--workers", String(workers), "--quiet", "--json"];
      if (only === "resume") {
        runs.push(...(await resumeRuns(cli(defaultWorkersHere), env, cleanBucket)));
        rmSync(file);
        reportResume(sizeMiB, runs);
        continue;
      }
      runs.push(await measured("gzip -6 (CLI)", ["bash", "-c", 'gzip -6 -c "$1" | wc -c', "gzip", file]));
      runs.push(await measured("gzip-stream (Bun)", [bun, "scripts/bench-run.ts", "gzip", file]));
      runs.push(await measured("pipeline, main thread", [bun, "scripts/bench-run.ts", "pipeline", file]));
      for (const workers of [1, 2, 4]) {
        runs.push(await measured(`pigz -6 -p ${workers} (CLI)`, ["bash", "-c", `pigz -6 -p ${workers} -c "$1" | wc -c`, "pigz", file]));
        runs.push(await measured(`pipeline, ${workers} worker${workers > 1 ? "s" : ""}`, [bun, "scripts/bench-run.ts", "pipeline", file, String(workers)]));
      }
      // The parallel gzip alone at the default worker count: what pigz does, without the cipher and the hash.
      runs.push(await measured(`gzip alone, ${defaultWorkersHere} workers`, [bun, "scripts/bench-run.ts", "gzip", file, String(defaultWorkersHere)]));
      // The target of issue 12: the CLI's --output with its defaults, beside pigz on every core, in the same run.
      const encrypted = join(work, "output.enc");
      const removeOutput = () => {
        rmSync(encrypted, { force: true });
        rmSync(`${encrypted}.json`, { force: true });
      };
      if (![1, 2, 4].includes(cores)) runs.push(await measured(`pigz -6 -p ${cores} (CLI)`, ["bash", "-c", `pigz -6 -p ${cores} -c "$1" | wc -c`, "pigz", file]));
      runs.push(await measured("--output, defaults", [bun, "src/main.ts", "--file", file, ...BENCH_NAMES, "--output", encrypted, "--quiet", "--json"], process.env, removeOutput));
      for (const level of [1, 2]) {
        runs.push(await measured(`pipeline, ${defaultWorkersHere} w., level ${level}`, [bun, "scripts/bench-run.ts", "pipeline", file, String(defaultWorkersHere), String(level)]));
      }
      runs.push(await measured("publish, --workers 0", cli(0), env, cleanBucket));
      for (const concurrency of [2, 4, 8]) {
        runs.push(await measured(`publish, ${defaultWorkersHere} w., conc. ${concurrency}`, [...cli(defaultWorkersHere), "--concurrency", String(concurrency)], env, cleanBucket));
      }
      const resumed = await resumeRuns(cli(defaultWorkersHere), env, cleanBucket);
      runs.push(...resumed);
      rmSync(file);
      results.set(sizeMiB, runs);
      report(sizeMiB, runs);
      reportResume(sizeMiB, resumed);
    }
  } finally {
    await admin.stop();
    stopRadosgw(s3Dir);
    rmSync(work, { recursive: true, force: true });
  }
  if (results.size === 2 && only === undefined) {
    const [a, b] = [...results.values()] as [Measure[], Measure[]];
    console.log("\nPeak RSS, larger vs smaller artifact:");
    for (let i = 0; i < a.length; i++) {
      const ratio = (a[i] as Measure).rssMiB / (b[i] as Measure).rssMiB;
      console.log(`  ${(a[i] as Measure).mode.padEnd(22)} ${ratio.toFixed(2)}× ${Math.abs(ratio - 1) <= 0.15 ? "(within 15%)" : "(NOT within 15%)"}`);
    }
  }
  return 0;
}

/** The inputs of the data-kind rows, 256 MiB each (the mixed file is the bench's own). */
const KINDS = ["float16 weights", "int8 weights", "random bytes", "tar of gzipped layers", "mixed"] as const;

async function makeKind(kind: (typeof KINDS)[number], path: string, size: number): Promise<void> {
  if (kind === "mixed") return makeArtifact(path, size);
  const handle = await open(path, "w");
  const piece = 16 * MIB;
  let seed = 1;
  for (let written = 0; written < size; seed++) {
    const n = Math.min(piece, size - written);
    let chunk: Uint8Array;
    if (kind === "float16 weights") chunk = float16Weights(n, seed);
    else if (kind === "int8 weights") chunk = int8Weights(n, seed);
    else if (kind === "random bytes") chunk = createCipheriv("aes-256-ctr", Buffer.alloc(32, seed), Buffer.alloc(16, 0)).update(Buffer.alloc(n));
    // A layer of a docker image as `docker save` holds it: a gzip stream, here of weights (tar headers aside).
    else chunk = gzipSync(float16Weights(Math.floor(n * 1.08), seed), { level: 6 }).subarray(0, n);
    await handle.write(chunk);
    written += chunk.byteLength;
  }
  await handle.close();
}

/**
 * Each kind of data, 256 MiB: the baselines and the CLI's --output on the same file in the same run, and the
 * publish to radosgw on float16 weights.
 */
async function dataKinds(s3: S3Env, admin: { url: string; token: string }): Promise<void> {
  const sizeMiB = 256;
  const bun = process.execPath;
  const rows: string[] = [];
  const binary = nativeBinary();
  for (const kind of KINDS) {
    const file = join(work, `${kind.replace(/\W+/g, "-")}.bin`);
    console.error(`bench: generating ${sizeMiB} MiB of ${kind}`);
    await makeKind(kind, file, sizeMiB * MIB);
    const encrypted = join(work, "kind.enc");
    const removeOutput = () => {
      rmSync(encrypted, { force: true });
      rmSync(`${encrypted}.json`, { force: true });
    };
    const openssl = await measured("openssl enc", ["bash", "-c", 'openssl enc -aes-256-cbc -K "$2" -iv "$3" -in "$1" | wc -c', "openssl", file, "11".repeat(32), "22".repeat(16)]);
    const sha = await measured("sha256sum", ["bash", "-c", 'sha256sum "$1" >/dev/null; echo 0', "sha", file]);
    const pigz = await measured(`pigz -6 -p ${cores}`, ["bash", "-c", `pigz -6 -p ${cores} -c "$1" | wc -c`, "pigz", file]);
    const ours = await measured("--output", [bun, "src/main.ts", "--file", file, ...BENCH_NAMES, "--output", encrypted, "--quiet", "--json"], process.env, removeOutput);
    const oursBinary = await measured("--output, binary", [binary, "--file", file, ...BENCH_NAMES, "--output", encrypted, "--quiet", "--json"], process.env, removeOutput);
    const input = sizeMiB * MIB;
    // The ciphertext less its IV and padding, against pigz's gzip: the compression's own size.
    const compressed = ours.outBytes - 32;
    rows.push(
      `| ${kind} | ${openssl.seconds.toFixed(2)} s | ${sha.seconds.toFixed(2)} s | ${pigz.seconds.toFixed(2)} s, ${((pigz.outBytes / input) * 100).toFixed(2)}% | ` +
        `${ours.seconds.toFixed(2)} s (${(input / MIB / ours.seconds).toFixed(0)} MiB/s), ${((compressed / input) * 100).toFixed(2)}% | ` +
        `${(ours.seconds / openssl.seconds).toFixed(2)}× | ${oursBinary.seconds.toFixed(2)} s, ${(oursBinary.seconds / openssl.seconds).toFixed(2)}× | ` +
        `${(((compressed - pigz.outBytes) / pigz.outBytes) * 100).toFixed(2)}% | ${Math.max(ours.rssMiB, oursBinary.rssMiB).toFixed(0)} MiB |`,
    );
    if (kind === "random bytes") {
      // The serial path (issue 19, 3.): nothing to compress, so the cipher, the hash and the copies set the pace.
      const pipeline = await measured("pipeline", [bun, "scripts/bench-run.ts", "pipeline", file, String(defaultWorkersHere)]);
      const mbps = (seconds: number) => (input / 1e6 / seconds).toFixed(0);
      const cpu = pipeline.cpu;
      console.log(
        `\n  serial path, 256 MiB of random bytes: --output ${mbps(ours.seconds)} MB/s, openssl enc ${mbps(openssl.seconds)} MB/s, sha256sum ${mbps(sha.seconds)} MB/s; ` +
          `the pipeline alone ${mbps(pipeline.seconds)} MB/s, CPU seconds: main thread ${cpu?.main.toFixed(2)}, workers ${cpu?.workers.map((w) => w.toFixed(2)).join(" + ")} (compression and the cipher's), other threads ${cpu?.other.toFixed(2)}`,
      );
    }
    if (kind === "float16 weights") {
      const env = { ...process.env, ...s3, ADMIN_API_URL: admin.url, ADMIN_API_TOKEN: admin.token, PUBLISH_ARTIFACT_RECOVERY_DIR: work };
      const publish = await measured("publish", [bun, "src/main.ts", "--file", file, ...BENCH_NAMES, "--quiet", "--json"], env, () => listObjects(s3).forEach((key) => curlDelete(s3, key)));
      console.log(`\n  publish to radosgw, ${sizeMiB} MiB of float16 weights, defaults: ${publish.seconds.toFixed(2)} s, peak RSS ${publish.rssMiB.toFixed(0)} MiB`);
    }
    rmSync(file);
  }
  console.log(`\n  ${sizeMiB} MiB of each kind, median of ${repeats} runs, ${cores} cores; ours: the CLI's --output, defaults, from source (bun src/main.ts) and as the binary`);
  console.log("| input | openssl enc | sha256sum | pigz -6 (size) | ours from source (size) | ÷ openssl | the binary, ÷ openssl | size vs pigz | peak RSS |");
  console.log("|---|---|---|---|---|---|---|---|---|");
  for (const row of rows) console.log(row);
}

/**
 * The publish of a 300 MiB tarball of gzipped layers (what `docker save` gives) from the file and from a pipe
 * (`cat FILE | publish-artifact --file -`, as CI publishes images), in pairs, one after the other, so that both
 * meet the same load: each pair's ratio, the median of those, and each side's peak RSS. The pipe's default part
 * size (64 MiB) is not the file's (8 MiB): each runs with its own default.
 */
async function fromStdin(s3: S3Env, admin: { url: string; token: string }): Promise<void> {
  const sizeMiB = 300;
  const file = join(work, "image.tar");
  console.error(`bench: generating ${sizeMiB} MiB tar of gzipped layers`);
  await makeKind("tar of gzipped layers", file, sizeMiB * MIB);
  const env = { ...process.env, ...s3, ADMIN_API_URL: admin.url, ADMIN_API_TOKEN: admin.token, PUBLISH_ARTIFACT_RECOVERY_DIR: work };
  const cleanBucket = () => listObjects(s3).forEach((key) => curlDelete(s3, key));
  const cli = [process.execPath, "src/main.ts", ...BENCH_NAMES, "--quiet", "--json"];
  const pairs: [Measure, Measure][] = [];
  for (let i = 0; i < Math.max(3, repeats); i++) {
    const fromFile = await timed("publish --file FILE", [...cli, "--file", file], env);
    cleanBucket();
    const piped = await timed("publish --file - (piped)", ["bash", "-c", 'cat "$1" | "${@:2}"', "pipe", file, ...cli, "--file", "-"], env);
    cleanBucket();
    pairs.push([fromFile, piped]);
  }
  const ratios = pairs.map(([f, p]) => p.seconds / f.seconds).sort((a, b) => a - b);
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
  console.log(`\n  publish to radosgw, ${sizeMiB} MiB tar of gzipped layers, defaults, ${pairs.length} pairs (file, then pipe)`);
  console.log("| input | time (median) | each run | peak RSS (largest) |");
  console.log("|---|---|---|---|");
  for (const [side, label] of [[0, "--file FILE (8 MiB parts, in memory)"], [1, "cat FILE | --file - (64 MiB parts, spooled)"]] as const) {
    const runs = pairs.map((pair) => pair[side]);
    console.log(`| ${label} | ${median(runs.map((r) => r.seconds)).toFixed(2)} s | ${runs.map((r) => r.seconds.toFixed(2)).join(", ")} s | ${Math.max(...runs.map((r) => r.rssMiB)).toFixed(0)} MiB |`);
  }
  console.log(`  pipe ÷ file, per pair: ${ratios.map((r) => r.toFixed(2)).join(", ")} (median ${median(ratios).toFixed(2)}×)`);
  rmSync(file);
}

/**
 * The full publish with `command`'s flags, then the same publish killed (SIGKILL) once its resume record journals
 * 90% of the ciphertext, and the same command again: it waits out the killed run's lease (record-lease.ts: up to
 * 4 s, counted here as a user would meet it), regenerates the stream and sends what S3 lacks.
 */
async function resumeRuns(command: string[], env: Record<string, string | undefined>, cleanBucket: () => void): Promise<Measure[]> {
  const full = await measured("publish (full)", command, env, cleanBucket);
  const journaledBytes = () => {
    let bytes = 0;
    for (const name of readdirSync(work).filter((n) => n.startsWith("publish-artifact-resume-"))) {
      for (const line of readFileSync(join(work, name), "utf8").split("\n").slice(1)) {
        if (line.endsWith("}")) bytes += (JSON.parse(line) as { size: number }).size;
      }
    }
    return bytes;
  };
  const child = spawn(command[0] as string, command.slice(1), { env, stdio: ["ignore", "ignore", "inherit"] });
  const exited = new Promise((resolve) => child.on("exit", resolve));
  while (journaledBytes() < 0.9 * full.outBytes) await Bun.sleep(20);
  child.kill("SIGKILL");
  await exited;
  const resumed = await timed("publish, resumed at 90%", command, env);
  cleanBucket();
  return [full, resumed];
}

function reportResume(sizeMiB: number, runs: Measure[]): void {
  const full = runs.find((r) => r.mode === "publish (full)");
  const resumed = runs.find((r) => r.mode === "publish, resumed at 90%");
  if (!full || !resumed) return;
  const inS3 = resumed.resumedBytes ?? 0;
  const sent = resumed.outBytes - inS3;
  console.log(
    `\n  resume, ${sizeMiB} MiB: full publish ${full.seconds.toFixed(2)} s; killed once S3 held 90%, the same command took ${resumed.seconds.toFixed(2)} s ` +
      `(${(resumed.seconds / full.seconds).toFixed(2)}× the full publish, up to 4 s of it waiting out the killed run's lease), ` +
      `sent ${(sent / MIB).toFixed(1)} MiB and found ${(inS3 / MIB).toFixed(1)} MiB in S3 (${((sent / resumed.outBytes) * 100).toFixed(1)}% of ${(resumed.outBytes / MIB).toFixed(1)} MiB sent again), peak RSS ${resumed.rssMiB.toFixed(0)} MiB`,
  );
}

/** CPU seconds per GiB of input of the main thread, the cipher's worker and all compression workers together. */
function perGiB(run: Measure, sizeMiB: number): { main: number; cipher: number; compression: number; workers: number } | undefined {
  if (!run.cpu) return undefined;
  const gib = sizeMiB / 1024;
  // With compression workers the cipher has a worker too (encrypted-artifact.ts). Bun names every Worker's
  // thread alike; the cipher's is the one with the least CPU (about 2 s per GiB against 15 for compression).
  // A thread Bun names "Worker" that never ran (0 s, seen now and then) is none of ours.
  const sorted = run.cpu.workers.filter((seconds) => seconds > 0).sort((a, b) => a - b);
  const withCipher = sorted.length > 0 && run.mode.startsWith("pipeline");
  const cipher = withCipher ? (sorted[0] ?? 0) : 0;
  const compression = (withCipher ? sorted.slice(1) : sorted).reduce((a, b) => a + b, 0);
  return { main: run.cpu.main / gib, cipher: cipher / gib, compression: compression / gib, workers: withCipher ? sorted.length - 1 : 0 };
}

function report(sizeMiB: number, runs: Measure[]): void {
  const base = runs.find((r) => r.mode.startsWith("gzip-stream")) as Measure;
  const publishAlone = runs.find((r) => r.mode === "publish, --workers 0");
  const publishParallel = runs.find((r) => r.mode.startsWith("publish, ") && r.mode.includes("conc."));
  console.log(`\n${sizeMiB} MiB artifact (half random, half structured text), median of ${repeats} runs`);
  console.log(`  ${"run".padEnd(26)} ${"seconds".padStart(8)} ${"MiB/s".padStart(7)} ${"× gzip-stream".padStart(13)} ${"peak RSS".padStart(10)} ${"output".padStart(12)}`);
  for (const r of runs) {
    console.log(
      `  ${r.mode.padEnd(26)} ${r.seconds.toFixed(2).padStart(8)} ${(sizeMiB / r.seconds).toFixed(1).padStart(7)} ${(r.seconds / base.seconds).toFixed(2).padStart(13)} ${`${r.rssMiB.toFixed(0)} MiB`.padStart(10)} ${String(r.outBytes).padStart(12)}`,
    );
  }
  console.log(`\n  CPU seconds per GiB of input, per thread (pipeline runs)`);
  console.log(`  ${"run".padEnd(26)} ${"main".padStart(6)} ${"cipher".padStart(7)} ${"compression".padStart(12)} ${"serial ceiling".padStart(15)}`);
  const models: { mode: string; main: number; cipher: number; compression: number }[] = [];
  for (const r of runs) {
    const cost = perGiB(r, sizeMiB);
    if (!cost || cost.workers === 0 || !r.mode.startsWith("pipeline")) continue;
    if (!r.mode.includes("level")) models.push({ mode: r.mode, ...cost });
    const ceiling = 1024 / Math.max(cost.main, cost.cipher);
    console.log(`  ${r.mode.padEnd(26)} ${cost.main.toFixed(2).padStart(6)} ${cost.cipher.toFixed(2).padStart(7)} ${cost.compression.toFixed(2).padStart(12)} ${`${ceiling.toFixed(0)} MiB/s`.padStart(15)}`);
  }
  // One core per thread: N compression workers share the compression CPU; the main thread and the cipher worker
  // are serial. On this small machine every thread's CPU time grows with the threads beside it (they share the
  // cores, and their caches), so the projection is made from both ends: the level-6 run with the fewest workers
  // (least contended, nearest a host with a core per thread) and the one with the most.
  for (const m of [models[0], models.at(-1)]) {
    if (!m) continue;
    const projected = [8, 16, 32].map((n) => `${n} workers ${(1024 / Math.max(m.main, m.cipher, m.compression / n)).toFixed(0)} MiB/s`);
    console.log(`  projected from "${m.mode}" (one core per thread): ${projected.join(", ")}`);
  }
  if (publishAlone && publishParallel) {
    const speedup = publishAlone.seconds / publishParallel.seconds;
    const size = publishParallel.outBytes / publishAlone.outBytes;
    console.log(`  publish with default workers: ${speedup.toFixed(2)}× the speed of --workers 0, output ${((size - 1) * 100).toFixed(2)}% larger`);
  }
}

process.exit(await main());
