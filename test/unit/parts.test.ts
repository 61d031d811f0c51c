import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BufferPool } from "../../src/bytes/buffer-pool.ts";
import { sha256Hex } from "../../src/hex.ts";
import { PartSpool, SpooledBytes, probeSpool, spoolsParts } from "../../src/s3/part-spool.ts";
import { memoryParts, spooledParts, type Part } from "../../src/s3/parts.ts";
import { cut, joinBytes, pseudoRandomBytes, streamOf } from "../support/streams.ts";

let temp: string;
beforeEach(() => {
  temp = mkdtempSync(join(tmpdir(), "parts-test-"));
});
afterEach(() => {
  rmSync(temp, { recursive: true, force: true });
});

async function bytesOf(part: Part): Promise<Uint8Array> {
  return part.body instanceof SpooledBytes ? await part.body.read(0, part.byteLength) : part.body.slice();
}

type Consumed = (chunk: Uint8Array) => void;
const kinds = {
  memory: (stream: ReadableStream<Uint8Array>, partSize: number, consumed?: Consumed) => memoryParts(stream, new BufferPool(partSize), consumed),
  spooled: async function* (stream: ReadableStream<Uint8Array>, partSize: number, consumed?: Consumed) {
    const spool = await PartSpool.open(4 * partSize, temp);
    try {
      yield* spooledParts(stream, spool, partSize, consumed);
    } finally {
      await spool.close();
    }
  },
};

for (const [kind, partsOf] of Object.entries(kinds)) {
  describe(`${kind} parts`, () => {
    async function cutParts(data: Uint8Array, chunkSizes: number[], partSize: number): Promise<Uint8Array[]> {
      const parts: Uint8Array[] = [];
      for await (const part of partsOf(streamOf(cut(data, chunkSizes)), partSize)) {
        const bytes = await bytesOf(part);
        // Each part's hash is its own bytes'.
        expect(part.sha256).toBe(sha256Hex(bytes));
        expect(part.byteLength).toBe(bytes.byteLength);
        parts.push(bytes);
        part.release();
      }
      return parts;
    }

    test("every part but the last has exactly partSize bytes, and together they are the input", async () => {
      const data = pseudoRandomBytes(10_007, 1);
      const parts = await cutParts(data, [1, 999, 4096, 3], 1000);
      expect(parts.map((p) => p.byteLength)).toEqual([...Array(10).fill(1000), 7]);
      expect(Buffer.from(Buffer.concat(parts)).equals(Buffer.from(data))).toBe(true);
    });

    test("an input of whole parts ends without an empty part", async () => {
      expect((await cutParts(pseudoRandomBytes(3000), [700], 1000)).map((p) => p.byteLength)).toEqual([1000, 1000, 1000]);
      expect(await cutParts(new Uint8Array(0), [1], 1000)).toEqual([]);
    });

    test("each chunk is told consumed once its bytes are in a part: writing over it then changes no part", async () => {
      const data = pseudoRandomBytes(20_000, 31);
      const chunks = cut(data.slice(), [3000, 1, 4999, 8192]);
      const told: number[] = [];
      const parts: Uint8Array[] = [];
      // What a giver-back does with a chunk once told (the parallel gzip writes a later block into its buffer).
      const consumed = (chunk: Uint8Array) => {
        told.push(chunk.byteLength);
        chunk.fill(0xee);
      };
      for await (const part of partsOf(streamOf(chunks), 4096, consumed)) {
        parts.push(await bytesOf(part));
        part.release();
      }
      expect(Buffer.from(joinBytes(parts)).equals(Buffer.from(data))).toBe(true);
      expect(told).toEqual(chunks.map((chunk) => chunk.byteLength));
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
      for await (const _part of partsOf(source, 250)) break;
      expect(cancelled).toBe(true);
    });
  });
}

test("a part given back before the next is asked for is reused for it", async () => {
  const pool = new BufferPool(100);
  const buffers = new Set<ArrayBuffer>();
  for await (const part of memoryParts(streamOf(cut(pseudoRandomBytes(1000), [30])), pool)) {
    buffers.add((part.body as Uint8Array<ArrayBuffer>).buffer);
    part.release();
  }
  expect(buffers.size).toBe(1);
});

describe("the spool", () => {
  test("holds parts in 0600 files of a 0700 folder of its own, used again once given back, and leaves nothing when closed", async () => {
    const spool = await PartSpool.open(300, temp);
    expect(statSync(spool.dir).mode & 0o777).toBe(0o700);
    const held: Part[] = [];
    const data = pseudoRandomBytes(1000, 3);
    for await (const part of spooledParts(streamOf(cut(data, [70])), spool, 100)) {
      held.push(part);
      // Two parts in flight while the next is filled, as an upload of concurrency 2 keeps them.
      if (held.length === 3) (held.shift() as Part).release();
    }
    const files = readdirSync(spool.dir);
    // Two held, one being filled: three files for ten parts.
    expect(files).toHaveLength(3);
    for (const name of files) expect(statSync(join(spool.dir, name)).mode & 0o777).toBe(0o600);
    // The last part's bytes are still there to be sent again.
    expect(Buffer.from(await bytesOf(held.at(-1) as Part)).equals(Buffer.from(data.subarray(900)))).toBe(true);
    await spool.close();
    expect(existsSync(spool.dir)).toBe(false);
    expect(readdirSync(temp)).toEqual([]);
  });

  test("a folder it cannot make its own in: one line naming it, the room needed, and what to do", async () => {
    const missing = join(temp, "missing");
    const failure = await PartSpool.open(320 * 1024 * 1024, missing).catch((error: Error) => error);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toBe(
      `cannot spool the upload's parts in ${missing} (no such file): set TMPDIR to a folder with 320.0 MiB free, or give a smaller --part-size`,
    );
  });

  test("the dry run's probe: a folder with the room passes and is left as it was; one without names what it has", async () => {
    expect(await probeSpool(1024 * 1024, temp)).toBe(temp);
    expect(readdirSync(temp)).toEqual([]);
    // 1,000 TiB: more than this machine's temporary folder has.
    const failure = await probeSpool(1000 * 1024 ** 4, temp).catch((error: Error) => error);
    expect((failure as Error).message).toMatch(
      new RegExp(`^cannot spool the upload's parts in ${temp} \\([\\d.]+ [KMGT]iB free\\): set TMPDIR to a folder with 1000\\.0 TiB free, or give a smaller --part-size$`),
    );
    expect(readdirSync(temp)).toEqual([]);
  });

  test("parts are spooled when those held at once would pass 64 MiB (stdin's 64 MiB parts, not a file's 8 MiB), under Bun", () => {
    const MiB = 1024 * 1024;
    expect(spoolsParts(64 * MiB, 4)).toBe(true);
    expect(spoolsParts(8 * MiB, 4)).toBe(false);
    expect(spoolsParts(8 * MiB, 8)).toBe(true);
    // Deno sends a part whole: the spool would spare it nothing but the part being filled.
    expect(spoolsParts(64 * MiB, 4, false)).toBe(false);
  });
});
