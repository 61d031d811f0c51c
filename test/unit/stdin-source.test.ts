// Standard input is read into blocks taken from a pool and given back by the compression, as a file's reads
// are (buffer-pool.ts: fresh 2 MiB buffers cost their page faults; measured, 256 MiB of int8 weights piped into
// --output took 2.1-2.2 s with fresh blocks, 1.7-1.8 s with pooled ones, 1.35 s from the file); a pipe is read
// straight into them, whole blocks at a time (stdin-source.ts: pipeBlocks).
import { expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pseudoRandomBytes } from "../support/streams.ts";

const root = resolve(import.meta.dir, "../..");

test("a piped input's blocks come from the pool and go back to it, and the gzip is the input's", () => {
  const dir = mkdtempSync(join(tmpdir(), "publish-artifact-stdin-"));
  try {
    const script = join(dir, "pipe.ts");
    writeFileSync(
      script,
      `import { createHash } from "node:crypto";
import { openSource } from ${JSON.stringify(join(root, "src/pipeline/encrypted-artifact.ts"))};
import { gzipStream } from ${JSON.stringify(join(root, "src/pipeline/deflate/gzip.ts"))};
const compression = { workers: 2, level: 6 };
const source = await openSource("-", compression);
const gzip = gzipStream(compression, true, source.buffers);
const chunks = [];
for await (const chunk of source.stream.pipeThrough(gzip)) chunks.push(chunk);
gzip.terminate();
const plain = Bun.gunzipSync(Buffer.concat(chunks));
console.log(JSON.stringify({ pooled: source.buffers?.free ?? -1, sha256: createHash("sha256").update(plain).digest("hex") }));
`,
    );
    const input = pseudoRandomBytes(9 * 1024 * 1024 + 17, 21);
    const run = spawnSync(process.execPath, [script], { cwd: dir, input, maxBuffer: 1 << 20 });
    expect(run.stderr.toString()).toBe("");
    const result = JSON.parse(run.stdout.toString()) as { pooled: number; sha256: string };
    expect(result.sha256).toBe(createHash("sha256").update(input).digest("hex"));
    // Every block went back: as many free buffers as were ever out at once, at least one.
    expect(result.pooled).toBeGreaterThan(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Runs `code` (a module reading stdin through openSource) with `shell` feeding its stdin; its JSON answer. */
function runReader(code: string, shell: (script: string) => string, input: Uint8Array): Record<string, unknown> {
  const dir = mkdtempSync(join(tmpdir(), "publish-artifact-stdin-"));
  try {
    const script = join(dir, "read.ts");
    writeFileSync(script, code);
    const inputFile = join(dir, "input.bin");
    writeFileSync(inputFile, input);
    const run = spawnSync("bash", ["-c", shell(`'${process.execPath}' '${script}'`), "reader", inputFile], { cwd: dir, maxBuffer: 1 << 20 });
    expect(run.stderr.toString()).toBe("");
    return JSON.parse(run.stdout.toString()) as Record<string, unknown>;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const READER = `import { createHash } from "node:crypto";
import { openSource } from ${JSON.stringify(join(root, "src/pipeline/encrypted-artifact.ts"))};
const source = await openSource("-", { workers: 2, level: 6 });
const sizes = [];
const hash = createHash("sha256");
for await (const chunk of source.stream) {
  sizes.push(chunk.byteLength);
  hash.update(chunk);
}
console.log(JSON.stringify({ sizes, block: source.buffers?.size, sha256: hash.digest("hex") }));
`;

test("a pipe is read whole blocks at a time, straight into the pool's buffers (not in a pipe's 64 KiB pieces)", () => {
  const input = pseudoRandomBytes(5 * 1024 * 1024 + 3, 5);
  const result = runReader(READER, (reader) => `cat "$1" | ${reader}`, input);
  expect(result.sha256).toBe(createHash("sha256").update(input).digest("hex"));
  const sizes = result.sizes as number[];
  const block = result.block as number;
  expect(sizes).toEqual([block, block, input.byteLength - 2 * block]);
});

test("a file given with < is read from where the shell left it, not from its start", () => {
  const input = pseudoRandomBytes(3 * 1024 * 1024, 6);
  // dd reads exactly 10 bytes of the shared descriptor; the reader must go on from byte 10.
  const result = runReader(READER, (reader) => `(dd bs=10 count=1 of=/dev/null status=none; ${reader}) < "$1"`, input);
  expect(result.sha256).toBe(createHash("sha256").update(input.subarray(10)).digest("hex"));
});
