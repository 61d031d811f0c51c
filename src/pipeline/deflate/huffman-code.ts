// Length-limited canonical Huffman codes, as DEFLATE writes them (RFC 1951, 3.2.2): code lengths from symbol
// frequencies, at most `maxBits` long, and the codes those lengths make, bit-reversed because DEFLATE packs
// Huffman codes from their most significant bit into a stream read from the least significant bit.
//
// The lengths are a function of the frequencies alone (ties broken by symbol), so the same bytes always give the
// same code: the output must stay a function of the input (resuming an upload regenerates it).
//
// Plain indexed loops over typed arrays, no for...of, comparator or closure, here and in huffman-blocks.ts and
// byte-histogram.ts: these run once per 128 KiB piece, yet often enough that JSC's optimizing compiler takes them
// up in every worker, and iterators and a comparator sort inlined made that costly (BUN_JSC_reportFTLCompileTimes:
// 45-85 ms each for codeLengths, canonicalCodes, entropyBytes, lengthCode). Measured on 256 MiB of float16
// weights (`bench-run.ts pipeline FILE 2`, four interleaved pairs): the JIT threads 0.25-0.28 CPU-s before,
// 0.17 after; the compression workers 0.51-0.66 s each before, 0.48-0.52 after; the pipeline 1.19-1.31 s
// before, 1.08-1.15 s after. The bytes are the same (huffman-blocks.test.ts pins them).

/**
 * Code lengths for `freqs` (one per symbol; 0 = unused), none longer than `maxBits`. At least two symbols get a
 * length, even when fewer are used: zlib's inflate refuses a code of one symbol (an incomplete code), so a
 * second one, never emitted, completes it, as zlib's deflate does.
 */
export function codeLengths(freqs: ArrayLike<number>, maxBits: number): Uint8Array {
  const n = freqs.length;
  const lengths = new Uint8Array(n);
  // Each symbol used as one number, frequency × n + symbol, so that a numeric sort orders them by frequency and
  // ties by symbol with no comparator (exact: frequencies are counts below 2^32, n is small).
  const keys = new Float64Array(Math.max(n, 2));
  let used = 0;
  for (let s = 0; s < n; s++) if ((freqs[s] as number) > 0) keys[used++] = (freqs[s] as number) * n + s;
  // Unused symbols, with a frequency of 1, complete a code of fewer than two.
  for (let s = 0; used < 2 && s < n; s++) if (!((freqs[s] as number) > 0)) keys[used++] = n + s;
  const sorted = keys.subarray(0, used).sort();
  const weights = new Float64Array(used);
  for (let i = 0; i < used; i++) weights[i] = Math.floor((sorted[i] as number) / n);

  const depths = huffmanDepths(weights);
  let longest = 0;
  for (let i = 0; i < used; i++) longest = Math.max(longest, depths[i] as number);
  if (longest > maxBits) limitDepths(depths, maxBits);
  // Longest codes to the rarest symbols: `depths` is in the order of `sorted` (rarest first) and, once limited, sorted.
  for (let i = 0; i < used; i++) lengths[(sorted[i] as number) % n] = depths[i] as number;
  return lengths;
}

/**
 * The depth of each leaf of a Huffman tree over `weights` (ascending), in their order: the two-queue
 * construction (leaves and merged nodes are each taken in ascending order), then depths down from the root.
 * Nodes are numbered leaves first, then merged nodes as they are made.
 */
function huffmanDepths(weights: Float64Array): Uint16Array {
  const leaves = weights.length;
  const nodes = 2 * leaves - 1;
  const weight = new Float64Array(nodes);
  weight.set(weights);
  const parent = new Int32Array(nodes);
  let leaf = 0;
  let merged = leaves;
  let made = leaves;
  for (let i = 0; i < leaves - 1; i++) {
    // The lighter of the next leaf and the next merged node, a leaf on a tie; twice.
    const a = leaf < leaves && (merged >= made || (weight[leaf] as number) <= (weight[merged] as number)) ? leaf++ : merged++;
    const b = leaf < leaves && (merged >= made || (weight[leaf] as number) <= (weight[merged] as number)) ? leaf++ : merged++;
    weight[made] = (weight[a] as number) + (weight[b] as number);
    parent[a] = made;
    parent[b] = made;
    made++;
  }
  const depth = new Uint16Array(nodes);
  for (let node = nodes - 2; node >= 0; node--) depth[node] = (depth[parent[node] as number] as number) + 1;
  return depth.subarray(0, leaves);
}

/**
 * Caps `depths` (of leaves ordered rarest first) at `maxBits` keeping the code complete (Kraft sum 1), the way
 * miniz and zlib's trees.c do: leaves too deep move up to `maxBits`, then, while the code is over-full, a leaf
 * at `maxBits` goes and a shorter leaf splits into two one level deeper. The new lengths are handed out again,
 * longest to the rarest.
 */
function limitDepths(depths: Uint16Array, maxBits: number): void {
  const count = new Int32Array(maxBits + 1);
  for (let i = 0; i < depths.length; i++) count[Math.min(depths[i] as number, maxBits)]! += 1;
  let kraft = 0;
  for (let len = maxBits; len > 0; len--) kraft += (count[len] as number) << (maxBits - len);
  while (kraft > 1 << maxBits) {
    count[maxBits]! -= 1;
    for (let len = maxBits - 1; len > 0; len--) {
      if ((count[len] as number) > 0) {
        count[len]! -= 1;
        count[len + 1]! += 2;
        break;
      }
    }
    kraft -= 1;
  }
  let i = 0;
  for (let len = maxBits; len > 0; len--) for (let k = 0; k < (count[len] as number); k++) depths[i++] = len;
}

/** The canonical codes of `lengths` (RFC 1951, 3.2.2), each bit-reversed for DEFLATE's LSB-first packing. */
export function canonicalCodes(lengths: Uint8Array): Uint16Array {
  let maxBits = 0;
  for (let s = 0; s < lengths.length; s++) maxBits = Math.max(maxBits, lengths[s] as number);
  const count = new Uint16Array(maxBits + 1);
  for (let s = 0; s < lengths.length; s++) if ((lengths[s] as number) > 0) count[lengths[s] as number]! += 1;
  const next = new Uint16Array(maxBits + 2);
  let code = 0;
  for (let bits = 1; bits <= maxBits; bits++) {
    code = (code + (count[bits - 1] as number)) << 1;
    next[bits] = code;
  }
  const codes = new Uint16Array(lengths.length);
  for (let s = 0; s < lengths.length; s++) {
    const len = lengths[s] as number;
    if (len > 0) codes[s] = reverseBits(next[len]!++, len);
  }
  return codes;
}

function reverseBits(code: number, length: number): number {
  let reversed = 0;
  for (let i = 0; i < length; i++) {
    reversed = (reversed << 1) | (code & 1);
    code >>>= 1;
  }
  return reversed;
}
