// The artifact as a stream of what gets published: file (or stdin) → gzip → AES-256-CBC (IV first) → counted
// and hashed. Shared by the upload and by --output.
import { abortable } from "./abortable-stream.ts";
import { aesCbcEncryptStream, randomBytes } from "./cipher/aes-cbc.ts";
import { aesCbcWorkerStream } from "./cipher/aes-cbc-worker-stream.ts";
import { byteCounter } from "./byte-counter.ts";
import { DigestStream } from "./digest.ts";
import { openArtifact, type ArtifactSource } from "./file-source.ts";
import { gzipStream, readOptionsFor, type CompressionSettings } from "./deflate/gzip.ts";
import { openStdin } from "./stdin-source.ts";
import { startsItsBuffer } from "../bytes/whole-buffer.ts";

/** Who hears how far the work is: bytes read from the artifact, produced as ciphertext, and taken by the sink. */
export interface ProgressSink {
  read(bytes: number): void;
  produced(bytes: number): void;
  uploaded(bytes: number): void;
  /** Bytes of a resumed upload that S3 already held: regenerated, but not sent again. */
  resumed?(bytes: number): void;
  /** Bytes the connections have taken of requests not yet answered (replaces the last count). */
  sending?(bytes: number): void;
  /** The step the run is at once the bytes are up ("completing the upload", "registering"). */
  step?(text: string): void;
}

export interface EncryptedArtifact {
  source: ArtifactSource;
  /** IV followed by the ciphertext. */
  ciphertext: ReadableStream<Uint8Array>;
  /** The fresh random AES-256 key. */
  key: Uint8Array<ArrayBuffer>;
  /** Size and SHA-256 of the ciphertext, once it has been read to the end. */
  digest: DigestStream;
  /** Plaintext bytes read so far (the size of a piped artifact is only known at its end). */
  inputBytes(): number;
  /** Stop what may still run (compression workers) once the ciphertext is no longer wanted. */
  close(): void;
  /**
   * A chunk of the ciphertext that its sink is done with for good (written, or copied into a part): its buffer
   * may be written into again. Optional: a chunk not given back is left to the garbage collector.
   */
  giveBack(chunk: Uint8Array): void;
}

export async function openEncryptedArtifact(
  path: string,
  compression: CompressionSettings,
  progress?: ProgressSink,
  options: { allowEmpty?: boolean; signal?: AbortSignal } = {},
): Promise<EncryptedArtifact> {
  return encryptSource(await openSource(path, compression, options), compression, progress);
}

/**
 * The file (checked: it exists and is a regular file) or stdin, not yet read: reading starts when piped. A read
 * still waiting when `signal` aborts fails at once (see abortable-stream.ts).
 */
export async function openSource(
  path: string,
  compression: CompressionSettings,
  options: { allowEmpty?: boolean; signal?: AbortSignal } = {},
): Promise<ArtifactSource> {
  const reads = readOptionsFor(compression);
  // Standard input is read into blocks of the same pool as a file's reads, so that they are not fresh memory
  // each time (buffer-pool.ts says why; stdin-source.ts how a pipe fills them).
  const buffers = "buffers" in reads ? { buffers: reads.buffers } : {};
  const source = path === "-" ? openStdin({ ...options, ...buffers }) : await openArtifact(path, reads);
  return { ...source, stream: abortable(source.stream, options.signal) };
}

/** The key and IV a ciphertext is made under: fresh for every publish. */
export interface Sealing {
  key: Uint8Array<ArrayBuffer>;
  iv: Uint8Array<ArrayBuffer>;
}

/**
 * The source piped through gzip and AES-256-CBC under a fresh key (or the given `sealing`); reading starts here.
 * The ciphertext is a function of the input, the key, the IV, the level and the block size alone, never of the
 * number of workers or of how the input was read (test/unit/deterministic.test.ts): a kept key and IV make the
 * same bytes again, which resuming an upload needs.
 */
export function encryptSource(
  source: ArtifactSource,
  compression: CompressionSettings,
  progress?: ProgressSink,
  sealing: Sealing = { key: randomBytes(32), iv: randomBytes(16) },
): EncryptedArtifact {
  const { key, iv } = sealing;
  const digest = new DigestStream((bytes) => progress?.produced(bytes));
  let read = 0;
  // The sources enqueue fresh buffers and keep none, and so does the parallel gzip: chunks may be handed over.
  const gzip = gzipStream(compression, true, source.buffers);
  // With compression workers, the main thread is the pipeline's ceiling: the cipher gets a thread of its own.
  // On one core (no workers), WebCrypto's, which needs no extra thread to start.
  const cipherInWorker = compression.workers > 0;
  const cipher: TransformStream<Uint8Array, Uint8Array> & { terminate?: () => void } = cipherInWorker
    ? aesCbcWorkerStream(key, iv, true)
    : aesCbcEncryptStream(key, iv);
  const ciphertext = source.stream
    .pipeThrough(
      byteCounter((bytes) => {
        read += bytes;
        progress?.read(bytes);
      }),
    )
    .pipeThrough(gzip)
    .pipeThrough(cipher)
    .pipeThrough(digest);
  const close = () => {
    gzip.terminate();
    cipher.terminate?.();
  };
  // The ciphertext is in the compressor's own buffers only from the cipher's worker, which writes it over them
  // (WebCrypto's is in buffers of its own): those are given back, and the compressor takes those of its size.
  const giveBack = (chunk: Uint8Array) => {
    if (cipherInWorker && startsItsBuffer(chunk)) gzip.giveBack(chunk.buffer);
  };
  return { source, ciphertext, key, digest, inputBytes: () => read, close, giveBack };
}
