// AES-256-CBC with PKCS7 as a stream stage whose cipher runs in a worker (aes-cbc-worker.ts): the same bytes as
// aes-cbc.ts (the IV, then the ciphertext of the whole input), for the multi-core path, where the main thread is
// the ceiling of the pipeline's speed. Measured on 256 MiB with 2 compression workers: the main thread's CPU
// fell from 0.74 s to 0.29 s with this and whole-block reads (deflate/gzip.ts: readOptionsFor), the cipher's 0.5 s moving
// to this worker.
//
// Chunks go to the worker as they come (transferred, not copied) and come back in order; at most IN_FLIGHT wait
// there, so memory stays bounded and backpressure reaches the compressor.
import { AES_CBC_WORKER_URL } from "../../worker-urls.ts";
import type { CipherDone, CipherJob } from "./aes-cbc-worker.ts";
import { startsItsBuffer } from "../../bytes/whole-buffer.ts";
import { InOrder } from "../in-order.ts";
import { WorkerPool } from "../worker-pool.ts";

/** Chunks (deflated blocks of about 1-2 MiB) waiting in the worker: enough to keep it busy. */
const IN_FLIGHT = 4;

/**
 * `ownedChunks`: the chunks are handed over and never used again upstream, each alone in its buffer from its
 * start (the parallel gzip's blocks): they go to the worker without a copy (transferred), and their ciphertext
 * comes back in the same buffer where it fits. Otherwise every chunk is copied first.
 */
export function aesCbcWorkerStream(
  key: Uint8Array<ArrayBuffer>,
  iv: Uint8Array<ArrayBuffer>,
  ownedChunks = false,
): TransformStream<Uint8Array, Uint8Array> & { terminate(): void } {
  if (key.byteLength !== 32) throw new RangeError("AES-256 needs a 32-byte key");
  if (iv.byteLength !== 16) throw new RangeError("AES-CBC needs a 16-byte IV");
  // One worker, so that the chunks are encrypted in the order they come.
  const pool = new WorkerPool<CipherJob, CipherDone>(AES_CBC_WORKER_URL, 1, {
    jobFailed: "encryption failed",
    workerFailed: "the encryption worker failed",
    stopped: "the encryption worker was stopped",
  });
  const terminate = () => pool.terminate();

  let nextId = 0;
  const inFlight = new InOrder<CipherDone>();
  const send = (job: CipherJob, transfer: Transferable[] = []) => inFlight.add(pool.run(job, transfer));
  /** Waits for the oldest chunks until at most `keep` are in flight, and writes them out in order. */
  const emit = (controller: TransformStreamDefaultController<Uint8Array>, keep: number) =>
    inFlight.drain(keep, (done) => controller.enqueue(done.data));

  const stream = new TransformStream<Uint8Array, Uint8Array>({
    async start(controller) {
      // Answered once the worker holds the key: a worker that cannot start fails here, not at the first chunk.
      await pool.run({ kind: "start", id: nextId++, key, iv });
      controller.enqueue(iv.slice());
    },
    async transform(chunk, controller) {
      try {
        const data = ownedChunks && startsItsBuffer(chunk) ? chunk : chunk.slice();
        send({ kind: "data", id: nextId++, data }, [data.buffer]);
        await emit(controller, IN_FLIGHT - 1);
      } catch (error) {
        terminate();
        throw error;
      }
    },
    async flush(controller) {
      try {
        send({ kind: "end", id: nextId++ });
        await emit(controller, 0);
      } finally {
        pool.terminate();
      }
    },
  });
  return Object.assign(stream, { terminate });
}
