// gzip on several cores, pigz's way, and still one ordinary gzip member that any gunzip or zlib reads: the input
// is cut into blocks, each deflated by a worker (block-deflate.ts: libdeflate under Bun; elsewhere zlib with the
// previous block's last 32 KiB as its dictionary) and ended with a sync flush (the last with the final block);
// this thread writes the gzip header, the blocks in order, and the trailer (CRC-32 of the whole input, combined
// from the blocks', and its length mod 2^32). At most two blocks per worker are in flight, and the stream waits
// for the oldest before taking more input, so backpressure reaches the file reader. With no workers, this thread
// compresses the blocks itself, one at a time (gzip.ts uses that on one core when libdeflate is there).
import { compressBlock, outputCapacity, USES_DICTIONARY, type BlockDone, type BlockJob } from "./block-deflate.ts";
import { BufferPool } from "../../bytes/buffer-pool.ts";
import { BlockFiller } from "../../bytes/block-filler.ts";
import { crc32Combine } from "./crc32-combine.ts";
import { InOrder } from "../in-order.ts";
import { GZIP_WORKER_URL } from "../../worker-urls.ts";
import { WorkerPool } from "../worker-pool.ts";

/** Who compresses the blocks: the workers, or this thread. */
interface BlockRunner {
  run(job: BlockJob, transfer: Transferable[]): Promise<BlockDone>;
  terminate(): void;
}

/** This thread as a runner: each block compressed when it is handed over. */
function inThread(): BlockRunner {
  let stopped = false;
  return {
    run(job) {
      if (stopped) return Promise.reject(new Error("the compression was stopped"));
      try {
        return Promise.resolve(compressBlock(job));
      } catch (error) {
        return Promise.reject(new Error(`compression failed: ${error instanceof Error ? error.message : String(error)}`));
      }
    },
    terminate: () => {
      stopped = true;
    },
  };
}

export const GZIP_BLOCK_SIZE = 2 * 1024 * 1024;
const WINDOW = 32 * 1024;

export interface ParallelGzipOptions {
  /** 0: no workers, this thread compresses. */
  workers: number;
  /** zlib level, 1 to 9. */
  level: number;
  blockSize?: number;
  /**
   * The chunks are handed over, never used again upstream (the file and stdin sources): a chunk of exactly one
   * block then goes to its worker without a copy (transferred).
   */
  ownedChunks?: boolean;
  /** Where the blocks' buffers go once their worker is done with them, and where new blocks come from. */
  buffers?: BufferPool;
}

function gzipHeader(level: number): Uint8Array {
  // ID1 ID2, deflate, no flags, no mtime, XFL (2: best compression, 4: fastest), OS 255 (unknown).
  return new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, level === 9 ? 2 : level === 1 ? 4 : 0, 255]);
}

function gzipTrailer(crc: number, length: number): Uint8Array {
  const trailer = new Uint8Array(8);
  const view = new DataView(trailer.buffer);
  view.setUint32(0, crc >>> 0, true);
  view.setUint32(4, length % 2 ** 32, true);
  return trailer;
}

/** A parallel gzip stage; terminate() stops its workers when the stream is abandoned midway. */
export interface ParallelGzip extends TransformStream<Uint8Array, Uint8Array> {
  terminate(): void;
  /**
   * The buffer of an output chunk whose last reader is done with it (it holds no view of it any more): a later
   * block is written into it. Buffers of another size are left to the garbage collector.
   */
  giveBack(buffer: ArrayBuffer): void;
}

/** Who compresses: this thread with no workers, else a pool of compression workers. */
function blockRunner(workers: number): BlockRunner {
  if (workers === 0) return inThread();
  return new WorkerPool<BlockJob, BlockDone>(GZIP_WORKER_URL, workers, {
    jobFailed: "compression failed",
    workerFailed: "a compression worker failed",
    stopped: "the compression workers were stopped",
  });
}

/**
 * The member's blocks: each handed to the runner as it comes (with the previous block's tail, where the
 * compressor takes a dictionary), written out in order as the answers come, their CRC-32s combined and their
 * lengths added up for the trailer.
 */
