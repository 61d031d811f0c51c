// A worker of the parallel gzip (parallel-gzip.ts): compresses one block (block-deflate.ts) per message.
import { compressBlock, type BlockDone, type BlockJob } from "./block-deflate.ts";

type BlockResult = BlockDone | { id: number; error: string };

const scope = self as unknown as { onmessage: ((event: MessageEvent<BlockJob>) => void) | null; postMessage: (message: BlockResult, transfer?: Transferable[]) => void };

scope.onmessage = (event) => {
  const job = event.data;
  try {
    const done = compressBlock(job);
    // The block's buffer goes back too, to be read into again (buffer-pool.ts).
    scope.postMessage(done, [...done.chunks.map((chunk) => chunk.buffer), job.data.buffer, ...(done.spare ? [done.spare] : [])]);
  } catch (error) {
    scope.postMessage({ id: job.id, error: error instanceof Error ? error.message : String(error) });
  }
};
