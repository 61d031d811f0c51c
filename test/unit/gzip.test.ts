import { expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { gunzipSync } from "node:zlib";
import { defaultWorkers, gzipStream } from "../../src/pipeline/gzip.ts";
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
