// How each block of the parallel gzip is coded, chosen from its own bytes alone (never from timing, so that the
// stream stays a function of the input, the level and the block size: resuming an upload regenerates it):
//
//   stored   bytes that would not shrink (random, encrypted, already compressed: tarballs of gzipped layers):
//            copied behind 5-byte headers, at memory speed, 0.008% larger than the input;
//   huffman  bytes whose matches would not pay (model weights: float16 and int8 tensors): entropy coding alone
//            (huffman-blocks.ts), as small as a full deflate there at 2-3× its speed;
//   deflate  everything else, at the level asked for.
//
// The byte histograms of the whole block (byte-histogram.ts, kept for its entropy coding) give its order-0
// entropy, the size entropy coding alone would reach; a 32 KiB sample from the block's middle, deflated at the
// level, tells whether matches pay. Measured on 2 MiB blocks, one thread, Bun (docs/benchmarks.md, "Data that
// does not compress"): float16 weights (σ 0.02): a full deflate (libdeflate 6) keeps 91.95% at 70 MB/s, zlib's
// Huffman-only strategy 92.08% at 78 MB/s, this choice 91.84% at 187 MB/s; int8 weights 87.63% at 78 MB/s,
// 87.73% at 108, 87.43% at 239; random bytes 100.01% at 81 MB/s against stored at 292 MB/s; structured text
// 14.8% deflated against 59.5% entropy-coded (deflated, as before).
import { byteHistograms, entropyBytes } from "./byte-histogram.ts";
import { SUB_BLOCK } from "./huffman-blocks.ts";

export type BlockCoding = "stored" | "huffman" | "deflate";

/** The sample deflated to see whether matches pay: 1.5% of a 2 MiB block, a sliver of its cost. */
export const SAMPLE_BYTES = 32 * 1024;

/** Matches pay when they save at least this much over entropy coding alone on the sample. */
const MATCHES_PAY = 0.97;

/** Entropy coding alone is worth it when it saves at least this much over storing (else: stored). */
const HUFFMAN_PAYS = 0.995;

/** Below this, a block is deflated as it is: the choice would cost more than it saves. */
const SMALLEST_CHOICE = 16 * 1024;

/**
 * The coding for `data`; `deflatedSize` deflates a sample at the level in use and gives its size; `histograms`
 * gives those of each SUB_BLOCK of `data`, asked for only when the sample did not settle it (a block that is
 * deflated needs none).
 */
export function chooseCoding(
  data: Uint8Array,
  deflatedSize: (sample: Uint8Array) => number,
  histograms = () => byteHistograms(data, SUB_BLOCK),
): BlockCoding {
  if (data.byteLength < SMALLEST_CHOICE) return "deflate";
  const start = Math.max(0, Math.floor((data.byteLength - SAMPLE_BYTES) / 2));
  const sample = data.subarray(start, start + SAMPLE_BYTES);
  if (deflatedSize(sample) < MATCHES_PAY * entropyBytes(...byteHistograms(sample, SAMPLE_BYTES))) return "deflate";
  return entropyBytes(...histograms()) < HUFFMAN_PAYS * data.byteLength ? "huffman" : "stored";
}
