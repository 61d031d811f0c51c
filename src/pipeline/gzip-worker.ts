// A worker of the parallel gzip (parallel-gzip.ts): deflates one block (block-deflate.ts) and checksums it.
//
// node:zlib's crc32, which Bun and Deno both implement; the web platform has no CRC-32.
import { crc32 } from "node:zlib";
import { deflateBlock, type DeflateLibrary } from "./block-deflate.ts";

export interface BlockJob {
  id: number;
  data: Uint8Array;
  /** The previous block's last 32 KiB, for a compressor that takes a preset dictionary. */
  dictionary: Uint8Array;
  last: boolean;
  level: number;
}

export type BlockResult =
  | { id: number; chunks: Uint8Array[]; library: DeflateLibrary; crc: number; length: number; input: Uint8Array }
  | { id: number; error: string };

const scope = self as unknown as { onmessage: ((event: MessageEvent<BlockJob>) => void) | null; postMessage: (message: BlockResult, transfer?: Transferable[]) => void };

scope.onmessage = (event) => {
  const job = event.data;
  try {
    const { chunks, library } = deflateBlock(job.data, job.dictionary, job.last, job.level);
    const crc = crc32(job.data) >>> 0;
    // The block's buffer goes back too, to be read into again (buffer-pool.ts).
    const transfer = [...chunks.map((chunk) => chunk.buffer), job.data.buffer];
    scope.postMessage({ id: job.id, chunks, library, crc, length: job.data.byteLength, input: job.data }, transfer);
  } catch (error) {
    scope.postMessage({ id: job.id, error: error instanceof Error ? error.message : String(error) });
  }
};
