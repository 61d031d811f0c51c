// Length-limited canonical Huffman codes, as DEFLATE writes them (RFC 1951, 3.2.2): code lengths from symbol
// frequencies, at most `maxBits` long, and the codes those lengths make, bit-reversed because DEFLATE packs
// Huffman codes from their most significant bit into a stream read from the least significant bit.
//
// The lengths are a function of the frequencies alone (ties broken by symbol), so the same bytes always give the
// same code: the output must stay a function of the input (resuming an upload regenerates it).

/**
 * Code lengths for `freqs` (one per symbol; 0 = unused), none longer than `maxBits`. At least two symbols get a
 * length, even when fewer are used: zlib's inflate refuses a code of one symbol (an incomplete code), so a
 * second one, never emitted, completes it, as zlib's deflate does.
 */
export function codeLengths(freqs: ArrayLike<number>, maxBits: number): Uint8Array {
  const n = freqs.length;
  const lengths = new Uint8Array(n);
  const used: number[] = [];
  for (let s = 0; s < n; s++) if ((freqs[s] as number) > 0) used.push(s);
  for (let s = 0; used.length < 2 && s < n; s++) if (!used.includes(s)) used.push(s);
  const freq = (s: number) => Math.max(1, freqs[s] as number);
  used.sort((a, b) => freq(a) - freq(b) || a - b);

  const depths = huffmanDepths(used.map(freq));
  let longest = 0;
  for (const d of depths) longest = Math.max(longest, d);
  if (longest > maxBits) limitDepths(depths, maxBits);
  // Longest codes to the rarest symbols: `depths` is in the order of `used` (rarest first) and, once limited, sorted.
  used.forEach((s, i) => (lengths[s] = depths[i] as number));
  return lengths;
}

/**
 * The depth of each leaf of a Huffman tree over `weights` (ascending), in their order: the two-queue
 * construction (leaves and merged nodes are each taken in ascending order), then depths down from the root.
 */
function huffmanDepths(weights: number[]): number[] {
  const leaves = weights.length;
  const nodeWeight: number[] = [];
  const parent: number[] = new Array<number>(2 * leaves - 1).fill(-1);
  let leaf = 0;
  let merged = 0;
  const take = (): number => {
    if (leaf < leaves && (merged >= nodeWeight.length || (weights[leaf] as number) <= (nodeWeight[merged] as number))) {
      return leaf++;
    }
    return leaves + merged++;
  };
  const weightOf = (node: number) => (node < leaves ? (weights[node] as number) : (nodeWeight[node - leaves] as number));
  for (let i = 0; i < leaves - 1; i++) {
    const a = take();
    const b = take();
    const node = leaves + nodeWeight.length;
    nodeWeight.push(weightOf(a) + weightOf(b));
    parent[a] = node;
    parent[b] = node;
  }
  const depth: number[] = new Array<number>(2 * leaves - 1).fill(0);
  for (let node = 2 * leaves - 3; node >= 0; node--) depth[node] = (depth[parent[node] as number] as number) + 1;
  return depth.slice(0, leaves);
}

/**
 * Caps `depths` (of leaves ordered rarest first) at `maxBits` keeping the code complete (Kraft sum 1), the way
 * miniz and zlib's trees.c do: leaves too deep move up to `maxBits`, then, while the code is over-full, a leaf
 * at `maxBits` goes and a shorter leaf splits into two one level deeper. The new lengths are handed out again,
 * longest to the rarest.
 */
function limitDepths(depths: number[], maxBits: number): void {
  const count = new Array<number>(maxBits + 1).fill(0);
  for (const d of depths) count[Math.min(d, maxBits)]! += 1;
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
  for (const l of lengths) maxBits = Math.max(maxBits, l);
  const count = new Uint16Array(maxBits + 1);
  for (const l of lengths) if (l > 0) count[l]! += 1;
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
