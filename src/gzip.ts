// The compression stage: one standard gzip member (Deno's DecompressionStream, and loaders that stop after
// the first member, reject concatenated members). CompressionStream uses zlib's default level 6, the same
// as Python's gzip module.

export function gzipStream(): ReadableWritablePair<Uint8Array, Uint8Array> {
  // The DOM typings say BufferSource in and Uint8Array<ArrayBuffer> out; Uint8Array chunks are what flows here.
  return new CompressionStream("gzip") as unknown as ReadableWritablePair<Uint8Array, Uint8Array>;
}
