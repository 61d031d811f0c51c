// A worker of the parallel gzip (parallel-gzip.ts): deflates one block with the previous block's last 32 KiB as
// its dictionary, ends it with a sync flush (or, for the last block, the final block), and checksums it.
//
// node:zlib because CompressionStream has no level, no preset dictionary and no sync flush, all of which
// compressing independent blocks into one gzip stream needs; Bun and Deno both implement these.
import { constants, crc32, deflateRawSync } from "node:zlib";

export interface BlockJob {
  id: number;
  data: Uint8Array;
  dictionary: Uint8Array;
  last: boolean;
  level: number;
}

export type BlockResult = { id: number; deflated: Uint8Array; crc: number; length: number } | { id: number; error: string };

const scope = self as unknown as { onmessage: ((event: MessageEvent<BlockJob>) => void) | null; postMessage: (message: BlockResult, transfer?: Transferable[]) => void };

scope.onmessage = (event) => {
  const job = event.data;
  try {
    const compressed = deflateRawSync(job.data, {
      level: job.level,
      ...(job.dictionary.byteLength > 0 ? { dictionary: job.dictionary } : {}),
      finishFlush: job.last ? constants.Z_FINISH : constants.Z_SYNC_FLUSH,
    });
    // A buffer of its own, so that it can be transferred rather than copied.
    const deflated = new Uint8Array(compressed.byteLength);
    deflated.set(compressed);
    scope.postMessage({ id: job.id, deflated, crc: crc32(job.data) >>> 0, length: job.data.byteLength }, [deflated.buffer]);
  } catch (error) {
    scope.postMessage({ id: job.id, error: error instanceof Error ? error.message : String(error) });
  }
};
