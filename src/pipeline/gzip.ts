// The compression stage: one standard gzip member (Deno's DecompressionStream, and loaders that stop after the
// first member, reject concatenated members). With workers, the parallel compressor of parallel-gzip.ts; with
// none, CompressionStream on one core at zlib's default level 6, the same as Python's gzip module.
import { parallelGzipStream } from "./parallel-gzip.ts";

export interface CompressionSettings {
  /** 0: CompressionStream alone. */
  workers: number;
  /** zlib level, 1 to 9 (CompressionStream is always 6). */
  level: number;
}

export const DEFAULT_LEVEL = 6;

/** Cores minus one for the workers (this thread encrypts, hashes and uploads); one core: CompressionStream. */
export function defaultWorkers(cores = globalThis.navigator?.hardwareConcurrency ?? 1): number {
  return Math.max(0, cores - 1);
}

/** What was asked for, completed: workers default to the cores; a level other than 6 needs a worker. */
export function compressionSettings(workers: number | undefined, level: number | undefined): CompressionSettings {
  const chosenLevel = level ?? DEFAULT_LEVEL;
  const chosenWorkers = workers ?? defaultWorkers();
  return { workers: chosenWorkers === 0 && chosenLevel !== DEFAULT_LEVEL ? 1 : chosenWorkers, level: chosenLevel };
}

/** The stage, and how to stop it when the pipeline is abandoned midway (it may run worker threads). */
export function gzipStream(
  settings: CompressionSettings = { workers: 0, level: DEFAULT_LEVEL },
): ReadableWritablePair<Uint8Array, Uint8Array> & { terminate(): void } {
  if (settings.workers > 0) return parallelGzipStream(settings);
  // The DOM typings say BufferSource in and Uint8Array<ArrayBuffer> out; Uint8Array chunks are what flows here.
  const stream = new CompressionStream("gzip") as unknown as ReadableWritablePair<Uint8Array, Uint8Array>;
  return Object.assign(stream, { terminate: () => {} });
}
