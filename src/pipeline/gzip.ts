// The compression stage: one standard gzip member (Deno's DecompressionStream, and loaders that stop after the
// first member, reject concatenated members). With workers, the parallel compressor of parallel-gzip.ts. With
// none, under Bun the same compressor's blocks deflated by libdeflate on this thread (block-deflate.ts); under
// Deno, CompressionStream at zlib's default level 6, the same as Python's gzip module.
import { DEFLATE_LIBRARY } from "./block-deflate.ts";
import type { BufferPool } from "../bytes/buffer-pool.ts";
import { GZIP_BLOCK_SIZE, parallelGzipStream } from "./parallel-gzip.ts";

export interface CompressionSettings {
  /** 0: on the main thread. */
  workers: number;
  /** gzip level, 1 to 9 (CompressionStream is always 6). */
  level: number;
}

/**
 * With no workers, whether this thread still compresses block by block: with libdeflate (Bun), which deflates
 * faster than CompressionStream's zlib. The pipeline on the bench's 256 MiB file held to one core
 * (`taskset -c 0 bun scripts/bench-run.ts pipeline FILE 0`, twice each): 3.58-3.66 s against 4.42-4.45 s with
 * CompressionStream, and 1.8% smaller. With both cores free, where Bun runs CompressionStream's zlib on a thread
 * of its own: 3.4-3.9 s against 3.8-4.3 s.
 */
const IN_THREAD_BLOCKS = DEFLATE_LIBRARY === "libdeflate";

/** Whether the stage compresses in blocks (and so reads whole blocks, into buffers it gives back). */
export function compressesInBlocks(settings: CompressionSettings): boolean {
  return settings.workers > 0 || IN_THREAD_BLOCKS;
}

export const DEFAULT_LEVEL = 6;

/**
 * One compression worker per core this process may use, at most MAX_DEFAULT_WORKERS; on a single core none
 * (the main thread compresses: no extra thread to start). navigator.hardwareConcurrency counts those cores in
 * Bun and Deno: it follows the CPU affinity (`taskset -c 0`: 1) and a cgroup's CPU quota, which is how
 * containers are limited (`docker run --cpus`, a Kubernetes CPU limit): measured in a cgroup v1 with a quota of
 * 1 and 2.5 CPUs on this 2-core machine, 1 and 2 (test/e2e/cpu-quota.test.ts keeps it so).
 *
 * Why not cores − 1, leaving the main thread a core: the serial threads' share is small. Measured on the bench's
 * 1 GiB file here (scripts/bench.ts, per-thread CPU): 0.9-1.0 CPU-s per GiB of input for the main thread and
 * 1.2-1.7 for the cipher's worker, against 10.5-12 for compression; so on 2 cores 2 workers took 7.09 s where 1
 * took 11.37 s (pigz -p 2: 8.92 s in the same run), and `--output` with these defaults 8.51 s. On a 16-64-core
 * ARM host the workers far outnumber the serial threads, which then limit the speed (docs/benchmarks.md projects
 * it) whatever is left free; remote S3 adds waiting, not CPU.
 */
export function defaultWorkers(cores = globalThis.navigator?.hardwareConcurrency ?? 1): number {
  return cores > 1 ? Math.min(cores, MAX_DEFAULT_WORKERS) : 0;
}

/**
 * Where more workers stop paying: a worker deflates about 95 MiB/s (libdeflate, 10.5-12 CPU-s per GiB,
 * measured), and the serial threads (main 0.9-1.0, cipher 1.2-1.7 CPU-s per GiB) cap the pipeline at about
 * 620-830 MiB/s (docs/benchmarks.md), which 8-9 workers reach; each worker adds 10-25 MiB of peak RSS (114,
 * 137, 170 MiB at 1, 2, 4 workers on 1 GiB). 16 leaves room for slower cores (ARM's, or zlib's deflate under
 * Deno, 15 CPU-s per GiB); on a 64-core host, 64 workers would add about 1 GiB for no speed. --workers still
 * takes up to 64.
 */
const MAX_DEFAULT_WORKERS = 16;

/**
 * How much to read from the file at a time: whole blocks when compressing in blocks, each handed to a worker
 * without a copy (block-filler.ts); 256 KiB for CompressionStream, which overlaps reading and compressing better in
 * smaller steps. Measured on 256 MiB: with 2 workers, the main thread's CPU 0.50 s (256 KiB) → 0.21 s (2 MiB);
 * CompressionStream alone, 3.88 s (256 KiB) against 4.13 s (2 MiB).
 */
export function readSizeFor(settings: CompressionSettings): number {
  return compressesInBlocks(settings) ? GZIP_BLOCK_SIZE : SERIAL_READ_SIZE;
}
const SERIAL_READ_SIZE = 256 * 1024;

/** What was asked for, completed: workers default to the cores; a level other than 6 without libdeflate needs a worker. */
export function compressionSettings(workers: number | undefined, level: number | undefined): CompressionSettings {
  const chosenLevel = level ?? DEFAULT_LEVEL;
  const chosenWorkers = workers ?? defaultWorkers();
  const needsWorker = chosenWorkers === 0 && chosenLevel !== DEFAULT_LEVEL && !IN_THREAD_BLOCKS;
  return { workers: needsWorker ? 1 : chosenWorkers, level: chosenLevel };
}

/** The stage, and how to stop it when the pipeline is abandoned midway (it may run worker threads). */
export function gzipStream(
  settings: CompressionSettings = { workers: 0, level: DEFAULT_LEVEL },
  ownedChunks = false,
  buffers?: BufferPool,
): ReadableWritablePair<Uint8Array, Uint8Array> & { terminate(): void } {
  if (compressesInBlocks(settings)) return parallelGzipStream({ ...settings, ownedChunks, ...(buffers ? { buffers } : {}) });
  // The DOM typings say BufferSource in and Uint8Array<ArrayBuffer> out; Uint8Array chunks are what flows here.
  const stream = new CompressionStream("gzip") as unknown as ReadableWritablePair<Uint8Array, Uint8Array>;
  return Object.assign(stream, { terminate: () => {} });
}
