// Entropy coding alone, written here: bytes as DEFLATE blocks of literals only (RFC 1951, 3.2.7: dynamic
// Huffman codes), a code of its own for each SUB_BLOCK of input, so a block follows the bytes' distribution where
// it drifts. No matches are searched for: on model weights they would not pay (block-coding.ts).
//
// Why not zlib's Huffman-only strategy, which makes the same kind of blocks: it walks each byte through its
// match-finder's bookkeeping and writes bits one symbol at a time: 78 MB/s a core on 2 MiB blocks of float16
// weights with Bun, 92.08% of their size; this is one histogram pass and one table-lookup pass, 176 MB/s, 91.84%
// (docs/benchmarks.md, "Data that does not compress"). Pure JavaScript: the same bytes under Bun and Deno,
// where zlib is the only deflate.
import { canonicalCodes, codeLengths } from "./huffman-code.ts";
import { byteHistograms } from "./byte-histogram.ts";
import { MAX_STORED, storedSize } from "./stored-blocks.ts";

/**
 * Input bytes per Huffman block. A block's code costs about 60-90 bytes; 128 KiB keeps that under 0.07% and
 * still follows a distribution that changes along a file (a tarball's members, an engine's layers).
 */
export const SUB_BLOCK = 128 * 1024;

const END_OF_BLOCK = 256;
const LITERAL_CODES = 257;
/** No distance is ever coded, but zlib's deflate always sends two distance codes of one bit; so do we. */
const DISTANCE_LENGTHS = [1, 1];
const MAX_CODE_BITS = 15;
const MAX_LENGTH_CODE_BITS = 7;
/** The order in which the code-length code's lengths are sent (RFC 1951, 3.2.7). */
const LENGTH_CODE_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/**
 * `data` entropy-coded, ending on a byte boundary: after a final block when `last`, else after an empty stored
 * block (a sync flush), so that any block may follow. `histograms` are those of each SUB_BLOCK of `data`
 * (byte-histogram.ts). A piece that would not shrink is stored instead. Written at the start of `into` when it
 * has room (every byte up to the end is written before it is read), else into a new buffer of the exact size.
 */
export function huffmanBlocks(data: Uint8Array, last: boolean, histograms = byteHistograms(data, SUB_BLOCK), into?: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  // Neighbouring pieces that are stored are stored as one run: 5 bytes per 65,535, not per piece.
  const runs: (BlockPlan | Uint8Array)[] = [];
  for (let i = 0; i < histograms.length; i++) {
    const plan = planBlock(data.subarray(i * SUB_BLOCK, (i + 1) * SUB_BLOCK), histograms[i] as Uint32Array);
    const previous = runs[runs.length - 1];
    if (plan.bits !== undefined) runs.push(plan);
    else if (previous instanceof Uint8Array) runs[runs.length - 1] = data.subarray(previous.byteOffset - data.byteOffset, (i + 1) * SUB_BLOCK);
    else runs.push(plan.piece);
  }
  // The exact size, so that the output is written in place, never copied: stored blocks start on a byte boundary.
  let bits = 0;
  const stored = (length: number) => {
    for (let piece = 0; piece < Math.max(1, Math.ceil(length / MAX_STORED)); piece++) bits = 8 * Math.ceil((bits + 3) / 8) + 32;
    bits += 8 * length;
  };
  for (let i = 0; i < runs.length; i++) {
    const run = runs[i] as BlockPlan | Uint8Array;
    if (run instanceof Uint8Array) stored(run.byteLength);
    else bits += run.bits as number;
  }
  if (!last) stored(0);
  const writer = new BitWriter(Math.ceil(bits / 8), into);
  for (let i = 0; i < runs.length; i++) {
    const run = runs[i] as BlockPlan | Uint8Array;
    const final = last && i === runs.length - 1;
    if (run instanceof Uint8Array) writer.stored(run, final);
    else writeBlock(writer, run, final);
  }
  if (!last) writer.stored(new Uint8Array(0), false);
  return writer.finish();
}

