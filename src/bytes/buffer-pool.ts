// Buffers of one size, taken again once given back instead of allocated afresh: the file's read buffers, which
// travel to a compression worker and back, and the compressed blocks' buffers, which travel through the cipher's
// worker to the sink and back (pipeline/deflate/parallel-gzip.ts); the upload's parts (s3/parts.ts).
//
// Why: a fresh buffer costs its page faults when first written, and Bun's allocator (mimalloc) hands freed
// memory back to the system 10 ms after it is freed, so a stream of fresh 2 MiB buffers faults in every page of
// its input. Measured here on the 1 GiB bench file with 2 workers: the threads that read the file spent 1.0-1.3
// CPU-s on it; with the allocator told to keep freed memory (MIMALLOC_PURGE_DELAY=1000, which a compiled binary
// cannot set for itself) 0.33 s, and the whole pipeline took 7.0-7.2 s instead of 8.7-9.1 s.

export class BufferPool {
  readonly #free: Uint8Array<ArrayBuffer>[] = [];

  constructor(readonly size: number) {}

  /** Buffers given back and not yet taken again. */
  get free(): number {
    return this.#free.length;
  }

  /** A buffer of `size` bytes: one given back, or a new one. Its contents are whatever they were. */
  take(): Uint8Array<ArrayBuffer> {
    return this.#free.pop() ?? new Uint8Array(this.size);
  }

  /**
   * Hands a buffer back for a later take(); its giver must hold no view of it any more. Buffers of another size
   * are left to the garbage collector. The pool holds at most what was out at once, so it needs no limit.
   */
  give(buffer: ArrayBuffer): void {
    if (buffer.byteLength === this.size) this.#free.push(new Uint8Array(buffer));
  }
}
