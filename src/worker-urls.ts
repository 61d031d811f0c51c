// Where the workers' code is, for `new Worker`. This module sits at the top of src/ on purpose: in a compiled
// binary every bundled module (and every split chunk) lives at the root of Bun's embedded file system, and each
// worker, an entry point of its own (scripts/build.ts), at its path below src/. A URL relative to a module at
// the top of src/ therefore names a worker from source (Bun, Deno) and in the binary alike; the same URL made in
// src/pipeline/ would miss it in the binary (measured: ModuleNotFound).
export const GZIP_WORKER_URL = new URL("./pipeline/gzip-worker.ts", import.meta.url).href;
export const AES_CBC_WORKER_URL = new URL("./pipeline/aes-cbc-worker.ts", import.meta.url).href;
