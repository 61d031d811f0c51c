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
  | { id: number; chunks: Uint8Array[]; library: DeflateLibrary; crc: number; length: number }
  | { id: number; error: string };

const scope = self as unknown as { onmessage: ((event: MessageEvent<BlockJob>) => void) | null; postMessage: (message: BlockResult, transfer?: Transferable[]) => void };

scope.onmessage = (event) => {
  const job = event.data;
  try {
    const { chunks, library } = deflateBlock(job.data, job.dictionary, job.last, job.level);
    scope.postMessage({ id: job.id, chunks, library, crc: crc32(job.data) >>> 0, length: job.data.byteLength }, chunks.map((chunk) => chunk.buffer));
  } catch (error) {
    scope.postMessage({ id: job.id, error: error instanceof Error ? error.message : String(error) });
  }
};
