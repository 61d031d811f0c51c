// Entropy coding written here (huffman-blocks.ts, huffman-code.ts): blocks of literals with a Huffman code of
// their own, which zlib, gunzip and Python must read back exactly, whatever the bytes: one value repeated, two,
// skewed counts that would give codes longer than DEFLATE's 15 bits, bytes that would not shrink.
import { describe, expect, test } from "bun:test";
import { constants, deflateRawSync, inflateRawSync } from "node:zlib";
import { byteHistograms, entropyBytes } from "../../src/pipeline/deflate/byte-histogram.ts";
import { canonicalCodes, codeLengths } from "../../src/pipeline/deflate/huffman-code.ts";
import { huffmanBlocks, SUB_BLOCK } from "../../src/pipeline/deflate/huffman-blocks.ts";
import { storedSize } from "../../src/pipeline/deflate/stored-blocks.ts";
import { joinBytes, pseudoRandomBytes } from "../support/streams.ts";
import { sha256Hex } from "../../src/hex.ts";
import { float16Weights, int8Weights } from "../support/weights.ts";

const MiB = 1024 * 1024;

/** The Kraft sum of `lengths` times 2^15: exactly 2^15 for a complete code. */
function kraft(lengths: Uint8Array): number {
  let sum = 0;
  for (const l of lengths) if (l > 0) sum += 2 ** (15 - l);
  return sum;
}

describe("codeLengths", () => {
  test("counts that would give a 40-bit code (Fibonacci) are cut to 15 bits, still a complete code, rarer never shorter", () => {
    const freqs = new Array<number>(40).fill(0);
    let [a, b] = [1, 1];
    for (let i = 0; i < 40; i++) {
      freqs[i] = a;
      [a, b] = [b, a + b];
    }
    const lengths = codeLengths(freqs, 15);
    expect(Math.max(...lengths)).toBe(15);
    expect(kraft(lengths)).toBe(2 ** 15);
    for (let i = 1; i < 40; i++) expect(lengths[i] as number).toBeLessThanOrEqual(lengths[i - 1] as number);
    // Without the limit, the same counts give a code 39 bits deep: the limit did run.
    expect(Math.max(...codeLengths(freqs, 64))).toBe(39);
  });

  test("one symbol used, or none, still gives two codes of one bit: zlib refuses a code of one", () => {
    const one = new Uint32Array(257);
    one[65] = 1000;
    const lengths = codeLengths(one, 15);
    expect(lengths[65]).toBe(1);
    expect([...lengths].filter((l) => l > 0)).toEqual([1, 1]);
    expect([...codeLengths(new Uint32Array(19), 7)].filter((l) => l > 0)).toEqual([1, 1]);
  });

  test("canonical codes are prefix-free: no code is the start of another", () => {
    const lengths = codeLengths(byteHistograms(float16Weights(MiB, 3), MiB)[0] as Uint32Array, 15);
    const codes = canonicalCodes(lengths);
    const words: string[] = [];
    lengths.forEach((l, s) => {
      // Reversed back to most-significant-bit first.
      if (l > 0) words.push([...Array(l)].map((_, i) => ((codes[s] as number) >> i) & 1).join(""));
    });
    for (const w of words) for (const v of words) if (w !== v) expect(v.startsWith(w)).toBe(false);
    expect(kraft(lengths)).toBe(2 ** 15);
  });
});

describe("huffmanBlocks", () => {
  const skewed = new Uint8Array(SUB_BLOCK + 999).map((_, i) => 31 - Math.min(31, Math.floor(Math.log2((i % 4_000_000) + 1) * 1.6)));
  const kinds: [string, Uint8Array][] = [
    ["float16 weights over several Huffman blocks", float16Weights(2 * MiB, 4)],
    ["int8 weights", int8Weights(MiB + 5, 5)],
    ["one value repeated", new Uint8Array(SUB_BLOCK * 2 + 1).fill(7)],
    ["two values", new Uint8Array(300_000).map((_, i) => (i % 3 === 0 ? 1 : 200))],
    ["skewed counts", skewed],
    ["random bytes (stored: they would not shrink)", pseudoRandomBytes(SUB_BLOCK + 70_000, 6)],
    ["one byte", new Uint8Array([42])],
    ["nothing", new Uint8Array(0)],
  ];
  for (const [name, data] of kinds) {
    test(`${name}: inflates back, alone (final) and followed by another block, and is never larger than stored`, () => {
      const final = huffmanBlocks(data, true);
      expect(Buffer.from(inflateRawSync(final)).equals(Buffer.from(data))).toBe(true);
      const more = joinBytes([huffmanBlocks(data, false), huffmanBlocks(new Uint8Array([1, 2, 3]), true)]);
      expect(Buffer.from(inflateRawSync(more)).equals(Buffer.from(joinBytes([data, new Uint8Array([1, 2, 3])])))).toBe(true);
      expect(final.byteLength).toBeLessThanOrEqual(storedSize(data.byteLength) + 2);
    });
  }

  test("within 1% of the entropy bound on weights (whole-bit code lengths cost 0.35% on float16, 0.6% on int8), and no larger than zlib's Huffman-only strategy", () => {
    for (const data of [float16Weights(4 * MiB, 8), int8Weights(4 * MiB, 9)]) {
      const ours = huffmanBlocks(data, true).byteLength;
      expect(ours / entropyBytes(...byteHistograms(data, SUB_BLOCK))).toBeLessThan(1.01);
      const zlib = deflateRawSync(data, { strategy: constants.Z_HUFFMAN_ONLY }).byteLength;
      expect(ours).toBeLessThan(zlib);
    }
  });

  test("random bytes are stored: 5 bytes in 65,535, a 5-byte sync flush, no code", () => {
    const data = pseudoRandomBytes(2 * MiB, 10);
    expect(huffmanBlocks(data, false).byteLength).toBe(storedSize(data.byteLength) + 5);
  });
});

test("the coding of given bytes never changes: the same bytes as when the coder was written (a resume regenerates them)", () => {
  // Pinned from the coder as it was before its loops were rewritten for the JIT (same bytes on 64 MiB of each
  // of the bench's kinds); a change to the code lengths, their ties or the bit packing shows here first.
  expect(sha256Hex(huffmanBlocks(float16Weights(2 * MiB, 7), false))).toBe("3dfb0e769559f177f0b711e86898f9932f16ec54249b102d614c0bc546ceb29a");
  expect(sha256Hex(huffmanBlocks(int8Weights(2 * MiB, 7), true))).toBe("9d04e16964df91710b00cc6273b28de20b5301556aaac7d6424a358b8b81a52e");
  const fibonacci = new Uint32Array(257);
  for (let i = 0, a = 1, b = 1; i < 40; i++, [a, b] = [b, a + b]) fibonacci[i] = a;
  expect([...codeLengths(fibonacci, 15)].slice(0, 41).join(",")).toBe(
    "15,15,15,15,15,15,15,15,15,15,15,15,15,15,15,15,15,15,15,15,15,15,15,15,15,15,15,15,14,14,10,9,8,7,6,5,4,3,2,1,0",
  );
});
