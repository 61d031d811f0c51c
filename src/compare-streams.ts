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

export async function compareStreams(left: ReadableStream<Uint8Array>, right: ReadableStream<Uint8Array>): Promise<Comparison> {
  const a = left.getReader();
  const b = right.getReader();
  let chunkA: Uint8Array = new Uint8Array(0);
  let chunkB: Uint8Array = new Uint8Array(0);
  let doneA = false;
  let doneB = false;
  let offset = 0;
  let leftBytes = 0;
  let rightBytes = 0;
  try {
    while (true) {
      if (chunkA.byteLength === 0 && !doneA) {
        const next = await a.read();
        if (next.done) doneA = true;
        else {
          chunkA = next.value;
          leftBytes += chunkA.byteLength;
        }
      }
      if (chunkB.byteLength === 0 && !doneB) {
        const next = await b.read();
        if (next.done) doneB = true;
        else {
          chunkB = next.value;
          rightBytes += chunkB.byteLength;
        }
      }
      if (chunkA.byteLength === 0 && chunkB.byteLength === 0) {
        if (doneA && doneB) return { firstDifference: undefined, complete: true, leftBytes, rightBytes };
        continue;
      }
      if (chunkA.byteLength === 0 || chunkB.byteLength === 0) {
        // One ended first: the rest of the other is the difference; count it to report both sizes.
        for (const [reader, done] of [[a, doneA], [b, doneB]] as const) {
          if (done) continue;
          for (let next = await reader.read(); !next.done; next = await reader.read()) {
            if (reader === a) leftBytes += next.value.byteLength;
            else rightBytes += next.value.byteLength;
          }
        }
        return { firstDifference: offset, complete: true, leftBytes, rightBytes };
      }
      const n = Math.min(chunkA.byteLength, chunkB.byteLength);
      const at = firstDifference(chunkA.subarray(0, n), chunkB.subarray(0, n));
      if (at !== undefined) {
        await Promise.all([a.cancel(), b.cancel()]);
        return { firstDifference: offset + at, complete: false, leftBytes, rightBytes };
      }
      offset += n;
      chunkA = chunkA.subarray(n);
      chunkB = chunkB.subarray(n);
    }
  } finally {
    a.releaseLock();
    b.releaseLock();
  }
}

/** The native comparison first (fast); the byte loop only to place a difference it found. */
function firstDifference(x: Uint8Array, y: Uint8Array): number | undefined {
  if (Buffer.from(x.buffer, x.byteOffset, x.byteLength).equals(Buffer.from(y.buffer, y.byteOffset, y.byteLength))) return undefined;
  for (let i = 0; i < x.byteLength; i++) if (x[i] !== y[i]) return i;
  return undefined;
}
