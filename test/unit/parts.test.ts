import { expect, test } from "bun:test";
import { BufferPool } from "../../src/bytes/buffer-pool.ts";
import { readParts } from "../../src/s3/parts.ts";
import { cut, pseudoRandomBytes, streamOf } from "../support/streams.ts";

async function partsOf(data: Uint8Array, chunkSizes: number[], partSize: number): Promise<Uint8Array[]> {
  const parts: Uint8Array[] = [];
  for await (const part of readParts(streamOf(cut(data, chunkSizes)), new BufferPool(partSize))) parts.push(part.slice());
  return parts;
}

test("every part but the last has exactly partSize bytes, and together they are the input", async () => {
  const data = pseudoRandomBytes(10_007, 1);
  const parts = await partsOf(data, [1, 999, 4096, 3], 1000);
  expect(parts.map((p) => p.byteLength)).toEqual([...Array(10).fill(1000), 7]);
  expect(Buffer.from(Buffer.concat(parts)).equals(Buffer.from(data))).toBe(true);
});

test("an input of whole parts ends without an empty part", async () => {
  expect((await partsOf(pseudoRandomBytes(3000), [700], 1000)).map((p) => p.byteLength)).toEqual([1000, 1000, 1000]);
  expect(await partsOf(new Uint8Array(0), [1], 1000)).toEqual([]);
});

test("stopping early cancels the source", async () => {
  let cancelled = false;
  const source = new ReadableStream<Uint8Array>({
    pull(controller) {
      controller.enqueue(new Uint8Array(100));
    },
    cancel() {
      cancelled = true;
    },
  });
  for await (const _part of readParts(source, new BufferPool(250))) break;
  expect(cancelled).toBe(true);
});

test("a part given back before the next is asked for is reused for it", async () => {
  const pool = new BufferPool(100);
  const buffers = new Set<ArrayBuffer>();
  for await (const part of readParts(streamOf(cut(pseudoRandomBytes(1000), [30])), pool)) {
    buffers.add(part.buffer);
    pool.give(part.buffer);
  }
  expect(buffers.size).toBe(1);
});
