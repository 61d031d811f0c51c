// One block of the parallel gzip (parallel-gzip.ts) deflated so that the next block's output may follow it in the
// same DEFLATE stream: ended by a sync flush, or, for the last block, by the final block.
//
// Under Bun, libdeflate (Bun.deflateSync's `library: "libdeflate"`): at level 6 on the benchmark's 256 MiB mixed
// file, 2 MiB blocks, it deflated in 2.68 s to 154,330,612 B where zlib took 4.66 s to 157,096,253 B (with the
// 32 KiB dictionary) or 4.17 s without. It only makes whole streams, with no preset dictionary, so each block
// starts with an empty window (costs nothing measurable at 2 MiB: it is still smaller than zlib's) and its final
// block is reopened (reopen-final-block.ts). Elsewhere (Deno), node:zlib with the previous block's last 32 KiB as
// the dictionary and Z_SYNC_FLUSH; CompressionStream has no level, dictionary or flush.
//
// Each block is first given its coding (block-coding.ts): stored, entropy coding alone, or a full deflate; and
// whatever the coding, a block whose output would be larger than its bytes stored is stored.
//
// node:zlib's crc32, which Bun and Deno both implement; the web platform has no CRC-32.
import { constants, crc32, deflateRawSync } from "node:zlib";
import { chooseCoding } from "./block-coding.ts";
import { byteHistograms } from "./byte-histogram.ts";
import { huffmanBlocks, SUB_BLOCK } from "./huffman-blocks.ts";
import { reopenFinalBlock } from "./reopen-final-block.ts";
import { storedBlocks, storedSize } from "./stored-blocks.ts";
import { isWholeBuffer } from "../../bytes/whole-buffer.ts";

export type DeflateLibrary = "libdeflate" | "zlib";

export interface DeflatedBlock {
  /**
   * The block's DEFLATE output, in order; each alone in its buffer, from its start, so that the buffer can be
   * transferred: a full deflate's fill theirs, a stored or entropy-coded block starts one of outputCapacity bytes.
   */
  chunks: Uint8Array<ArrayBuffer>[];
  /**
   * The library asked for; zlib when libdeflate's block could not be reopened and zlib deflated it instead.
   * Stored and entropy-coded blocks keep the library asked for: they join its stream as any block does.
   */
  library: DeflateLibrary;
}

/** One block to compress, as the parallel gzip hands it to a worker (or, with none, compresses it itself). */
export interface BlockJob {
  id: number;
  data: Uint8Array;
  /** The previous block's last 32 KiB, for a compressor that takes a preset dictionary (USES_DICTIONARY); else empty. */
  dictionary: Uint8Array;
  last: boolean;
  level: number;
  /** A buffer of outputCapacity(data) bytes, given back downstream, for a stored or entropy-coded block to be written into. */
  output?: ArrayBuffer;
}

/**
 * The block compressed: its DEFLATE output, the CRC-32 and length of its input, and its input's buffer back;
 * and the job's output buffer if the block was not written into it (a full deflate makes its own).
 */
export interface BlockDone extends DeflatedBlock {
  id: number;
  crc: number;
  length: number;
  input: Uint8Array;
  spare?: ArrayBuffer;
}

/**
 * The buffers stored and entropy-coded blocks of `length` input bytes are written into: room for the bytes
 * stored, the empty stored block of a sync flush, and the 16 bytes by which AES-CBC's output of a chunk may
 * exceed it (its worker writes the ciphertext over the chunk: cipher/aes-cbc-worker.ts). Every full block's is the
 * same, so that one block's buffer, given back, takes the next.
 */
export function outputCapacity(length: number): number {
  return storedSize(length) + storedSize(0) + 16;
}

export function compressBlock(job: BlockJob): BlockDone {
  const { chunks, library } = deflateBlock(job.data, job.dictionary, job.last, job.level, DEFLATE_LIBRARY, job.output);
  const done: BlockDone = { id: job.id, chunks, library, crc: crc32(job.data) >>> 0, length: job.data.byteLength, input: job.data };
  if (job.output && !chunks.some((chunk) => chunk.buffer === job.output)) done.spare = job.output;
  return done;
}