interface BlockPlan {
  piece: Uint8Array;
  /** Bits the block takes coded (header included); undefined: stored is smaller. */
  bits: number | undefined;
  lengths: Uint8Array;
  codes: Uint16Array;
  header: LengthCode;
}

interface LengthCode {
  /** The run-length coded code lengths: symbol (0-18) and, for 16-18, its extra bits' value. */
  symbols: number[];
  extras: number[];
  lengths: Uint8Array;
  codes: Uint16Array;
  /** How many code-length lengths are sent (HCLEN + 4). */
  sent: number;
}

function planBlock(piece: Uint8Array, counts: Uint32Array): BlockPlan {
  const freqs = new Uint32Array(LITERAL_CODES);
  freqs.set(counts);
  freqs[END_OF_BLOCK] = 1;
  const lengths = codeLengths(freqs, MAX_CODE_BITS);
  const codes = canonicalCodes(lengths);
  const all = new Uint8Array(LITERAL_CODES + DISTANCE_LENGTHS.length);
  all.set(lengths);
  all.set(DISTANCE_LENGTHS, LITERAL_CODES);
  const header = lengthCode(all);
  let bits = 3 + 5 + 5 + 4 + 3 * header.sent;
  for (let i = 0; i < header.symbols.length; i++) {
    const s = header.symbols[i] as number;
    bits += (header.lengths[s] as number) + extraBits(s);
  }
  for (let s = 0; s < LITERAL_CODES; s++) bits += (freqs[s] as number) * (lengths[s] as number);
  // Stored costs its bytes, 5 per 65,535 of them, and up to 7 bits of padding.
  const stored = 8 * storedSize(piece.byteLength) + 7;
  return { piece, bits: bits < stored ? bits : undefined, lengths, codes, header };
}

/** Extra bits after code-length symbols 16 (repeat 3-6), 17 (3-10 zeros) and 18 (11-138 zeros). */
function extraBits(symbol: number): number {
  return symbol === 16 ? 2 : symbol === 17 ? 3 : symbol === 18 ? 7 : 0;
}

/** The code lengths run-length coded with symbols 16-18, and the Huffman code of those symbols. */
function lengthCode(all: Uint8Array): LengthCode {
  const symbols: number[] = [];
  const extras: number[] = [];
  for (let i = 0; i < all.length; ) {
    const len = all[i] as number;
    let run = 1;
    while (i + run < all.length && all[i + run] === len) run++;
    i += run;
    if (len === 0) {
      while (run >= 11) {
        const n = Math.min(run, 138);
        symbols.push(18);
        extras.push(n - 11);
        run -= n;
      }
      if (run >= 3) {
        symbols.push(17);
        extras.push(run - 3);
        run = 0;
      }
    } else {
      symbols.push(len);
      extras.push(0);
      run--;
      while (run >= 3) {
        const n = Math.min(run, 6);
        symbols.push(16);
        extras.push(n - 3);
        run -= n;
      }
    }
    for (; run > 0; run--) {
      symbols.push(len);
      extras.push(0);
    }
  }
  const freqs = new Uint32Array(19);
  for (let i = 0; i < symbols.length; i++) freqs[symbols[i] as number]! += 1;
  const lengths = codeLengths(freqs, MAX_LENGTH_CODE_BITS);
  let sent = 19;
  while (sent > 4 && lengths[LENGTH_CODE_ORDER[sent - 1] as number] === 0) sent--;
  return { symbols, extras, lengths, codes: canonicalCodes(lengths), sent };
}

function writeBlock(writer: BitWriter, plan: BlockPlan, final: boolean): void {
  const { header } = plan;
  writer.bits((final ? 1 : 0) | (2 << 1), 3);
  writer.bits(LITERAL_CODES - 257, 5);
  writer.bits(DISTANCE_LENGTHS.length - 1, 5);
  writer.bits(header.sent - 4, 4);
  for (let i = 0; i < header.sent; i++) writer.bits(header.lengths[LENGTH_CODE_ORDER[i] as number] as number, 3);
  for (let i = 0; i < header.symbols.length; i++) {
    const s = header.symbols[i] as number;
    writer.bits(header.codes[s] as number, header.lengths[s] as number);
    if (s >= 16) writer.bits(header.extras[i] as number, extraBits(s));
  }
  writer.literals(plan.piece, plan.codes, plan.lengths);
  writer.bits(plan.codes[END_OF_BLOCK] as number, plan.lengths[END_OF_BLOCK] as number);
}

