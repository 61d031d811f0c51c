// Where the workers' code is, for `new Worker`. This module sits at the top of src/ on purpose: in a compiled
// binary every bundled module (and every split chunk) lives at the root of Bun's embedded file system, and each
// worker, an entry point of its own (scripts/build.ts), at its path below src/. A URL relative to a module at
// the top of src/ therefore names a worker from source (Bun, Deno) and in the binary alike; the same URL made in
// src/pipeline/ would miss it in the binary (measured: ModuleNotFound).
//
// The paths are also the entry points scripts/build.ts gives the bundler, from this list: one list, so a worker
// moved or added cannot be missing from the binary.
export const WORKER_FILES = {
  gzip: "pipeline/deflate/gzip-worker.ts",
  aesCbc: "pipeline/cipher/aes-cbc-worker.ts",
} as const;

export const GZIP_WORKER_URL = new URL(`./${WORKER_FILES.gzip}`, import.meta.url).href;
export const AES_CBC_WORKER_URL = new URL(`./${WORKER_FILES.aesCbc}`, import.meta.url).href;
