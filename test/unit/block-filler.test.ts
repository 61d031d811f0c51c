import { expect, test } from "bun:test";
import { BlockFiller } from "../../src/bytes/block-filler.ts";
import { cut, pseudoRandomBytes } from "../support/streams.ts";

test("push: blocks of exactly the size, in order, whatever the chunks; the rest at the end", async () => {
  const data = pseudoRandomBytes(1003, 4);
  const filler = new BlockFiller(100, () => new Uint8Array(100));
  const blocks: Uint8Array[] = [];
  for (const chunk of cut(data, [1, 250, 7, 99])) await filler.push(chunk, (block) => void blocks.push(block.slice()));
  expect(blocks.map((b) => b.byteLength)).toEqual(Array(10).fill(100));
  expect(Buffer.concat([...blocks, filler.rest]).equals(Buffer.from(data))).toBe(true);
});

test("fill and takeFull: a full block takes nothing more until it is taken out; the next buffer is asked for only then", () => {
  let buffers = 0;
  const filler = new BlockFiller(4, () => (buffers++, new Uint8Array(4)));
  const chunk = new Uint8Array([1, 2, 3, 4, 5, 6]);
  expect(filler.fill(chunk, 0)).toBe(4);
  expect(filler.fill(chunk, 4)).toBe(0);
  expect(buffers).toBe(1);
  expect([...(filler.takeFull() ?? [])]).toEqual([1, 2, 3, 4]);
  expect(filler.takeFull()).toBeUndefined();
  expect(filler.fill(chunk, 4)).toBe(2);
  expect(buffers).toBe(2);
  expect([...filler.rest]).toEqual([5, 6]);
  expect(filler.fill(chunk, 6)).toBe(0);
});

test("adopt: a whole block alone in its buffer, at a boundary, is handed on without a copy", async () => {
  const filler = new BlockFiller(8, () => new Uint8Array(8), true);
  const whole = new Uint8Array(8).fill(7);
  const seen: Uint8Array[] = [];
  await filler.push(whole, (block) => void seen.push(block));
  expect(seen[0]).toBe(whole);
  await filler.push(new Uint8Array(16).subarray(0, 8), (block) => void seen.push(block));
  expect(seen[1]?.buffer.byteLength).toBe(8);
});
