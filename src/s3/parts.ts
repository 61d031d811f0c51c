// Cuts a stream of arbitrary chunks into parts of exactly `partSize` bytes (the last may be shorter).
// Each part is a fresh buffer that the caller owns until its upload is done; a part is only filled when the
// caller asks for it, so the number of parts in memory is whatever the caller keeps in flight, plus one.

export async function* readParts(
  stream: ReadableStream<Uint8Array>,
  partSize: number,
): AsyncGenerator<Uint8Array<ArrayBuffer>, void, undefined> {
  const reader = stream.getReader();
  let finished = false;
  try {
    let part = new Uint8Array(partSize);
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
        part = new Uint8Array(partSize);
        filled = 0;
      }
    }
    finished = true;
    if (filled > 0) yield part.slice(0, filled);
  } finally {
    // A consumer that stops early (an upload failed) must stop the producers too: cancel reading the file.
    if (!finished) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}
