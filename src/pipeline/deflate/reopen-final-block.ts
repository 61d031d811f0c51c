// A complete raw DEFLATE stream turned into one that more blocks may follow, as zlib's Z_SYNC_FLUSH ends one:
// the final block's BFINAL bit cleared and an empty stored block appended (byte-aligned, 00 00 FF FF). This lets
// the parallel gzip use a compressor that only makes whole streams (libdeflate, block-deflate.ts) and still write
// one gzip member.
//
// DEFLATE blocks are not byte-aligned and carry no length, so the final block is found by walking the stream: each
// block's header is read and its Huffman codes decoded up to end-of-block, without producing the output
// (RFC 1951). A stream that does not parse, or has bytes after its final block, is refused (the caller falls back).

/** The stream's final block: where its 3-bit header starts and where its end-of-block code ends, in bits. */
export interface FinalBlock {
  headerBit: number;
  endBit: number;
}

const LENGTH_EXTRA = new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]);
const DISTANCE_EXTRA = new Uint8Array([0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]);
const CODE_LENGTH_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/**
 * A canonical Huffman code as one lookup table indexed by the next `bits` input bits (LSB first, as DEFLATE packs
 * them): entry = symbol << 4 | code length; 0 where no code matches (an incomplete code).
 */
interface DecodeTable {
  table: Int32Array;
  bits: number;
}

function buildTable(lengths: Uint8Array, count: number): DecodeTable {
  let maxBits = 0;
  const lengthCount = new Uint16Array(16);
  for (let s = 0; s < count; s++) {
    const length = lengths[s] as number;
    lengthCount[length] = (lengthCount[length] as number) + 1;
    if (length > maxBits) maxBits = length;
  }
  lengthCount[0] = 0;
  // Over-subscribed codes are invalid DEFLATE; incomplete ones are allowed (a single distance code, say).
  let left = 1;
  for (let length = 1; length <= 15; length++) {
    left = (left << 1) - (lengthCount[length] as number);
    if (left < 0) throw new Error("over-subscribed Huffman code");
  }
  const bits = Math.max(maxBits, 1);
  const table = new Int32Array(1 << bits);
  const next = new Uint16Array(16);
  let code = 0;
  for (let length = 1; length <= 15; length++) {
    code = (code + (lengthCount[length - 1] as number)) << 1;
    next[length] = code;
  }
  for (let s = 0; s < count; s++) {
    const length = lengths[s] as number;
    if (length === 0) continue;
    const c = next[length] as number;
    next[length] = c + 1;
    let reversed = 0;
    for (let i = 0; i < length; i++) reversed |= ((c >> i) & 1) << (length - 1 - i);
    const entry = (s << 4) | length;
    for (let i = reversed; i < table.length; i += 1 << length) table[i] = entry;
  }
  return { table, bits };
}

const FIXED = (() => {
  const literal = new Uint8Array(288);
  literal.fill(8, 0, 144).fill(9, 144, 256).fill(7, 256, 280).fill(8, 280, 288);
  return { literal: buildTable(literal, 288), distance: buildTable(new Uint8Array(30).fill(5), 30) };
})();

/** Reads bits LSB first, as DEFLATE packs them; beyond the end it reads zeros (each block's end is checked). */
class BitReader {
  /** `count` unread bits; `position`: the next byte to load. */
  buffer = 0;
  count = 0;
  position = 0;
  constructor(readonly raw: Uint8Array) {}

  take(n: number): number {
    while (this.count < n) {
      this.buffer |= (this.position < this.raw.byteLength ? (this.raw[this.position] as number) : 0) << this.count;
      this.position++;
      this.count += 8;
    }
    const value = this.buffer & ((1 << n) - 1);
    this.buffer >>>= n;
    this.count -= n;
    return value;
  }

  decode(code: DecodeTable): number {
    while (this.count < code.bits) {
      this.buffer |= (this.position < this.raw.byteLength ? (this.raw[this.position] as number) : 0) << this.count;
      this.position++;
      this.count += 8;
    }
    const entry = code.table[this.buffer & ((1 << code.bits) - 1)] as number;
    if (entry === 0) throw new Error("invalid Huffman code");
    this.buffer >>>= entry & 15;
    this.count -= entry & 15;
    return entry >> 4;
  }

  bitPosition(): number {
    return this.position * 8 - this.count;
  }
}

/** The dynamic block's two codes, from its header. */
function readDynamicCodes(bits: BitReader): { literal: DecodeTable; distance: DecodeTable } {
  const literals = bits.take(5) + 257;
  const distances = bits.take(5) + 1;
  const codeLengthCodes = bits.take(4) + 4;
  const codeLengthLengths = new Uint8Array(19);
  for (let i = 0; i < codeLengthCodes; i++) codeLengthLengths[CODE_LENGTH_ORDER[i] as number] = bits.take(3);
  const codeLengths = buildTable(codeLengthLengths, 19);
  const lengths = new Uint8Array(literals + distances);
  for (let i = 0; i < lengths.length; ) {
    const symbol = bits.decode(codeLengths);
    if (symbol < 16) lengths[i++] = symbol;
    else {
      if (symbol === 16 && i === 0) throw new Error("repeat with no previous length");
      const repeat = symbol === 16 ? 3 + bits.take(2) : symbol === 17 ? 3 + bits.take(3) : 11 + bits.take(7);
      if (i + repeat > lengths.length) throw new Error("code lengths overrun");
      lengths.fill(symbol === 16 ? (lengths[i - 1] as number) : 0, i, i + repeat);
      i += repeat;
    }
  }
  if (lengths[256] === 0) throw new Error("no end-of-block code");
  return { literal: buildTable(lengths.subarray(0, literals), literals), distance: buildTable(lengths.subarray(literals), distances) };
}

