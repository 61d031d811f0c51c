// Cuts the ciphertext into parts of exactly the part size (the last may be shorter), with the block filler every
// block-wise stage uses. A part is only filled when the caller asks for the next one, so the parts in memory are
// those the caller keeps in flight plus the one being filled. Part buffers come from a pool and go back to it
// once uploaded: fresh multi-MiB buffers for every part cost page faults and GC work that slowed the upload
// measurably.
import { BlockFiller } from "../bytes/block-filler.ts";
import type { BufferPool } from "../bytes/buffer-pool.ts";

export async function* readParts(
  stream: ReadableStream<Uint8Array>,
  pool: BufferPool,
): AsyncGenerator<Uint8Array<ArrayBuffer>, void, undefined> {
  const filler = new BlockFiller(pool.size, () => pool.take());
  const reader = stream.getReader();
  let finished = false;
  try {
    while (true) {
      const next = await reader.read();
      if (next.done) break;
      const chunk = next.value;
      for (let offset = 0; offset < chunk.byteLength; ) {
        offset += filler.fill(chunk, offset);
        const part = filler.takeFull();
        // Yielded before the rest of the chunk is copied: the next part's buffer is taken only when asked for.
        if (part !== undefined) yield part;
      }
    }
    finished = true;
    if (filler.rest.byteLength > 0) yield filler.rest;
  } finally {
    // A consumer that stops early (an upload failed) must stop the producers too: cancel reading the file.
    if (!finished) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}
