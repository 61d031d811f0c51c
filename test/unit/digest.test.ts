import { expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { DigestStream } from "../../src/pipeline/digest.ts";
import { sha256Hex } from "../../src/hex.ts";
import { collect, cut, pseudoRandomBytes, streamOf } from "../support/streams.ts";

test("DigestStream passes bytes through and hashes exactly them, as sha256sum does", async () => {
  const data = pseudoRandomBytes(100_000, 5);
  const digest = new DigestStream();
  const out = await collect(streamOf(cut(data, [1, 4096, 777])).pipeThrough(digest));
  expect(Buffer.from(out).equals(Buffer.from(data))).toBe(true);
  expect(digest.bytes).toBe(100_000);
  const reference = spawnSync("sha256sum", { input: data }).stdout.toString().split(" ")[0];
  expect(digest.sha256).toBe(reference as string);
  expect(sha256Hex(data)).toBe(reference as string);
});

test("DigestStream refuses to give a hash before the end", () => {
  expect(() => new DigestStream().sha256).toThrow(/before the stream ended/);
});
