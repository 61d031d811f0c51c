// Byte-for-byte comparison of two streams, reading both in step, so memory stays at a chunk of each.
//
// node:buffer for its native equals(), far faster than a byte loop; Bun and Deno both provide it.
import { Buffer } from "node:buffer";

export interface Comparison {
  /** Offset of the first differing byte, or undefined when the streams are identical. */
  firstDifference: number | undefined;
  /** Whether both streams were read to their end (they are not after a difference in their bytes). */
  complete: boolean;
  leftBytes: number;
  rightBytes: number;
}

interface Side {
  reader: ReadableStreamDefaultReader<Uint8Array>;
  /** What is read but not compared yet. */
  chunk: Uint8Array;
  done: boolean;
  bytes: number;
}

/** Read the next chunk once the current one is used up. */
async function refill(side: Side): Promise<void> {
  if (side.chunk.byteLength > 0 || side.done) return;
  const next = await side.reader.read();
  if (next.done) side.done = true;
  else {
    side.chunk = next.value;
    side.bytes += next.value.byteLength;
  }
}

async function drain(side: Side): Promise<void> {
  while (!side.done) {
    side.chunk = new Uint8Array(0);
    await refill(side);
  }
}

export async function compareStreams(left: ReadableStream<Uint8Array>, right: ReadableStream<Uint8Array>): Promise<Comparison> {
  const a: Side = { reader: left.getReader(), chunk: new Uint8Array(0), done: false, bytes: 0 };
  const b: Side = { reader: right.getReader(), chunk: new Uint8Array(0), done: false, bytes: 0 };
  const result = (firstDifference: number | undefined, complete: boolean): Comparison => ({
    firstDifference,
    complete,
    leftBytes: a.bytes,
    rightBytes: b.bytes,
  });
  let offset = 0;
  try {
    while (true) {
      await Promise.all([refill(a), refill(b)]);
      if (a.chunk.byteLength === 0 && b.chunk.byteLength === 0) return result(undefined, true);
      if (a.chunk.byteLength === 0 || b.chunk.byteLength === 0) {
        // One ended first: the rest of the other is the difference; read it to report both sizes.
        await Promise.all([drain(a), drain(b)]);
        return result(offset, true);
      }
      const n = Math.min(a.chunk.byteLength, b.chunk.byteLength);
      const at = firstDifference(a.chunk.subarray(0, n), b.chunk.subarray(0, n));
      if (at !== undefined) {
        await Promise.all([a.reader.cancel(), b.reader.cancel()]);
        return result(offset + at, false);
      }
      offset += n;
      a.chunk = a.chunk.subarray(n);
      b.chunk = b.chunk.subarray(n);
    }
  } finally {
    a.reader.releaseLock();
    b.reader.releaseLock();
  }
}

/** The native comparison first (fast); the byte loop only to place a difference it found. */
function firstDifference(x: Uint8Array, y: Uint8Array): number | undefined {
  if (Buffer.from(x.buffer, x.byteOffset, x.byteLength).equals(Buffer.from(y.buffer, y.byteOffset, y.byteLength))) return undefined;
  for (let i = 0; i < x.byteLength; i++) if (x[i] !== y[i]) return i;
  return undefined;
}
