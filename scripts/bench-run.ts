// One measured run for scripts/bench.ts, in a process of its own so that its peak RSS is its own:
//   bun scripts/bench-run.ts gzip FILE        CompressionStream('gzip') alone, to a null sink
//   bun scripts/bench-run.ts pipeline FILE [WORKERS [LEVEL]]
//                                             our whole pipeline (gzip, AES-CBC, SHA-256), to a null sink;
//                                             WORKERS 0 (default) is CompressionStream alone
// Prints one JSON line: { mode, ms, outBytes }.
import { openEncryptedArtifact } from "../src/pipeline/encrypted-artifact.ts";
import { openArtifact } from "../src/pipeline/file-source.ts";
import { DEFAULT_LEVEL, gzipStream } from "../src/pipeline/gzip.ts";

const [mode, file, workersArg, levelArg] = process.argv.slice(2) as [string, string, string?, string?];
const compression = { workers: Number(workersArg ?? 0), level: Number(levelArg ?? DEFAULT_LEVEL) };

async function drain(stream: ReadableStream<Uint8Array>): Promise<number> {
  let bytes = 0;
  for await (const chunk of stream) bytes += chunk.byteLength;
  return bytes;
}

const started = performance.now();
let outBytes: number;
if (mode === "gzip") {
  outBytes = await drain((await openArtifact(file)).stream.pipeThrough(gzipStream()));
} else if (mode === "pipeline") {
  // The publish's own pipeline, without the upload.
  const { ciphertext, digest } = await openEncryptedArtifact(file, compression);
  outBytes = await drain(ciphertext);
  if (digest.sha256.length !== 64) throw new Error("no digest");
} else {
  throw new Error(`unknown mode ${mode}`);
}
console.log(JSON.stringify({ mode, ms: performance.now() - started, outBytes }));
