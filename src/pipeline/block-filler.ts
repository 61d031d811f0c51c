// Cuts chunks of any size into blocks of one fixed size, for the stages that work in blocks: AES-CBC's
// encryption chunks and the parallel gzip's blocks. (The upload cuts its parts itself, in s3/parts.ts, from
// pooled buffers.)
import { isWholeBuffer } from "./whole-buffer.ts";

export class BlockFiller {
  /** Taken only when a byte is there to go in it, so no buffer is held ahead of need. */
  #block: Uint8Array<ArrayBuffer> | undefined;
  #filled = 0;

  /**
   * `nextBuffer` gives the buffer of each block: the same one again, a fresh one, or one from a pool. With
   * `adopt`, the caller hands its chunks over (it keeps no use of them): a chunk that is exactly one block, alone
   * in its buffer, arriving at a block boundary, then becomes the block as it is, with no copy.
   */
  constructor(
    readonly size: number,
    readonly nextBuffer: () => Uint8Array<ArrayBuffer>,
    readonly adopt = false,
  ) {}

  /** Copy `chunk` in (or adopt it, see the constructor); each block that fills is handed to `onFull`, and awaited, before the next is filled. */
  async push(chunk: Uint8Array, onFull: (block: Uint8Array<ArrayBuffer>) => void | Promise<void>): Promise<void> {
    if (this.adopt && this.#filled === 0 && chunk.byteLength === this.size && isWholeBuffer(chunk)) {
      await onFull(chunk);
      return;
    }
    let offset = 0;
    while (offset < chunk.byteLength) {
      this.#block ??= this.nextBuffer();
      const take = Math.min(this.size - this.#filled, chunk.byteLength - offset);
      this.#block.set(take === chunk.byteLength ? chunk : chunk.subarray(offset, offset + take), this.#filled);
      this.#filled += take;
      offset += take;
      if (this.#filled === this.size) {
        const full = this.#block;
        this.#block = undefined;
        this.#filled = 0;
        await onFull(full);
      }
    }
  }

  /** The partial block left at the end (possibly empty), a view of the current buffer. */
  get rest(): Uint8Array<ArrayBuffer> {
    return this.#block?.subarray(0, this.#filled) ?? new Uint8Array(0);
  }
}