type BunDeflate = (data: Uint8Array, options: { level: number; library: "libdeflate" }) => Uint8Array;
const libdeflate = (globalThis as { Bun?: { deflateSync?: BunDeflate } }).Bun?.deflateSync;

/** The library deflateBlock uses in this runtime. */
export const DEFLATE_LIBRARY: DeflateLibrary = libdeflate ? "libdeflate" : "zlib";

/** Whether deflateBlock uses the previous block's tail: zlib does; libdeflate takes none (nor needs it to be valid). */
export const USES_DICTIONARY = DEFLATE_LIBRARY === "zlib";

/**
 * `library` is the runtime's; tests ask for zlib under Bun too. A stored or entropy-coded block is written into
 * `output` (outputCapacity bytes), else into a new buffer of that capacity: one chunk at the start of it.
 */
export function deflateBlock(data: Uint8Array, dictionary: Uint8Array, last: boolean, level: number, library = DEFLATE_LIBRARY, output?: ArrayBuffer): DeflatedBlock {
  // Made only for a block that is written here: a full deflate allocates its own.
  const into = () => new Uint8Array(output ?? new ArrayBuffer(outputCapacity(data.byteLength)));
  // Counted once, for the choice and the entropy coding alike; not at all for a block the sample says to deflate.
  let histograms: Uint32Array[] | undefined;
  const histogramsOf = () => (histograms ??= byteHistograms(data, SUB_BLOCK));
  const deflatedSize = (sample: Uint8Array) => fullDeflate(sample, new Uint8Array(0), true, level, library).chunks.reduce((n, c) => n + c.byteLength, 0);
  const coding = chooseCoding(data, deflatedSize, histogramsOf);
  const block: DeflatedBlock =
    coding === "stored"
      ? { chunks: [storedBlocks(data, last, into())], library }
      : coding === "huffman"
        ? { chunks: [huffmanBlocks(data, last, histogramsOf(), into())], library }
        : fullDeflate(data, dictionary, last, level, library);
  // Never larger than the bytes themselves (plus stored blocks' 5 bytes in 65,535).
  if (coding !== "stored" && block.chunks.reduce((n, c) => n + c.byteLength, 0) > storedSize(data.byteLength)) {
    return { chunks: [storedBlocks(data, last, into())], library };
  }
  return block;
}

/** Deflate at `level`: libdeflate where it runs (its final block reopened unless `last`), else zlib. */
function fullDeflate(data: Uint8Array, dictionary: Uint8Array, last: boolean, level: number, library: DeflateLibrary): DeflatedBlock {
  if (libdeflate && library === "libdeflate") {
    const deflated = owned(libdeflate(data, { level, library: "libdeflate" }));
    if (last) return { chunks: [deflated], library: "libdeflate" };
    const ending = reopenable(deflated);
    if (ending) return { chunks: [deflated, ending], library: "libdeflate" };
  }
  const deflated = deflateRawSync(data, {
    level,
    ...(dictionary.byteLength > 0 ? { dictionary } : {}),
    finishFlush: last ? constants.Z_FINISH : constants.Z_SYNC_FLUSH,
  });
  return { chunks: [owned(deflated)], library: "zlib" };
}

/**
 * The ending reopenFinalBlock gives, or undefined if it refuses the stream (it never has on libdeflate's output;
 * should it, this block is deflated again with zlib rather than the publish failing).
 */
function reopenable(deflated: Uint8Array): Uint8Array<ArrayBuffer> | undefined {
  try {
    return reopenFinalBlock(deflated);
  } catch {
    return undefined;
  }
}

/** A buffer of its own: node:zlib's may be a view into a larger one. */
function owned(chunk: Uint8Array): Uint8Array<ArrayBuffer> {
  return isWholeBuffer(chunk) ? chunk : chunk.slice();
}
