// The parallel compressor must emit one ordinary gzip member: gunzip, node:zlib and Python's zlib (which stops
// after the first member, as some loaders do) all get the original bytes back, whatever the size.
import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { crc32, gunzipSync } from "node:zlib";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BufferPool } from "../../src/bytes/buffer-pool.ts";
import { crc32Combine } from "../../src/pipeline/deflate/crc32-combine.ts";
import { openArtifact } from "../../src/pipeline/file-source.ts";
import { gzipStream } from "../../src/pipeline/deflate/gzip.ts";
import { outputCapacity } from "../../src/pipeline/deflate/block-deflate.ts";
import { parallelGzipStream, type ParallelGzip } from "../../src/pipeline/deflate/parallel-gzip.ts";
import { collect, cut, joinBytes, pseudoRandomBytes, streamOf } from "../support/streams.ts";
import { float16Weights } from "../support/weights.ts";

const BLOCK = 64 * 1024;

function compressible(size: number): Uint8Array {
  const line = new TextEncoder().encode("usr/lib/x86_64-linux-gnu/libcuda.so.535 0644 root:root 2026-04-15\n");
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (line[i % line.length] as number) ^ (i % 4099 === 0 ? 1 : 0);
  return out;
}

function decodersAgree(gz: Uint8Array, original: Uint8Array): void {
  expect(Buffer.from(gunzipSync(gz)).equals(Buffer.from(original))).toBe(true);
  const gunzip = spawnSync("gunzip", ["-c"], { input: gz, maxBuffer: 256 * 1024 * 1024 });
  expect(gunzip.status).toBe(0);
  expect(Buffer.from(gunzip.stdout).equals(Buffer.from(original))).toBe(true);
  const python = spawnSync(
    "python3",
    ["-c", "import sys,zlib; d=zlib.decompressobj(31); o=d.decompress(sys.stdin.buffer.read()); assert d.eof and not d.unused_data; sys.stdout.buffer.write(o)"],
    { input: gz, maxBuffer: 256 * 1024 * 1024 },
  );
  expect(python.stderr.toString()).toBe("");
  expect(Buffer.from(python.stdout).equals(Buffer.from(original))).toBe(true);
}

