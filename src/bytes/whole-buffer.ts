// Whether a chunk is the whole of its buffer: only such a chunk can be transferred to a worker (a transfer takes
// the whole ArrayBuffer) or adopted as a block, and then only when its producer hands it over for good.

export function isWholeBuffer(chunk: Uint8Array): chunk is Uint8Array<ArrayBuffer> {
  return chunk.byteOffset === 0 && chunk.buffer instanceof ArrayBuffer && chunk.buffer.byteLength === chunk.byteLength;
}