class BlockSequence {
  #tail: Uint8Array = new Uint8Array(0);
  #nextId = 0;
  readonly #inFlight = new InOrder<BlockDone>();
  crc = 0;
  length = 0;

  constructor(
    readonly runner: BlockRunner,
    readonly level: number,
    readonly buffers: BufferPool | undefined,
    readonly outputs: BufferPool,
  ) {}

  dispatch(block: Uint8Array, last: boolean): void {
    const dictionary = this.#tail;
    // Copied before the block is handed over to its worker; not at all when the compressor takes no dictionary.
    if (USES_DICTIONARY) this.#tail = block.slice(Math.max(0, block.byteLength - WINDOW));
    const job: BlockJob = { id: this.#nextId++, data: block, dictionary, last, level: this.level };
    const transfer: Transferable[] = [block.buffer];
    // A buffer given back goes with the block; with none, the worker makes one, which comes back in its turn.
    if (this.outputs.free > 0 && outputCapacity(block.byteLength) === this.outputs.size) {
      job.output = this.outputs.take().buffer;
      transfer.push(job.output);
    }
    this.#inFlight.add(this.runner.run(job, transfer));
  }

  /** Waits for the oldest blocks until at most `keep` are in flight, and writes them out in order. */
  emit(controller: TransformStreamDefaultController<Uint8Array>, keep: number): Promise<void> {
    return this.#inFlight.drain(keep, (done) => {
      this.crc = this.length === 0 ? done.crc : crc32Combine(this.crc, done.crc, done.length);
      this.length += done.length;
      this.buffers?.give(done.input.buffer as ArrayBuffer);
      if (done.spare) this.outputs.give(done.spare);
      for (const chunk of done.chunks) controller.enqueue(chunk);
    });
  }
}

export function parallelGzipStream(options: ParallelGzipOptions): ParallelGzip {
  const blockSize = options.blockSize ?? GZIP_BLOCK_SIZE;
  const maxInFlight = Math.max(1, 2 * options.workers);
  const buffers = options.buffers?.size === blockSize ? options.buffers : undefined;
  const filler = new BlockFiller(blockSize, () => buffers?.take() ?? new Uint8Array(blockSize), options.ownedChunks === true);
  let blocks: BlockSequence | undefined;
  /** A full block held back until we know whether more input follows: the last block is ended differently. */
  let held: Uint8Array | undefined;
  // Blocks are written into buffers given back from downstream (giveBack) rather than fresh ones: a fresh buffer
  // costs the page faults of its first writing, as the read buffers do (buffer-pool.ts). Measured on 256 MiB of
  // float16 weights, 2 workers (docs/benchmarks.md): each compression worker's CPU went from 0.60-0.63 s to 0.43-0.45.
  const outputs = new BufferPool(outputCapacity(blockSize));

  const stream = new TransformStream<Uint8Array, Uint8Array>({
    start(controller) {
      blocks = new BlockSequence(blockRunner(options.workers), options.level, buffers, outputs);
      controller.enqueue(gzipHeader(options.level));
    },
    async transform(chunk, controller) {
      const sequence = blocks as BlockSequence;
      try {
        await filler.push(chunk, async (block) => {
          if (held) sequence.dispatch(held, false);
          held = block;
          await sequence.emit(controller, maxInFlight - 1);
        });
      } catch (error) {
        sequence.runner.terminate();
        throw error;
      }
    },
    async flush(controller) {
      const sequence = blocks as BlockSequence;
      try {
        const rest = filler.rest;
        if (held && rest.byteLength === 0) sequence.dispatch(held, true);
        else {
          if (held) sequence.dispatch(held, false);
          sequence.dispatch(rest.slice(), true);
        }
        await sequence.emit(controller, 0);
        controller.enqueue(gzipTrailer(sequence.crc, sequence.length));
      } finally {
        sequence.runner.terminate();
      }
    },
  });
  // A stream cancelled from downstream (a failed upload) gets neither flush nor an error here.
  return Object.assign(stream, { terminate: () => blocks?.runner.terminate(), giveBack: (buffer: ArrayBuffer) => outputs.give(buffer) });
}
