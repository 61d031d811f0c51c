import { expect, test } from "bun:test";
import { compareStreams } from "../../src/pipeline/compare-streams.ts";
import { cut, pseudoRandomBytes, streamOf } from "../support/streams.ts";

const data = pseudoRandomBytes(10_000, 9);

test("identical streams cut differently are equal", async () => {
  expect(await compareStreams(streamOf(cut(data, [7, 1000])), streamOf(cut(data, [333])))).toEqual({
    firstDifference: undefined,
    complete: true,
    leftBytes: 10_000,
    rightBytes: 10_000,
  });
});

test("the first differing byte is found", async () => {
  const other = data.slice();
  other[4321] = (other[4321] as number) ^ 1;
  const result = await compareStreams(streamOf(cut(data, [1000])), streamOf(cut(other, [999])));
  expect(result.firstDifference).toBe(4321);
  expect(result.complete).toBe(false);
});

test("a stream that ends early differs where it ends, and both sizes are known", async () => {
  expect(await compareStreams(streamOf(cut(data.subarray(0, 6000), [500])), streamOf(cut(data, [4096])))).toEqual({
    firstDifference: 6000,
    complete: true,
    leftBytes: 6000,
    rightBytes: 10_000,
  });
});
