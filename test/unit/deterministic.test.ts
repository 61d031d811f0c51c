// The ciphertext is a function of the input, the key, the IV, the level and the block size only: never of the
// number of workers, of timing, or of the sizes the input was read in. Resuming an upload depends on it (a kept
// key and IV must make the same bytes again). Under Bun (and so in the binaries: test/e2e/deterministic.test.ts);
// under Deno the deflate library differs, and so do the bytes.
import { expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BufferPool } from "../../src/bytes/buffer-pool.ts";
import { GZIP_BLOCK_SIZE } from "../../src/pipeline/deflate/parallel-gzip.ts";
import { encryptSource, openSource, type EncryptedArtifact } from "../../src/pipeline/encrypted-artifact.ts";
import { collect, cut, joinBytes, pseudoRandomBytes, streamOf } from "../support/streams.ts";
import { float16Weights } from "../support/weights.ts";

/**
 * Text that compresses, float16 weights, random bytes and an odd tail: 2 MiB blocks of every coding (deflated,
 * entropy-coded, stored) and a partial one.
 */
function mixed(): Uint8Array<ArrayBuffer> {
  const MiB = 1024 * 1024;
  const data = new Uint8Array(9 * MiB + 12_345);
  const line = new TextEncoder().encode("layer sha256:4f5e... 0644 usr/lib/libnvinfer.so.10 2026-04-15\n");
  for (let i = 0; i < 2.5 * MiB; i++) data[i] = line[i % line.length] as number;
  data.set(float16Weights(4 * MiB, 78), 2.5 * MiB);
  data.set(pseudoRandomBytes(data.byteLength - 6.5 * MiB, 77), 6.5 * MiB);
  return data;
}

/** The ciphertext, each chunk given back (EncryptedArtifact.giveBack) once copied, with its bytes overwritten. */
async function readGivingBack(artifact: EncryptedArtifact): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of artifact.ciphertext) {
    chunks.push(chunk.slice());
    chunk.fill(0x3c);
    artifact.giveBack(chunk);
  }
  return joinBytes(chunks);
}

test("same input, key, IV and level: the same ciphertext with 0, 1, 2 or 4 workers, read whole or in odd pieces", async () => {
  const data = mixed();
  const dir = mkdtempSync(join(tmpdir(), "publish-artifact-deterministic-"));
  const file = join(dir, "input.bin");
  writeFileSync(file, data);
  const sealing = { key: pseudoRandomBytes(32, 1), iv: pseudoRandomBytes(16, 2) };
  try {
    for (const level of [1, 6]) {
      const made: Uint8Array[] = [];
      for (const workers of [0, 1, 2, 4]) {
        const compression = { workers, level };
        // As a publish reads the file (whole blocks into pooled buffers, or 256 KiB pieces) ...
        made.push(await collect(encryptSource(await openSource(file, compression), compression, undefined, sealing).ciphertext));
        // ... and as a pipe delivers it, in pieces of no size in particular.
        const piped = { path: "-", size: undefined, stream: streamOf(cut(data.slice(), [1, 4097, 65_539, 1_000_003])) };
        made.push(await collect(encryptSource(piped, compression, undefined, sealing).ciphertext));
        // ... and gathered into reused blocks, as stdin is (a block's old bytes must never leak into the next).
        const pool = new BufferPool(GZIP_BLOCK_SIZE);
        for (let i = 0; i < 8; i++) pool.give(new Uint8Array(GZIP_BLOCK_SIZE).fill(0xa5).buffer);
        const pooled = { ...piped, stream: streamOf(cut(data.slice(), [65_536, 7, 3_000_000])), buffers: pool };
        made.push(await collect(encryptSource(pooled, compression, undefined, sealing).ciphertext));
        // ... and with each chunk given back once read, scribbled over, as a sink leaves it: its buffer is written
        // into again (the compressed blocks, the ciphertext over them), and what it held must never leak.
        made.push(await readGivingBack(encryptSource(await openSource(file, compression), compression, undefined, sealing)));
      }
      for (const ciphertext of made) expect(Buffer.from(ciphertext).equals(Buffer.from(made[0] as Uint8Array))).toBe(true);
      // And it is the encryption of the input, as openssl and gunzip (not our code) read it.
      writeFileSync(join(dir, "body.bin"), (made[0] as Uint8Array).subarray(16));
      const gz = spawnSync("openssl", ["enc", "-d", "-aes-256-cbc", "-K", Buffer.from(sealing.key).toString("hex"), "-iv", Buffer.from(sealing.iv).toString("hex"), "-in", join(dir, "body.bin")], { maxBuffer: 1 << 30 });
      expect(Buffer.from(spawnSync("gunzip", ["-c"], { input: gz.stdout, maxBuffer: 1 << 30 }).stdout).equals(Buffer.from(data))).toBe(true);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the check can fail: another IV, or another level, gives other bytes", async () => {
  const data = mixed();
  const run = (level: number, iv: Uint8Array<ArrayBuffer>) =>
    collect(encryptSource({ path: "-", size: undefined, stream: streamOf([data.slice()]) }, { workers: 2, level }, undefined, { key: pseudoRandomBytes(32, 1), iv }).ciphertext);
  const base = await run(6, pseudoRandomBytes(16, 2));
  expect(Buffer.from(await run(6, pseudoRandomBytes(16, 3))).equals(Buffer.from(base))).toBe(false);
  expect(Buffer.from(await run(1, pseudoRandomBytes(16, 2))).equals(Buffer.from(base))).toBe(false);
});