describe("parallelGzipStream", () => {
  const sizes = [0, 1, BLOCK - 1, BLOCK, BLOCK + 1, 2 * BLOCK, 10 * BLOCK + 17];
  for (const [kind, make] of [["random", (n: number) => pseudoRandomBytes(n, n + 1)], ["compressible", compressible]] as const) {
    for (const size of sizes) {
      test(`${kind}, ${size} bytes, 2 workers: one gzip member every decoder reads`, async () => {
        const data = make(size);
        const gz = await collect(streamOf(cut(data, [1000, 7, BLOCK])).pipeThrough(parallelGzipStream({ workers: 2, level: 6, blockSize: BLOCK })));
        decodersAgree(gz, data);
      });
    }
  }

  for (const size of [0, 1, BLOCK, 3 * BLOCK + 7]) {
    test(`no workers (this thread), ${size} bytes: one gzip member every decoder reads`, async () => {
      const data = compressible(size);
      decodersAgree(await collect(streamOf(cut(data, [999, BLOCK])).pipeThrough(parallelGzipStream({ workers: 0, level: 6, blockSize: BLOCK }))), data);
    });
  }

  test("no workers: terminate() makes later blocks fail instead of being compressed", async () => {
    const stage = parallelGzipStream({ workers: 0, level: 6, blockSize: BLOCK });
    const reading = collect(stage.readable).catch((e: unknown) => e);
    const writer = stage.writable.getWriter();
    await writer.write(pseudoRandomBytes(BLOCK));
    stage.terminate();
    const error = await writer.write(pseudoRandomBytes(3 * BLOCK)).catch((e: unknown) => e);
    expect(String(error)).toContain("stopped");
    expect(String(await reading)).toContain("stopped");
  });

  test("many blocks keep the ratio within 1% of one CompressionStream (the runtime's own gzip, not ours)", async () => {
    const data = new Uint8Array(8 * 1024 * 1024);
    data.set(compressible(4 * 1024 * 1024));
    data.set(pseudoRandomBytes(4 * 1024 * 1024, 5), 4 * 1024 * 1024);
    const parallel = await collect(streamOf([data]).pipeThrough(parallelGzipStream({ workers: 3, level: 6, blockSize: 1024 * 1024 })));
    const single = await collect(streamOf([data]).pipeThrough(new CompressionStream("gzip") as unknown as TransformStream<Uint8Array, Uint8Array>));
    decodersAgree(parallel, data);
    expect(parallel.byteLength / single.byteLength).toBeLessThan(1.01);
  });

  test("levels 1 and 9 work; with no workers, gzipStream's one-core path reads the same in every decoder", async () => {
    const data = compressible(300_000);
    for (const level of [1, 9]) decodersAgree(await collect(streamOf([data]).pipeThrough(parallelGzipStream({ workers: 1, level }))), data);
    decodersAgree(await collect(streamOf([data]).pipeThrough(gzipStream({ workers: 0, level: 6 }))), data);
  });

  test("terminate() stops the workers of an abandoned stream", async () => {
    const stage = parallelGzipStream({ workers: 2, level: 6, blockSize: BLOCK });
    const reading = collect(stage.readable).catch((e: unknown) => e);
    const writer = stage.writable.getWriter();
    await writer.write(pseudoRandomBytes(3 * BLOCK));
    stage.terminate();
    // Any later block fails at once instead of waiting for a worker that is gone.
    const error = await writer.write(pseudoRandomBytes(8 * BLOCK)).catch((e: unknown) => e);
    expect(String(error)).toContain("stopped");
    expect(String(await reading)).toContain("stopped");
  });

  test("owned chunks of exactly one block go to the workers without a copy; chunks not owned are left intact", async () => {
    const data = pseudoRandomBytes(3 * BLOCK, 5);
    const owned = [0, 1, 2].map((i) => data.slice(i * BLOCK, (i + 1) * BLOCK));
    decodersAgree(await collect(streamOf(owned).pipeThrough(parallelGzipStream({ workers: 2, level: 6, blockSize: BLOCK, ownedChunks: true }))), data);
    // Adopted and transferred to a worker: the caller's buffers are detached, which is the proof no copy was made.
    expect(owned.map((chunk) => chunk.byteLength)).toEqual([0, 0, 0]);
    const kept = [0, 1, 2].map((i) => data.slice(i * BLOCK, (i + 1) * BLOCK));
    decodersAgree(await collect(streamOf(kept).pipeThrough(parallelGzipStream({ workers: 2, level: 6, blockSize: BLOCK }))), data);
    expect(kept.map((chunk) => chunk.byteLength)).toEqual([BLOCK, BLOCK, BLOCK]);
  });

  test("the file's read buffers come back from the workers and are read into again, and the output stays right", async () => {
    const dir = mkdtempSync(join(tmpdir(), "publish-artifact-pool-"));
    try {
      const data = new Uint8Array(40 * BLOCK + 123);
      data.set(compressible(20 * BLOCK));
      data.set(pseudoRandomBytes(20 * BLOCK + 123, 9), 20 * BLOCK);
      const path = join(dir, "artifact.bin");
      writeFileSync(path, data);
      let allocated = 0;
      const buffers = new (class extends BufferPool {
        override take() {
          const before = this.free;
          const buffer = super.take();
          if (this.free === before) allocated++;
          return buffer;
        }
      })(BLOCK);
      const source = await openArtifact(path, { buffers });
      expect(source.buffers).toBe(buffers);
      const gz = await collect(source.stream.pipeThrough(parallelGzipStream({ workers: 2, level: 6, blockSize: BLOCK, ownedChunks: true, buffers })));
      decodersAgree(gz, data);
      // 41 blocks read; at most two per worker in flight, one held back and one being read are ever out at once.
      expect(allocated).toBeGreaterThan(0);
      expect(allocated).toBeLessThanOrEqual(2 * 2 + 2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("parallelGzipStream: output buffers given back", () => {
  /** Reads `stream`, giving each chunk's buffer back once its bytes are copied, scribbled over as a sink might leave it. */
  async function readGivingBack(stream: ParallelGzip, input: Uint8Array[]): Promise<{ gz: Uint8Array; buffers: ArrayBuffer[] }> {
    const reader = streamOf(input).pipeThrough(stream).getReader();
    const chunks: Uint8Array[] = [];
    const buffers: ArrayBuffer[] = [];
    for (let next = await reader.read(); !next.done; next = await reader.read()) {
      chunks.push(next.value.slice());
      buffers.push(next.value.buffer as ArrayBuffer);
      next.value.fill(0x5a);
      stream.giveBack(next.value.buffer as ArrayBuffer);
    }
    return { gz: joinBytes(chunks), buffers };
  }
  const data = joinBytes([float16Weights(8 * BLOCK, 3), pseudoRandomBytes(8 * BLOCK, 4), compressible(4 * BLOCK + 99)]);

  test("no workers: later blocks are written into the buffers given back, and old bytes never reach the output", async () => {
    const { gz, buffers } = await readGivingBack(parallelGzipStream({ workers: 0, level: 6, blockSize: BLOCK }), cut(data, [BLOCK]));
    decodersAgree(gz, data);
    expect(Buffer.from(gz).equals(Buffer.from(await collect(streamOf(cut(data, [BLOCK])).pipeThrough(parallelGzipStream({ workers: 0, level: 6, blockSize: BLOCK })))))).toBe(true);
    // 16 blocks written here (weights and random bytes), one at a time: after the first, each into the buffer
    // the one before it came in.
    const written = buffers.filter((buffer) => buffer.byteLength === outputCapacity(BLOCK));
    expect(written.length).toBe(16);
    expect(new Set(written).size).toBe(1);
  });

  test("2 workers: the same bytes as without giving back, old bytes never reaching the output", async () => {
    const { gz } = await readGivingBack(parallelGzipStream({ workers: 2, level: 6, blockSize: BLOCK, ownedChunks: true }), cut(data.slice(), [BLOCK]).map((chunk) => chunk.slice()));
    decodersAgree(gz, data);
    expect(Buffer.from(gz).equals(Buffer.from(await collect(streamOf(cut(data, [BLOCK])).pipeThrough(parallelGzipStream({ workers: 2, level: 6, blockSize: BLOCK })))))).toBe(true);
  });
});

test("BufferPool gives back what it was given, of its size only", () => {
  const pool = new BufferPool(8);
  const first = pool.take();
  expect(first.byteLength).toBe(8);
  pool.give(first.buffer);
  pool.give(new ArrayBuffer(7));
  expect(pool.free).toBe(1);
  expect(pool.take().buffer).toBe(first.buffer);
  expect(pool.take().buffer).not.toBe(first.buffer);
});

test("crc32Combine equals the CRC-32 of the joined data", () => {
  const a = pseudoRandomBytes(100_003, 1);
  const b = pseudoRandomBytes(77_777, 2);
  const joined = new Uint8Array(a.byteLength + b.byteLength);
  joined.set(a);
  joined.set(b, a.byteLength);
  expect(crc32Combine(crc32(a), crc32(b), b.byteLength)).toBe(crc32(joined));
  expect(crc32Combine(crc32(a), crc32(new Uint8Array(0)), 0)).toBe(crc32(a));

});
