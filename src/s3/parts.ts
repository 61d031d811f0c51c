// Cuts the ciphertext into parts of exactly the part size (the last may be shorter), each with the SHA-256 its
// request is signed with. A part is only filled when the caller asks for the next one, so the parts held are
// those the caller keeps in flight plus the one being filled: in memory (buffers from a pool, given back once
// uploaded: fresh multi-MiB buffers for every part cost page faults and GC work that slowed the upload
// measurably) or, when that would be too much memory, in the files of a spool (part-spool.ts).
import { createHash, type Hash } from "node:crypto";
import { BlockFiller } from "../bytes/block-filler.ts";
import type { BufferPool } from "../bytes/buffer-pool.ts";
import { sha256Hex } from "../hex.ts";
import { SpooledBytes, type PartSpool, type SpoolFile } from "./part-spool.ts";

export interface Part {
  /** Its bytes: a buffer, or a spool file's. */
  readonly body: Uint8Array<ArrayBuffer> | SpooledBytes;
  readonly byteLength: number;
  /** SHA-256 of its bytes, lowercase hex. */
  readonly sha256: string;
  /** Gives its buffer or file back for a later part: once nothing will read it again. */
  release(): void;
}

export type Parts = AsyncGenerator<Part, void, undefined>;

/** Parts in buffers of `pool.size` bytes; `consumed` hears of each chunk once it is copied. */
export async function* memoryParts(stream: ReadableStream<Uint8Array>, pool: BufferPool, consumed?: (chunk: Uint8Array) => void): Parts {
  const filler = new BlockFiller(pool.size, () => pool.take());
  const partOf = (body: Uint8Array<ArrayBuffer>): Part => ({
    body,
    byteLength: body.byteLength,
    sha256: sha256Hex(body),
    release: () => pool.give(body.buffer),
  });
  yield* chunksOf(stream, async function* (chunk) {
    for (let offset = 0; offset < chunk.byteLength; ) {
      offset += filler.fill(chunk, offset);
      const part = filler.takeFull();
      // Yielded before the rest of the chunk is copied: the next part's buffer is taken only when asked for.
      if (part !== undefined) yield partOf(part);
    }
  }, function* () {
    if (filler.rest.byteLength > 0) yield partOf(filler.rest);
  }, consumed);
}

/** A spooled part as it is filled. */
interface Filling {
  file: SpoolFile;
  bytes: number;
  hash: Hash;
}

/**
 * Parts of `partSize` bytes written to the spool's files as the chunks arrive, hashed on the way; `consumed`
 * hears of each chunk once it is written.
 */
export async function* spooledParts(stream: ReadableStream<Uint8Array>, spool: PartSpool, partSize: number, consumed?: (chunk: Uint8Array) => void): Parts {
  let open: Filling | undefined;
  const partOf = (filled: Filling): Part => ({
    body: new SpooledBytes(filled.file, filled.bytes),
    byteLength: filled.bytes,
    sha256: filled.hash.digest("hex"),
    release: () => spool.give(filled.file),
  });
  yield* chunksOf(stream, async function* (chunk) {
    for (let offset = 0; offset < chunk.byteLength; ) {
      // The next part's file is taken only when its first byte is there.
      open ??= { file: await spool.take(), bytes: 0, hash: createHash("sha256") };
      const piece = chunk.subarray(offset, offset + Math.min(chunk.byteLength - offset, partSize - open.bytes));
      await open.file.write(piece, open.bytes);
      open.hash.update(piece);
      open.bytes += piece.byteLength;
      offset += piece.byteLength;
      if (open.bytes === partSize) {
        const full = open;
        open = undefined;
        yield partOf(full);
      }
    }
  }, function* () {
    if (open !== undefined) yield partOf(open);
  }, consumed);
}

/**
 * The parts `each` makes of every chunk (`consumed` told of the chunk once each is through with it), then those
 * `end` makes of what is left. A consumer that stops early (an upload failed) stops the producers too: reading
 * the file is cancelled.
 */
async function* chunksOf(
  stream: ReadableStream<Uint8Array>,
  each: (chunk: Uint8Array) => AsyncGenerator<Part, void, undefined>,
  end: () => Generator<Part, void, undefined>,
  consumed: (chunk: Uint8Array) => void = () => {},
): Parts {
  const reader = stream.getReader();
  let finished = false;
  try {
    while (true) {
      const next = await reader.read();
      if (next.done) break;
      yield* each(next.value);
      consumed(next.value);
    }
    finished = true;
    yield* end();
  } finally {
    if (!finished) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}
