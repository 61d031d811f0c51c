// Cuts chunks of any size into blocks of one fixed size, for every stage that works in blocks: AES-CBC's
// encryption chunks, the parallel gzip's blocks, and the upload's parts (s3/parts.ts).
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

  /**
   * Copy from `chunk`, from `offset` on, as much as the current block takes; returns how many bytes it took.
   * Once the block is full, fill takes nothing more until takeFull() has taken it out.
   */
  fill(chunk: Uint8Array, offset = 0): number {
    if (this.#filled === this.size || offset >= chunk.byteLength) return 0;
    this.#block ??= this.nextBuffer();
    const take = Math.min(this.size - this.#filled, chunk.byteLength - offset);
    this.#block.set(offset === 0 && take === chunk.byteLength ? chunk : chunk.subarray(offset, offset + take), this.#filled);
    this.#filled += take;
    return take;
  }

  /** The block, when it is full: handed over, and the next fill starts another (from nextBuffer). */
  takeFull(): Uint8Array<ArrayBuffer> | undefined {
    if (this.#filled !== this.size || this.#block === undefined) return undefined;
    const full = this.#block;
    this.#block = undefined;
    this.#filled = 0;
    return full;
  }

  /** Copy `chunk` in (or adopt it, see the constructor); each block that fills is handed to `onFull`, and awaited, before the next is filled. */
  async push(chunk: Uint8Array, onFull: (block: Uint8Array<ArrayBuffer>) => void | Promise<void>): Promise<void> {
    if (this.adopt && this.#filled === 0 && chunk.byteLength === this.size && isWholeBuffer(chunk)) {
      await onFull(chunk);
      return;
    }
    for (let offset = 0; offset < chunk.byteLength; ) {
      offset += this.fill(chunk, offset);
      const full = this.takeFull();
      if (full !== undefined) await onFull(full);
    }
  }

  /** The partial block left at the end (possibly empty), a view of the current buffer. */
  get rest(): Uint8Array<ArrayBuffer> {
    return this.#block?.subarray(0, this.#filled) ?? new Uint8Array(0);
  }
}