/**
 * Skips a Huffman-coded block's symbols up to end-of-block. The hot loop of the walk: the reader's state is kept
 * in locals here (about 2× faster than through the reader's fields in JavaScriptCore: 465 → 244 ms over 256 MiB at level 6).
 */
function skipSymbols(bits: BitReader, literal: DecodeTable, distance: DecodeTable): void {
  const raw = bits.raw;
  const end = raw.byteLength;
  const literalTable = literal.table;
  const literalBits = literal.bits;
  const literalMask = (1 << literalBits) - 1;
  const distanceTable = distance.table;
  const distanceBits = distance.bits;
  const distanceMask = (1 << distanceBits) - 1;
  let buffer = bits.buffer;
  let count = bits.count;
  let position = bits.position;
  for (;;) {
    // Past the end only zeros are read, which may decode as literals forever: a cut stream stops here.
    if (position > end + 4) throw new Error("stream ends inside a block");
    // 15-bit code plus 5 extra bits at most: one refill to 24 bits covers a literal, or a length and its extra.
    while (count < 24) {
      buffer |= (position < end ? (raw[position] as number) : 0) << count;
      position++;
      count += 8;
    }
    let entry = literalTable[buffer & literalMask] as number;
    if (entry === 0) throw new Error("invalid Huffman code");
    buffer >>>= entry & 15;
    count -= entry & 15;
    const symbol = entry >> 4;
    if (symbol < 256) continue;
    if (symbol === 256) break;
    if (symbol >= 286) throw new Error("invalid length symbol");
    const lengthExtra = LENGTH_EXTRA[symbol - 257] as number;
    buffer >>>= lengthExtra;
    count -= lengthExtra;
    while (count < 24) {
      buffer |= (position < end ? (raw[position] as number) : 0) << count;
      position++;
      count += 8;
    }
    entry = distanceTable[buffer & distanceMask] as number;
    if (entry === 0) throw new Error("invalid Huffman code");
    buffer >>>= entry & 15;
    count -= entry & 15;
    const distanceSymbol = entry >> 4;
    if (distanceSymbol >= 30) throw new Error("invalid distance symbol");
    // Up to 13 extra bits; the refill left at least 9 after a 15-bit code, so top up first.
    while (count < 16) {
      buffer |= (position < end ? (raw[position] as number) : 0) << count;
      position++;
      count += 8;
    }
    const distanceExtra = DISTANCE_EXTRA[distanceSymbol] as number;
    buffer >>>= distanceExtra;
    count -= distanceExtra;
  }
  bits.buffer = buffer;
  bits.count = count;
  bits.position = position;
}

/** Walks `raw` block by block; throws if it is not one complete DEFLATE stream ending at its last byte. */
export function findFinalBlock(raw: Uint8Array): FinalBlock {
  const bits = new BitReader(raw);
  const totalBits = raw.byteLength * 8;
  for (;;) {
    const headerBit = bits.bitPosition();
    const final = bits.take(1) === 1;
    const type = bits.take(2);
    if (type === 0) {
      // Stored: the rest of this byte is skipped; LEN and NLEN, then LEN bytes.
      bits.take(bits.count & 7);
      const length = bits.take(16);
      if ((bits.take(16) ^ 0xffff) !== length) throw new Error("stored block length mismatch");
      bits.position = bits.position - bits.count / 8 + length;
      bits.buffer = 0;
      bits.count = 0;
    } else if (type === 1) {
      skipSymbols(bits, FIXED.literal, FIXED.distance);
    } else if (type === 2) {
      const codes = readDynamicCodes(bits);
      skipSymbols(bits, codes.literal, codes.distance);
    } else {
      throw new Error("reserved block type");
    }
    const endBit = bits.bitPosition();
    if (endBit > totalBits) throw new Error("stream ends inside a block");
    if (final) {
      if (Math.ceil(endBit / 8) !== raw.byteLength) throw new Error("bytes after the final block");
      return { headerBit, endBit };
    }
  }
}

/**
 * Makes `raw`'s final block non-final, in place, and returns what must follow it to end the stream as a sync flush
 * does: the empty stored block's last header bits, if they do not fit in `raw`'s last byte, and 00 00 FF FF.
 */
export function reopenFinalBlock(raw: Uint8Array): Uint8Array<ArrayBuffer> {
  const { headerBit, endBit } = findFinalBlock(raw);
  raw[headerBit >> 3] = (raw[headerBit >> 3] as number) & ~(1 << headerBit % 8);
  // The stored block's 3 header bits (all zero) follow end-of-block, then zero bits to the byte boundary: the
  // padding after end-of-block, zero in a well-formed stream, is cleared anyway.
  if (endBit % 8 !== 0) raw[endBit >> 3] = (raw[endBit >> 3] as number) & ((1 << endBit % 8) - 1);
  const extraByte = Math.ceil((endBit + 3) / 8) > raw.byteLength;
  return new Uint8Array(extraByte ? [0, 0, 0, 0xff, 0xff] : [0, 0, 0xff, 0xff]);
}