/**
 * DEFLATE's bit packing: least significant bit first, into a buffer of the exact size. Writes of 16-bit words
 * little-endian, as every target is (x64, arm64); a word written past the end of the buffer is dropped by the
 * typed array, and its bits, still pending, are written again as bytes.
 */
class BitWriter {
  readonly #out: Uint8Array<ArrayBuffer>;
  readonly #words: Uint16Array<ArrayBuffer>;
  #at = 0;
  /** Pending bits: fewer than 8 between calls of bits() and stored(), fewer than 16 after literals(). */
  #buffer = 0;
  #count = 0;

  constructor(size: number, into?: Uint8Array<ArrayBuffer>) {
    this.#out = into && into.byteLength >= size ? into.subarray(0, size) : new Uint8Array(size);
    this.#words = new Uint16Array(this.#out.buffer, 0, size >>> 1);
  }

  bits(value: number, count: number): void {
    this.#buffer |= value << this.#count;
    this.#count += count;
    while (this.#count >= 8) {
      this.#out[this.#at++] = this.#buffer & 0xff;
      this.#buffer >>>= 8;
      this.#count -= 8;
    }
  }

  /**
   * The hot loop, without a branch on whether a word is full (it is, one time in two or so, at random: a
   * mispredicted branch cost more than the loop): each byte's code and length from one table entry, the pending
   * word written every time, and the position moved on by whether it filled. Measured with Bun on float16
   * weights, into a buffer already written once: 740 MB/s, against 320 for a loop that tests. Into fresh memory
   * both are slower (its page faults).
   */
  literals(data: Uint8Array, codes: Uint16Array, lengths: Uint8Array): void {
    const table = new Uint32Array(256);
    for (let s = 0; s < 256; s++) table[s] = (codes[s] as number) | ((lengths[s] as number) << 16);
    const words = this.#words;
    let buffer = this.#buffer;
    let count = this.#count;
    let at = this.#at;
    if (at & 1) {
      // Words are written at even offsets: take the last byte back into the pending bits (8 + fewer than 8).
      at -= 1;
      buffer = (buffer << 8) | (this.#out[at] as number);
      count += 8;
    }
    let word = at >>> 1;
    for (let i = 0; i < data.byteLength; i++) {
      const entry = table[data[i] as number] as number;
      buffer |= (entry & 0xffff) << count;
      count += entry >>> 16;
      words[word] = buffer;
      const full = count >>> 4;
      word += full;
      buffer >>>= full << 4;
      count &= 15;
    }
    this.#at = word << 1;
    this.#buffer = buffer;
    this.#count = count;
  }

  /** A stored block of `data` (at most 65,535 bytes each), on a byte boundary. */
  stored(data: Uint8Array, final: boolean): void {
    const pieces = Math.max(1, Math.ceil(data.byteLength / MAX_STORED));
    for (let i = 0; i < pieces; i++) {
      const piece = data.subarray(i * MAX_STORED, (i + 1) * MAX_STORED);
      this.bits(final && i === pieces - 1 ? 1 : 0, 3);
      this.#align();
      this.bits(piece.byteLength, 16);
      this.bits(~piece.byteLength & 0xffff, 16);
      this.#out.set(piece, this.#at);
      this.#at += piece.byteLength;
    }
  }

  #align(): void {
    if (this.#count > 0) this.bits(0, 8 - this.#count);
  }

  finish(): Uint8Array<ArrayBuffer> {
    this.#align();
    if (this.#at !== this.#out.byteLength) throw new Error(`huffman blocks: wrote ${this.#at} bytes of ${this.#out.byteLength}`);
    return this.#out;
  }
}
