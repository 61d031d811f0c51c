import { afterAll, expect, test } from "bun:test";
import { appendFileSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InputFileError } from "../../src/errors.ts";
import { openArtifact } from "../../src/pipeline/file-source.ts";
import { collect, pseudoRandomBytes } from "../support/streams.ts";

const work = mkdtempSync(join(tmpdir(), "publish-artifact-file-source-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

test("reads the whole file in chunks", async () => {
  const path = join(work, "whole.bin");
  const data = pseudoRandomBytes(100_001);
  writeFileSync(path, data);
  const source = await openArtifact(path, { chunkSize: 4096 });
  expect(source.size).toBe(100_001);
  expect(Buffer.from(await collect(source.stream)).equals(Buffer.from(data))).toBe(true);
});

test("a file that shrinks while it is read is an error", async () => {
  const path = join(work, "shrinks.bin");
  writeFileSync(path, pseudoRandomBytes(10_000));
  const source = await openArtifact(path, { chunkSize: 1000 });
  const reader = source.stream.getReader();
  await reader.read();
  truncateSync(path, 5000);
  const error = await (async () => {
    while (!(await reader.read()).done);
  })().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(InputFileError);
  expect((error as Error).message).toBe(
    `--file ${path} shrank while it was read (was 10000 bytes, ended at 5000): publish it once it is completely written`,
  );
});

test("a file that grows while it is read is an error", async () => {
  const path = join(work, "grows.bin");
  writeFileSync(path, pseudoRandomBytes(10_000));
  const source = await openArtifact(path, { chunkSize: 1000 });
  const reader = source.stream.getReader();
  await reader.read();
  appendFileSync(path, "more");
  const error = await (async () => {
    while (!(await reader.read()).done);
  })().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(InputFileError);
  expect((error as Error).message).toBe(
    `--file ${path} grew while it was read (was 10000 bytes): publish it once it is completely written`,
  );
});
