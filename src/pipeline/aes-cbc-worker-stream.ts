// AES-256-CBC with PKCS7 as a stream stage whose cipher runs in a worker (aes-cbc-worker.ts): the same bytes as
// aes-cbc.ts (the IV, then the ciphertext of the whole input), for the multi-core path, where the main thread is
// the ceiling of the pipeline's speed. Measured on 256 MiB with 2 compression workers: the main thread's CPU
// fell from 0.74 s to 0.29 s with this and whole-block reads (gzip.ts: readSizeFor), the cipher's 0.5 s moving
// to this worker.
//
// Chunks go to the worker as they come (transferred, not copied) and come back in order; at most IN_FLIGHT wait
// there, so memory stays bounded and backpressure reaches the compressor.
import { AES_CBC_WORKER_URL } from "../worker-urls.ts";
import type { CipherJob, CipherResult } from "./aes-cbc-worker.ts";

/** Chunks (deflated blocks of about 1-2 MiB) waiting in the worker: enough to keep it busy. */
const IN_FLIGHT = 4;

/**
 * `ownedChunks`: the chunks are handed over and never used again upstream (the parallel gzip's blocks): one alone
 * in its buffer then goes to the worker without a copy (transferred). Otherwise every chunk is copied first.
 */
export function aesCbcWorkerStream(
  key: Uint8Array<ArrayBuffer>,
  iv: Uint8Array<ArrayBuffer>,
  ownedChunks = false,
): TransformStream<Uint8Array, Uint8Array> & { terminate(): void } {
  if (key.byteLength !== 32) throw new RangeError("AES-256 needs a 32-byte key");
  if (iv.byteLength !== 16) throw new RangeError("AES-CBC needs a 16-byte IV");
  const worker = new Worker(AES_CBC_WORKER_URL, { type: "module" });
  const waiting = new Map<number, { resolve: (data: Uint8Array) => void; reject: (error: Error) => void }>();
  let failure: Error | undefined;
  const fail = (error: Error) => {
    failure ??= error;
    for (const waiter of waiting.values()) waiter.reject(error);
    waiting.clear();
  };
  worker.onmessage = (event: MessageEvent<CipherResult>) => {
    const result = event.data;
    const waiter = waiting.get(result.id);
    if (!waiter) return;
    waiting.delete(result.id);
    if ("error" in result) waiter.reject(new Error(`encryption failed: ${result.error}`));
    else waiter.resolve(result.data);
  };
  worker.onerror = (event: ErrorEvent) => {
    event.preventDefault();
    fail(new Error(`the encryption worker failed: ${event.message}`));
  };
  const terminate = () => {
    worker.terminate();
    fail(new Error("the encryption worker was stopped"));
  };

  let nextId = 0;
  const inFlight: Promise<Uint8Array>[] = [];
  const send = (job: CipherJob, transfer: Transferable[] = []) => {
    if (failure) throw failure;
    const id = "id" in job ? job.id : -1;
    const answer = new Promise<Uint8Array>((resolve, reject) => waiting.set(id, { resolve, reject }));
    // Awaited in order below; if the stream is abandoned first, its failure is nobody's to report.
    answer.catch(() => {});
    worker.postMessage(job, transfer);
    inFlight.push(answer);
  };

  const stream = new TransformStream<Uint8Array, Uint8Array>({
    start(controller) {
      worker.postMessage({ kind: "start", key, iv } satisfies CipherJob);
      controller.enqueue(iv.slice());
    },
    async transform(chunk, controller) {
      try {
        const data = ownedChunks && chunk.byteOffset === 0 && chunk.buffer instanceof ArrayBuffer && chunk.buffer.byteLength === chunk.byteLength ? chunk : chunk.slice();
        send({ kind: "data", id: nextId++, data }, [data.buffer]);
        while (inFlight.length >= IN_FLIGHT) controller.enqueue(await (inFlight.shift() as Promise<Uint8Array>));
      } catch (error) {
        terminate();
        throw error;
      }
    },
    async flush(controller) {
      try {
        send({ kind: "end", id: nextId++ });
        while (inFlight.length > 0) controller.enqueue(await (inFlight.shift() as Promise<Uint8Array>));
      } finally {
        worker.terminate();
      }
    },
  });
  return Object.assign(stream, { terminate });
}
