// writeStreamToFile tells of each chunk once it is written, so that its buffer can be written into again
// (EncryptedArtifact.giveBack): a chunk overwritten then must not change the file.
import { afterEach, beforeEach, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeStreamToFile } from "../../src/pipeline/write-file.ts";
import { cut, pseudoRandomBytes, streamOf } from "../support/streams.ts";

let temp: string;
beforeEach(() => {
  temp = mkdtempSync(join(tmpdir(), "write-file-test-"));
});
afterEach(() => {
  rmSync(temp, { recursive: true, force: true });
});

test("each chunk is told written once it is in the file: overwriting it then changes nothing written", async () => {
  const data = pseudoRandomBytes(5 * 1024 * 1024 + 7, 41);
  const chunks = cut(data.slice(), [1024 * 1024, 3, 2 * 1024 * 1024]);
  const told: number[] = [];
  const path = join(temp, "out.bin");
  await writeStreamToFile(streamOf(chunks), path, "--output", {
    written: (chunk) => {
      told.push(chunk.byteLength);
      chunk.fill(0x77);
    },
  });
  expect(Buffer.from(readFileSync(path)).equals(Buffer.from(data))).toBe(true);
  expect(told).toEqual(chunks.map((chunk) => chunk.byteLength));
});
