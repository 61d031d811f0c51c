// Cuts a stream of arbitrary chunks into parts of exactly `partSize` bytes (the last may be shorter).
// A part is only filled when the caller asks for the next one, so the parts in memory are those the caller
// keeps in flight plus the one being filled. Part buffers come from a pool and go back to it once uploaded:
// fresh multi-MiB buffers for every part cost page faults and GC work that slowed the upload measurably.

export class PartPool {
  readonly #free: Uint8Array<ArrayBuffer>[] = [];
  constructor(readonly partSize: number) {}

  take(): Uint8Array<ArrayBuffer> {
    return this.#free.pop() ?? new Uint8Array(this.partSize);
  }

  /** Return a part (or a view of one) whose bytes are no longer needed. */
  give(part: Uint8Array<ArrayBuffer>): void {
    if (part.buffer.byteLength === this.partSize) this.#free.push(new Uint8Array(part.buffer));
  }
}

export async function* readParts(
  stream: ReadableStream<Uint8Array>,
  pool: PartPool,
): AsyncGenerator<Uint8Array<ArrayBuffer>, void, undefined> {
  const partSize = pool.partSize;
  const reader = stream.getReader();
  let finished = false;
  try {
    let part = pool.take();
    let filled = 0;
    let carry: Uint8Array | undefined;
    while (true) {
      let chunk = carry;
      carry = undefined;
      if (chunk === undefined) {
        const next = await reader.read();
        if (next.done) break;
        chunk = next.value;
      }
      const take = Math.min(partSize - filled, chunk.byteLength);
      part.set(take === chunk.byteLength ? chunk : chunk.subarray(0, take), filled);
      filled += take;
      if (take < chunk.byteLength) carry = chunk.subarray(take);
      if (filled === partSize) {
        yield part;
        part = pool.take();
        filled = 0;
      }
    }
    finished = true;
    if (filled > 0) yield part.subarray(0, filled);
    else pool.give(part);
  } finally {
    // A consumer that stops early (an upload failed) must stop the producers too: cancel reading the file.
    if (!finished) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}
