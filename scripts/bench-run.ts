// One measured run for scripts/bench.ts, in a process of its own so that its peak RSS is its own:
//   bun scripts/bench-run.ts gzip FILE [WORKERS]
//                                             compression alone, to a null sink: CompressionStream('gzip'),
//                                             or the parallel gzip with WORKERS workers
//   bun scripts/bench-run.ts pipeline FILE [WORKERS [LEVEL]]
//                                             our whole pipeline (gzip, AES-CBC, SHA-256), to a null sink;
//                                             WORKERS 0 (default): all on the main thread
// Prints one JSON line: { mode, ms, inBytes, outBytes, cpu }, cpu being the CPU seconds of the main thread, of
// each compression worker and of Bun's other threads (thread-clock.ts).
import { openEncryptedArtifact } from "../src/pipeline/encrypted-artifact.ts";
import { openArtifact } from "../src/pipeline/file-source.ts";
import { DEFAULT_LEVEL, gzipStream, readOptionsFor } from "../src/pipeline/deflate/gzip.ts";
import { ThreadClock } from "./thread-clock.ts";

const [mode, file, workersArg, levelArg] = process.argv.slice(2) as [string, string, string?, string?];
const compression = { workers: Number(workersArg ?? 0), level: Number(levelArg ?? DEFAULT_LEVEL) };

/** Reads `stream` to its end; `giveBack` hears of each chunk once counted, as a sink that is done with it. */
async function drain(stream: ReadableStream<Uint8Array>, giveBack?: (chunk: Uint8Array) => void): Promise<number> {
  let bytes = 0;
  for await (const chunk of stream) {
    bytes += chunk.byteLength;
    giveBack?.(chunk);
  }
  return bytes;
}

const clock = new ThreadClock();
const started = performance.now();
let outBytes: number;
let inBytes = 0;
if (mode === "gzip") {
  const reads = readOptionsFor(compression);
  const source = await openArtifact(file, reads);
  inBytes = source.size;
  // Workers 0 is the baseline: CompressionStream itself, not what the pipeline does on one thread.
  const stage =
    compression.workers > 0
      ? gzipStream(compression, true, "buffers" in reads ? reads.buffers : undefined)
      : (new CompressionStream("gzip") as unknown as ReadableWritablePair<Uint8Array, Uint8Array>);
  outBytes = await drain(source.stream.pipeThrough(stage));
} else if (mode === "pipeline") {
  // The publish's own pipeline, without the upload.
  const { ciphertext, digest, source, giveBack } = await openEncryptedArtifact(file, compression);
  inBytes = source.size ?? 0;
  outBytes = await drain(ciphertext, giveBack);
  if (digest.sha256.length !== 64) throw new Error("no digest");
} else {
  throw new Error(`unknown mode ${mode}`);
}
const ms = performance.now() - started;
console.log(JSON.stringify({ mode, ms, inBytes, outBytes, cpu: clock.stop() }));
