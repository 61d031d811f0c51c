// How each block of the parallel gzip is coded, chosen from its own bytes alone (never from timing, so that the
// stream stays a function of the input, the level and the block size: resuming an upload regenerates it):
//
//   stored   bytes that would not shrink (random, encrypted, already compressed: tarballs of gzipped layers):
//            copied behind 5-byte headers, at memory speed, 0.008% larger than the input;
//   huffman  bytes whose matches would not pay (model weights: float16 and int8 tensors): entropy coding alone
//            (zlib's Huffman-only strategy), as small as a full deflate there at 2-4× its speed;
//   deflate  everything else, at the level asked for.
//
// The byte histogram of the whole block gives its order-0 entropy, the size entropy coding alone would reach; a
// 64 KiB sample from the block's middle, deflated at the level, tells whether matches pay. Measured on 2 MiB
// blocks with Bun (docs/benchmarks.md, "Data that does not compress"): float16 weights (σ 0.02) 7.32 bits/byte,
// libdeflate 6 keeps 91.95% at 48 MB/s, Huffman-only 92.09% at 107 MB/s; int8 weights 87.61% at 61 MB/s against
// 87.72% at 185 MB/s; random bytes 100.01% at 85 MB/s against stored at memory speed; structured text 14.8%
// deflated against 59.5% Huffman-only (deflated, as today).

export type BlockCoding = "stored" | "huffman" | "deflate";

/** The sample deflated to see whether matches pay: a sliver of the block's cost (3% of 2 MiB). */
export const SAMPLE_BYTES = 64 * 1024;

/** Matches pay when they save at least this much over entropy coding alone on the sample. */
const MATCHES_PAY = 0.97;

/** Entropy coding alone is worth it when it saves at least this much over storing (else: stored). */
const HUFFMAN_PAYS = 0.995;

/** Below this, a block is deflated as it is: the choice would cost more than it saves. */
const SMALLEST_CHOICE = 16 * 1024;

/** The coding for `data`; `deflatedSize` deflates a sample at the level in use and gives its size. */
export function chooseCoding(data: Uint8Array, deflatedSize: (sample: Uint8Array) => number): BlockCoding {
  if (data.byteLength < SMALLEST_CHOICE) return "deflate";
  const start = Math.max(0, Math.floor((data.byteLength - SAMPLE_BYTES) / 2));
  const sample = data.subarray(start, start + SAMPLE_BYTES);
  if (deflatedSize(sample) < MATCHES_PAY * entropyBytes(sample)) return "deflate";
  return entropyBytes(data) < HUFFMAN_PAYS * data.byteLength ? "huffman" : "stored";
}

/** The size order-0 entropy coding would give `data` (the Shannon bound of its byte histogram), in bytes. */
export function entropyBytes(data: Uint8Array): number {
  const counts = new Uint32Array(256);
  for (let i = 0; i < data.byteLength; i++) counts[data[i] as number]! += 1;
  let bits = 0;
  const n = data.byteLength;
  for (let b = 0; b < 256; b++) {
    const c = counts[b] as number;
    if (c > 0) bits -= c * Math.log2(c / n);
  }
  return Math.ceil(bits / 8);
}
