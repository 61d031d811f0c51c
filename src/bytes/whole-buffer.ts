// Whether a chunk is the whole of its buffer: only such a chunk can be transferred to a worker (a transfer takes
// the whole ArrayBuffer) or adopted as a block, and then only when its producer hands it over for good.
//
// A chunk that only starts its buffer (the parallel gzip writes blocks into buffers of a fixed capacity, given
// back to be written into again: pipeline/deflate/parallel-gzip.ts) may be transferred too, when its producer says
// that nothing else lives in the rest of that buffer.

export function isWholeBuffer(chunk: Uint8Array): chunk is Uint8Array<ArrayBuffer> {
  return chunk.byteOffset === 0 && chunk.buffer instanceof ArrayBuffer && chunk.buffer.byteLength === chunk.byteLength;
}

export function startsItsBuffer(chunk: Uint8Array): chunk is Uint8Array<ArrayBuffer> {
  return chunk.byteOffset === 0 && chunk.buffer instanceof ArrayBuffer;
}
