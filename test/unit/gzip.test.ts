import { expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { gunzipSync } from "node:zlib";
import { deflateBlock } from "../../src/pipeline/deflate/block-deflate.ts";
import { compressionSettings, defaultWorkers, gzipStream } from "../../src/pipeline/deflate/gzip.ts";
import { GZIP_BLOCK_SIZE } from "../../src/pipeline/deflate/parallel-gzip.ts";
import { collect, pseudoRandomBytes, streamOf } from "../support/streams.ts";

test("gzipStream emits one gzip member that node:zlib reads back", async () => {
  const data = pseudoRandomBytes(200_000, 2);
  const out = await collect(streamOf([data.subarray(0, 5), data.subarray(5)]).pipeThrough(gzipStream()));
  expect([out[0], out[1]]).toEqual([0x1f, 0x8b]);
  expect(Buffer.from(gunzipSync(out)).equals(Buffer.from(data))).toBe(true);
  // One member: a decoder that stops after the first member (Python's zlib, as loaders do) gets everything.
  const firstMember = spawnSync(
    "python3",
    ["-c", "import sys,zlib; d=zlib.decompressobj(31); o=d.decompress(sys.stdin.buffer.read()); print(len(o), len(d.unused_data))"],
    { input: out },
  );
  expect(firstMember.stdout.toString().trim()).toBe(`${data.byteLength} 0`);
});

test("gzipStream of nothing is a valid empty gzip", async () => {
  const out = await collect(streamOf([]).pipeThrough(gzipStream()));
  expect(gunzipSync(out).byteLength).toBe(0);
});

test("default workers: none on one core, one per core beyond, at most 16", () => {
  expect([1, 2, 3, 8, 16, 17, 64].map((cores) => defaultWorkers(cores))).toEqual([0, 2, 3, 8, 16, 16, 16]);
});

test("with no workers under Bun, this thread deflates 2 MiB blocks with libdeflate: faster than CompressionStream, one member", async () => {
  const data = new Uint8Array(2 * GZIP_BLOCK_SIZE + 1000);
  data.set(pseudoRandomBytes(GZIP_BLOCK_SIZE, 3));
  data.set(new TextEncoder().encode("tensor layer 0644 root\n".repeat(Math.ceil((GZIP_BLOCK_SIZE + 1000) / 23))).subarray(0, GZIP_BLOCK_SIZE + 1000), GZIP_BLOCK_SIZE);
  const out = await collect(streamOf([data.slice(0, 12345), data.slice(12345)]).pipeThrough(gzipStream({ workers: 0, level: 6 })));
  expect(Buffer.from(gunzipSync(out)).equals(Buffer.from(data))).toBe(true);
  // Exactly the blocks libdeflate makes, between the gzip header and trailer: no CompressionStream involved.
  const blocks = [0, 1, 2].map((i) => data.subarray(i * GZIP_BLOCK_SIZE, (i + 1) * GZIP_BLOCK_SIZE));
  const deflated = blocks.flatMap((block, i) => deflateBlock(block, new Uint8Array(0), i === 2, 6, "libdeflate").chunks);
  expect(Buffer.from(out.subarray(10, -8)).equals(Buffer.concat(deflated))).toBe(true);
});

test("a level other than 6 runs on this thread under Bun, and takes no worker", () => {
  expect(compressionSettings(0, 2)).toEqual({ workers: 0, level: 2 });
  expect(compressionSettings(3, undefined)).toEqual({ workers: 3, level: 6 });
});
