// The streamed AES-CBC must equal one-shot AES-256-CBC with PKCS7 as node:crypto and the openssl CLI do it.
import { describe, expect, test } from "bun:test";
import { createCipheriv } from "node:crypto";
import { spawnSync } from "node:child_process";
import { aesCbcEncryptStream, randomBytes } from "../../src/pipeline/cipher/aes-cbc.ts";
import { aesCbcWorkerStream } from "../../src/pipeline/cipher/aes-cbc-worker-stream.ts";
import { collect, cut, joinBytes, pseudoRandomBytes, streamOf } from "../support/streams.ts";

function reference(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  const cipher = createCipheriv("aes-256-cbc", key, iv);
  return new Uint8Array(Buffer.concat([Buffer.from(iv), cipher.update(data), cipher.final()]));
}

describe("aesCbcEncryptStream", () => {
  const key = pseudoRandomBytes(32, 7);
  const iv = pseudoRandomBytes(16, 9);

  // Sizes around the block and the chunk boundary (chunk 64 bytes here), fed in awkward pieces.
  for (const size of [0, 1, 15, 16, 17, 63, 64, 65, 127, 128, 129, 1000]) {
    test(`${size} bytes equal node:crypto`, async () => {
      const data = pseudoRandomBytes(size, size + 1);
      const out = await collect(streamOf(cut(data, [1, 7, 64, 3])).pipeThrough(aesCbcEncryptStream(key, iv, 64)));
      expect(Buffer.from(out).equals(Buffer.from(reference(key, iv, data)))).toBe(true);
    });
  }

  test("the default 1 MiB chunks across several chunks equal node:crypto", async () => {
    const data = pseudoRandomBytes(3 * 1024 * 1024 + 5, 3);
    const out = await collect(streamOf(cut(data, [65536, 100_000])).pipeThrough(aesCbcEncryptStream(key, iv)));
    expect(Buffer.from(out).equals(Buffer.from(reference(key, iv, data)))).toBe(true);
  });

  test("the openssl CLI decrypts it", async () => {
    const data = pseudoRandomBytes(5000, 11);
    const out = await collect(streamOf(cut(data, [333])).pipeThrough(aesCbcEncryptStream(key, iv, 1024)));
    const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
    const result = spawnSync("openssl", ["enc", "-d", "-aes-256-cbc", "-K", hex(key), "-iv", hex(out.subarray(0, 16))], {
      input: out.subarray(16),
    });
    expect(result.status).toBe(0);
    expect(Buffer.from(result.stdout).equals(Buffer.from(data))).toBe(true);
  });

  test("rejects bad key, IV and chunk sizes", () => {
    expect(() => aesCbcEncryptStream(randomBytes(16), iv)).toThrow(RangeError);
    expect(() => aesCbcEncryptStream(key, randomBytes(8))).toThrow(RangeError);
    expect(() => aesCbcEncryptStream(key, iv, 100)).toThrow(RangeError);
  });

  test("randomBytes gives fresh bytes each time", () => {
    expect(Buffer.from(randomBytes(32)).equals(Buffer.from(randomBytes(32)))).toBe(false);
  });
});

describe("aesCbcWorkerStream: the same bytes, with the cipher in a worker", () => {
  const key = pseudoRandomBytes(32, 17);
  const iv = pseudoRandomBytes(16, 19);

  for (const size of [0, 1, 15, 16, 17, 1000, 3 * 1024 * 1024 + 5]) {
    test(`${size} bytes, in awkward pieces and views of larger buffers, equal node:crypto`, async () => {
      const data = pseudoRandomBytes(size, size + 3);
      // cut() gives views into one buffer: those are copied, never transferred away from their owner.
      const out = await collect(streamOf(cut(data, [1, 7, 65536, 3])).pipeThrough(aesCbcWorkerStream(key, iv)));
      expect(Buffer.from(out).equals(Buffer.from(reference(key, iv, data)))).toBe(true);
      expect(data.byteLength).toBe(size);
    });
  }

  test("owned chunks at the start of larger buffers get their ciphertext back in those buffers, where it fits", async () => {
    // As the parallel gzip hands its blocks over: each alone in a buffer with room after it (old bytes there).
    const sizes = [1000, 3, 65_541, 2 * 1024 * 1024, 15, 1];
    const data = pseudoRandomBytes(sizes.reduce((n, s) => n + s, 0), 29);
    const chunks: Uint8Array[] = [];
    for (let at = 0, i = 0; i < sizes.length; at += sizes[i] as number, i++) {
      const size = sizes[i] as number;
      // The last byte fills its buffer: with the 15 held back before it, 16 bytes of ciphertext cannot go back in it.
      const buffer = new Uint8Array(size === 1 ? 1 : size + 64).fill(0xee);
      buffer.set(data.subarray(at, at + size));
      chunks.push(buffer.subarray(0, size));
    }
    const capacities = chunks.map((chunk) => chunk.buffer.byteLength);
    const reader = streamOf(chunks).pipeThrough(aesCbcWorkerStream(key, iv, true)).getReader();
    const out: Uint8Array[] = [];
    for (let next = await reader.read(); !next.done; next = await reader.read()) out.push(next.value);
    expect(Buffer.from(joinBytes(out)).equals(Buffer.from(reference(key, iv, data)))).toBe(true);
    // The IV, then one answer per chunk (whole cipher blocks: the 3 and the 15 bytes give none yet), then the last block.
    const answers = out.slice(1, 1 + chunks.length);
    expect(answers.map((chunk) => chunk.byteLength)).toEqual([992, 0, 65_552, 2 * 1024 * 1024, 0, 16]);
    expect(out.length).toBe(chunks.length + 2);
    // Written over its chunk: the buffer that came back (transferred to the worker and back) is the chunk's, by
    // its capacity; the last byte's 16 bytes of ciphertext came in another.
    expect(answers.slice(0, 5).map((chunk) => chunk.buffer.byteLength)).toEqual(capacities.slice(0, 5));
    expect(answers[5]?.buffer.byteLength).not.toBe(1);
  });

  test("the openssl CLI decrypts it", async () => {
    const data = pseudoRandomBytes(70_000, 23);
    const out = await collect(streamOf([data.slice(0, 40_000), data.slice(40_000)]).pipeThrough(aesCbcWorkerStream(key, iv)));
    const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
    const result = spawnSync("openssl", ["enc", "-d", "-aes-256-cbc", "-K", hex(key), "-iv", hex(out.subarray(0, 16))], { input: out.subarray(16) });
    expect(result.status).toBe(0);
    expect(Buffer.from(result.stdout).equals(Buffer.from(data))).toBe(true);
  });

  test("a stopped worker fails the stream instead of hanging it", async () => {
    const stage = aesCbcWorkerStream(key, iv);
    stage.terminate();
    const error = await collect(streamOf([pseudoRandomBytes(10, 1)]).pipeThrough(stage)).catch((e: unknown) => e);
    expect(String(error)).toContain("the encryption worker was stopped");
  });
});
