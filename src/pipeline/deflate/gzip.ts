// The compression stage: one standard gzip member (Deno's DecompressionStream, and loaders that stop after the
// first member, reject concatenated members). With workers, the parallel compressor of parallel-gzip.ts. With
// none, under Bun the same compressor's blocks deflated by libdeflate on this thread (block-deflate.ts); under
// Deno, CompressionStream at zlib's default level 6, the same as Python's gzip module.
import { DEFLATE_LIBRARY } from "./block-deflate.ts";
import { BufferPool } from "../../bytes/buffer-pool.ts";
import { GZIP_BLOCK_SIZE, parallelGzipStream } from "./parallel-gzip.ts";

export interface CompressionSettings {
  /** 0: on the main thread. */
  workers: number;
  /** gzip level, 1 to 9 (CompressionStream is always 6). */
  level: number;
}

/**
 * With no workers, whether this thread still compresses block by block: with libdeflate (Bun), which is faster
 * than CompressionStream's zlib on one core and 1.8% smaller (docs/benchmarks.md, "Defaults of the compression
 * stage").
 */
const IN_THREAD_BLOCKS = DEFLATE_LIBRARY === "libdeflate";

/** Whether the stage compresses in blocks (and so reads whole blocks, into buffers it gives back). */
function compressesInBlocks(settings: CompressionSettings): boolean {
  return settings.workers > 0 || IN_THREAD_BLOCKS;
}

export const DEFAULT_LEVEL = 6;

/**
 * One compression worker per core this process may use, at most MAX_DEFAULT_WORKERS; on a single core none
 * (the main thread compresses: no extra thread to start). navigator.hardwareConcurrency counts those cores in
 * Bun and Deno, CPU affinity and a cgroup's CPU quota included (test/e2e/cpu-quota.test.ts keeps it so). Not
 * cores − 1: the serial threads cost about a tenth of what compression does, so a worker on every core is
 * faster (measured: docs/benchmarks.md, "Every core, and the serial path").
 */
export function defaultWorkers(cores = globalThis.navigator?.hardwareConcurrency ?? 1): number {
  return cores > 1 ? Math.min(cores, MAX_DEFAULT_WORKERS) : 0;
}

/**
 * Where more workers stop paying: 8-9 workers reach the serial threads' ceiling here, each adds 10-25 MiB of
 * peak RSS, and 16 leaves room for slower cores (docs/benchmarks.md). --workers still takes up to 64.
 */
const MAX_DEFAULT_WORKERS = 16;

/** Read sizes: whole blocks when compressing in blocks, 256 KiB for CompressionStream (docs/benchmarks.md). */
const SERIAL_READ_SIZE = 256 * 1024;

/**
 * How the file is to be read for this compression: in whole blocks, into buffers that come back from the
 * compressor once it is done with them (each handed over without a copy); or in 256 KiB pieces for
 * CompressionStream, which overlaps reading and compressing better in smaller steps.
 */
export function readOptionsFor(settings: CompressionSettings): { buffers: BufferPool } | { chunkSize: number } {
  return compressesInBlocks(settings) ? { buffers: new BufferPool(GZIP_BLOCK_SIZE) } : { chunkSize: SERIAL_READ_SIZE };
}

/**
 * What makes the compressed bytes besides the input: the same level, block size and deflate library make the
 * same stream whatever the workers (test/unit/deterministic.test.ts); CompressionStream (Deno on one core) is
 * zlib's own stream, blocks aside.
 */
export function streamIdentity(settings: CompressionSettings): { level: number; block_size: number; deflate_library: "libdeflate" | "zlib" | "compression-stream" } {
  if (!compressesInBlocks(settings)) return { level: settings.level, block_size: 0, deflate_library: "compression-stream" };
  return { level: settings.level, block_size: GZIP_BLOCK_SIZE, deflate_library: DEFLATE_LIBRARY };
}

/** What was asked for, completed: workers default to the cores; a level other than 6 without libdeflate needs a worker. */
export function compressionSettings(workers: number | undefined, level: number | undefined): CompressionSettings {
  const chosenLevel = level ?? DEFAULT_LEVEL;
  const chosenWorkers = workers ?? defaultWorkers();
  const needsWorker = chosenWorkers === 0 && chosenLevel !== DEFAULT_LEVEL && !IN_THREAD_BLOCKS;
  return { workers: needsWorker ? 1 : chosenWorkers, level: chosenLevel };
}

/**
 * The stage, how to stop it when the pipeline is abandoned midway (it may run worker threads), and where the
 * buffers of its output go once read for good (parallel-gzip.ts: ParallelGzip.giveBack).
 */
export function gzipStream(
  settings: CompressionSettings = { workers: 0, level: DEFAULT_LEVEL },
  ownedChunks = false,
  buffers?: BufferPool,
): ReadableWritablePair<Uint8Array, Uint8Array> & { terminate(): void; giveBack(buffer: ArrayBuffer): void } {
  if (compressesInBlocks(settings)) return parallelGzipStream({ ...settings, ownedChunks, ...(buffers ? { buffers } : {}) });
  // The DOM typings say BufferSource in and Uint8Array<ArrayBuffer> out; Uint8Array chunks are what flows here.
  const stream = new CompressionStream("gzip") as unknown as ReadableWritablePair<Uint8Array, Uint8Array>;
  return Object.assign(stream, { terminate: () => {}, giveBack: () => {} });
}
