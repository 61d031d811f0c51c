// Blocks deflated by libdeflate, whose final block is reopened by walking the stream, must join into one DEFLATE
// stream that zlib reads back exactly; a stream the walk cannot account for is refused, never altered.
import { describe, expect, test } from "bun:test";
import { constants, deflateRawSync, inflateRawSync } from "node:zlib";
import { compressBlock, DEFLATE_LIBRARY, deflateBlock, outputCapacity } from "../../src/pipeline/deflate/block-deflate.ts";
import { findFinalBlock, reopenFinalBlock } from "../../src/pipeline/deflate/reopen-final-block.ts";
import { pseudoRandomBytes, joinBytes } from "../support/streams.ts";
import { float16Weights } from "../support/weights.ts";

function text(size: number, seed: number): Uint8Array<ArrayBuffer> {
  const words = ["tensor", "layer", "0644", "root", "engine", "/usr/lib/", "cuda", "\n", " ", "fp16", "int8"];
  const out = new Uint8Array(size);
  const encoder = new TextEncoder();
  let state = seed;
  for (let i = 0; i < size; ) {
    state = (state * 1103515245 + 12345) >>> 0;
    const word = encoder.encode(words[state % words.length] as string);
    out.set(word.subarray(0, size - i), i);
    i += word.byteLength;
  }
  return out;
}


const inputs: [string, Uint8Array<ArrayBuffer>][] = [
  ["empty", new Uint8Array(0)],
  ["one byte", new Uint8Array([7])],
  ...[1, 2, 3, 100, 1000, 70_000, 300_000].map((n): [string, Uint8Array<ArrayBuffer>] => [`${n} random bytes`, pseudoRandomBytes(n, n)]),
  ...[1, 5, 77, 4096, 65_536, 300_000, 1_000_003].map((n): [string, Uint8Array<ArrayBuffer>] => [`${n} bytes of text`, text(n, n)]),
  ["text then random", joinBytes([text(200_000, 3), pseudoRandomBytes(200_000, 4)])],
  ["zeros", new Uint8Array(500_000)],
];

describe("reopenFinalBlock", () => {
  test("libdeflate's streams at every level, reopened and followed by another, inflate to the joined input", () => {
    const endings = new Set<number>();
    for (const level of [1, 4, 6, 9, 12]) {
      for (const [name, data] of inputs) {
        const first = Bun.deflateSync(data, { level: level as 6, library: "libdeflate" });
        const ending = reopenFinalBlock(first);
        endings.add(ending.byteLength);
        expect(ending.subarray(-4)).toEqual(new Uint8Array([0, 0, 0xff, 0xff]));
        const second = text(1000, level);
        const joined = joinBytes([first, ending, Bun.deflateSync(second, { level: level as 6, library: "libdeflate" })]);
        const back = inflateRawSync(joined);
        if (!Buffer.from(back).equals(Buffer.from(joinBytes([data, second])))) throw new Error(`${name} at level ${level} did not read back`);
      }
    }
    // Both cases of the stored block's header bits: in the last byte's padding, and in a byte of their own.
    expect([...endings].sort()).toEqual([4, 5]);
  });

  test("zlib's stored, fixed-Huffman and dynamic final blocks are found too", () => {
    for (const [, data] of inputs) {
      for (const options of [{ level: 0 }, { level: 6, strategy: constants.Z_FIXED }, { level: 6 }, { level: 1, strategy: constants.Z_HUFFMAN_ONLY }]) {
        const first = deflateRawSync(data, options);
        const joined = joinBytes([first, reopenFinalBlock(first), deflateRawSync(new Uint8Array([1, 2, 3]))]);
        expect(Buffer.from(inflateRawSync(joined)).equals(Buffer.from(joinBytes([data, new Uint8Array([1, 2, 3])])))).toBe(true);
      }
    }
  });

  test("the final block found is zlib's own: after a sync flush, the final block starts at the flush's end", () => {
    const head = text(100_000, 9);
    const flushed = deflateRawSync(head, { finishFlush: constants.Z_SYNC_FLUSH });
    const final = deflateRawSync(new Uint8Array(0), { dictionary: head.subarray(-32768) });
    const { headerBit, endBit } = findFinalBlock(joinBytes([flushed, final]));
    expect(headerBit).toBe(flushed.byteLength * 8);
    expect(Math.ceil(endBit / 8)).toBe(flushed.byteLength + final.byteLength);
  });

  test("a stream that is cut short, has bytes after its end, or has a reserved block type is refused and left as it was", () => {
    const whole = Bun.deflateSync(text(300_000, 1), { level: 6, library: "libdeflate" });
    for (const broken of [whole.slice(0, whole.byteLength - 10), joinBytes([whole, new Uint8Array([0])]), new Uint8Array([0b111, 0, 0])]) {
      const before = broken.slice();
      expect(() => reopenFinalBlock(broken)).toThrow();
      expect(broken).toEqual(before);
    }
  });
});

describe("deflateBlock", () => {
  test("under Bun it is libdeflate's; its blocks and zlib's both join into one stream", () => {
    expect(DEFLATE_LIBRARY).toBe("libdeflate");
    const blocks = [text(300_000, 1), pseudoRandomBytes(200_000, 2), text(100_000, 3)];
    for (const library of ["libdeflate", "zlib"] as const) {
      const parts = blocks.map((data, i) => {
        const block = deflateBlock(data, i > 0 ? (blocks[i - 1] as Uint8Array).subarray(-32768) : new Uint8Array(0), i === blocks.length - 1, 6, library);
        expect(block.library).toBe(library);
        // Each chunk alone in its buffer, from its start, so that it can be transferred.
        for (const chunk of block.chunks) {
          expect(chunk.byteOffset).toBe(0);
          expect([chunk.byteLength, outputCapacity(data.byteLength)]).toContain(chunk.buffer.byteLength);
        }
        return joinBytes(block.chunks);
      });
      expect(Buffer.from(inflateRawSync(joinBytes(parts))).equals(Buffer.from(joinBytes(blocks)))).toBe(true);
    }
  });
});

describe("compressBlock writes over a buffer given back", () => {
  const size = 256 * 1024;
  const kinds = { "entropy-coded (float16 weights)": float16Weights(size, 5), "stored (random bytes)": pseudoRandomBytes(size, 6), "deflated (text)": text(size, 7) };
  for (const [kind, data] of Object.entries(kinds)) {
    test(`${kind}: the same bytes as into a new buffer, whatever the buffer held`, () => {
      for (const last of [false, true]) {
        const job = { id: 1, data, dictionary: new Uint8Array(0), last, level: 6 };
        const fresh = joinBytes(compressBlock(job).chunks);
        const output = new Uint8Array(outputCapacity(size)).fill(0xa5).buffer;
        const done = compressBlock({ ...job, output });
        expect(Buffer.from(joinBytes(done.chunks)).equals(Buffer.from(fresh))).toBe(true);
        if (kind.startsWith("deflated")) {
          // libdeflate makes its own output: the buffer comes back unused, to be offered again.
          expect(done.spare).toBe(output);
          expect(done.chunks.some((chunk) => chunk.buffer === output)).toBe(false);
        } else {
          expect(done.spare).toBeUndefined();
          expect(done.chunks.map((chunk) => chunk.buffer)).toEqual([output]);
        }
      }
    });
  }
});
