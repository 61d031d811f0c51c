// Each block is coded the cheapest way that does not cost size (block-coding.ts): stored when it would not shrink,
// entropy coding alone when matches would not pay, a full deflate otherwise. Every kind joins into one DEFLATE
// stream that zlib, gunzip and Python read back exactly; the choice is a function of the bytes alone.
import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { gzipSync, inflateRawSync } from "node:zlib";
import { chooseCoding } from "../../src/pipeline/deflate/block-coding.ts";
import { byteHistograms, entropyBytes } from "../../src/pipeline/deflate/byte-histogram.ts";
import { deflateBlock } from "../../src/pipeline/deflate/block-deflate.ts";
import { MAX_STORED, storedBlocks, storedSize } from "../../src/pipeline/deflate/stored-blocks.ts";
import { gzipStream } from "../../src/pipeline/deflate/gzip.ts";
import { collect, pseudoRandomBytes, streamOf, joinBytes } from "../support/streams.ts";
import { float16Weights, int8Weights } from "../support/weights.ts";

function text(size: number): Uint8Array<ArrayBuffer> {
  const lines: string[] = [];
  for (let i = 0; lines.length * 60 < size; i++) lines.push(`{"id":${i},"path":"usr/lib/lib${i % 977}.so","size":${(i * 7919) % 1000003}}\n`);
  return new TextEncoder().encode(lines.join("")).slice(0, size);
}


const MiB = 1024 * 1024;

describe("storedBlocks", () => {
  test("any length, final or followed by more, inflates to the bytes themselves, 5 bytes per 65,535", () => {
    for (const n of [0, 1, MAX_STORED - 1, MAX_STORED, MAX_STORED + 1, 300_000]) {
      const data = pseudoRandomBytes(n, n + 1);
      const final = storedBlocks(data, true);
      expect(final.byteLength).toBe(storedSize(n));
      expect(Buffer.from(inflateRawSync(final)).equals(Buffer.from(data))).toBe(true);
      // Not final: another block may follow on the byte boundary it ends at.
      const more = joinBytes([storedBlocks(data, false), storedBlocks(new Uint8Array([1, 2, 3]), true)]);
      expect(Buffer.from(inflateRawSync(more)).equals(Buffer.from(joinBytes([data, new Uint8Array([1, 2, 3])])))).toBe(true);
    }
    expect(storedSize(2 * MiB) / (2 * MiB)).toBeLessThan(1.0001);
  });
});

describe("chooseCoding", () => {
  const sample = (level: number) => (s: Uint8Array) => Bun.deflateSync(s as Uint8Array<ArrayBuffer>, { level, library: "libdeflate" } as never).byteLength;
  test("random and already-compressed bytes are stored, weights entropy-coded, text deflated, small blocks deflated", () => {
    expect(chooseCoding(pseudoRandomBytes(2 * MiB, 1), sample(6))).toBe("stored");
    expect(chooseCoding(gzipSync(float16Weights(3 * MiB, 12)).subarray(0, 2 * MiB), sample(6))).toBe("stored");
    expect(chooseCoding(float16Weights(2 * MiB, 2), sample(6))).toBe("huffman");
    expect(chooseCoding(int8Weights(2 * MiB, 3), sample(6))).toBe("huffman");
    expect(chooseCoding(text(2 * MiB), sample(6))).toBe("deflate");
    expect(chooseCoding(pseudoRandomBytes(8000, 4), sample(6))).toBe("deflate");
  });

  test("a block the sample says to deflate is not counted: its histograms are never asked for", () => {
    const never = () => {
      throw new Error("histograms asked for");
    };
    expect(chooseCoding(text(2 * MiB), sample(6), never)).toBe("deflate");
    expect(() => chooseCoding(float16Weights(2 * MiB, 2), sample(6), never)).toThrow("histograms asked for");
  });

  test("the entropy bound: 8 bits a byte for random bytes, 0 for one value repeated, 1 bit for two values", () => {
    expect(entropyBytes(...byteHistograms(pseudoRandomBytes(MiB, 5), 128 * 1024)) / MiB).toBeGreaterThan(0.999);
    expect(entropyBytes(...byteHistograms(new Uint8Array(MiB), 100_000))).toBe(0);
    const halves = new Uint8Array(MiB + 3).fill(1, 0, (MiB + 3) / 2 + 1).fill(2, (MiB + 3) / 2 + 1);
    expect(entropyBytes(...byteHistograms(halves, 4097))).toBe(Math.ceil((MiB + 3) / 8));
  });
});

describe("deflateBlock codes each kind so that the blocks join into one stream", () => {
  const kinds = [text(2 * MiB), pseudoRandomBytes(2 * MiB, 6), float16Weights(2 * MiB, 7), int8Weights(2 * MiB, 8), text(MiB + 7)];
  for (const library of ["libdeflate", "zlib"] as const) {
    test(`${library}: each kind in the middle and at the end of a stream; random within 0.01% of its size, weights no larger than a full deflate's + 0.5%`, () => {
      const parts = kinds.map((data, i) => {
        const previous = i > 0 ? (kinds[i - 1] as Uint8Array).subarray(-32768) : new Uint8Array(0);
        return joinBytes(deflateBlock(data, previous, i === kinds.length - 1, 6, library).chunks);
      });
      expect(Buffer.from(inflateRawSync(joinBytes(parts))).equals(Buffer.from(joinBytes(kinds)))).toBe(true);
      expect((parts[1] as Uint8Array).byteLength / (2 * MiB)).toBeLessThan(1.0001);
      for (const i of [2, 3]) {
        const full = Bun.deflateSync(kinds[i] as Uint8Array<ArrayBuffer>, { level: 6, library: "libdeflate" } as never).byteLength;
        expect((parts[i] as Uint8Array).byteLength).toBeLessThan(full * 1.005);
      }
    });
  }
});

test("the gzip of all kinds is the same with 0, 1, 2 and 4 workers, and gunzip, Python's gzip and DecompressionStream read it", async () => {
  const input = joinBytes([text(3 * MiB), pseudoRandomBytes(3 * MiB, 9), float16Weights(3 * MiB, 10), int8Weights(MiB + 3, 11)]);
  const outputs: Uint8Array[] = [];
  for (const workers of [0, 1, 2, 4]) {
    const stage = gzipStream({ workers, level: 6 });
    outputs.push(await collect(streamOf([input]).pipeThrough(stage)));
    stage.terminate();
  }
  for (const output of outputs.slice(1)) expect(Buffer.from(output).equals(Buffer.from(outputs[0] as Uint8Array))).toBe(true);
  const gz = outputs[0] as Uint8Array;
  const gunzip = spawnSync("gunzip", ["-c"], { input: gz, maxBuffer: 64 * MiB });
  expect(gunzip.status).toBe(0);
  expect(Buffer.from(gunzip.stdout).equals(Buffer.from(input))).toBe(true);
  const python = spawnSync("python3", ["-c", "import gzip,sys,hashlib; print(hashlib.sha256(gzip.decompress(sys.stdin.buffer.read())).hexdigest())"], { input: gz, maxBuffer: 64 * MiB });
  expect(python.stdout.toString().trim()).toBe(new Bun.CryptoHasher("sha256").update(input).digest("hex"));
  const web = await new Response(new Blob([gz as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream("gzip"))).bytes();
  expect(Buffer.from(web).equals(Buffer.from(input))).toBe(true);
});
