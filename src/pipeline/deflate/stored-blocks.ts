// DEFLATE stored blocks (RFC 1951, 3.2.4): the bytes as they are, in pieces of at most 65,535 bytes, each behind
// a 5-byte header: BFINAL and BTYPE 00 in a byte of their own (every block of the parallel gzip starts on a byte
// boundary, after a sync flush or a reopened final block), LEN and its complement NLEN. The cheapest coding of
// bytes that would not shrink: 5 bytes in 65,535, 0.008%.

export const MAX_STORED = 65_535;
const HEADER = 5;

/** The size of `length` bytes as stored blocks. */
export function storedSize(length: number): number {
  return length + HEADER * Math.max(1, Math.ceil(length / MAX_STORED));
}

/**
 * `data` as stored blocks; the last of them final when `last`. Ends on a byte boundary, so anything may follow.
 * Written at the start of `into` when it has room (whatever it held before is overwritten), else into a new buffer.
 */
export function storedBlocks(data: Uint8Array, last: boolean, into?: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  const pieces = Math.max(1, Math.ceil(data.byteLength / MAX_STORED));
  const size = storedSize(data.byteLength);
  const out = into && into.byteLength >= size ? into.subarray(0, size) : new Uint8Array(size);
  let at = 0;
  for (let i = 0; i < pieces; i++) {
    const piece = data.subarray(i * MAX_STORED, (i + 1) * MAX_STORED);
    const length = piece.byteLength;
    out[at] = last && i === pieces - 1 ? 1 : 0;
    out[at + 1] = length & 0xff;
    out[at + 2] = length >>> 8;
    out[at + 3] = ~length & 0xff;
    out[at + 4] = (~length >>> 8) & 0xff;
    out.set(piece, at + HEADER);
    at += HEADER + length;
  }
  return out;
}
