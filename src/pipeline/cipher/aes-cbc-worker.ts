// The worker of aes-cbc-worker-stream.ts: AES-256-CBC with PKCS7 over a stream of chunks, in order, on a
// thread of its own, so that the serial cipher runs beside the main thread instead of on it.
//
// node:crypto because WebCrypto encrypts only whole messages (aes-cbc.ts cuts the stream into chunks for it)
// and, measured here in Bun on 256 MiB, runs at 436 MB/s that way against createCipheriv's 700 MB/s; Bun and
// Deno both implement createCipheriv in workers.
import { createCipheriv, type Cipheriv } from "node:crypto";
import { startsItsBuffer } from "../../bytes/whole-buffer.ts";

export type CipherJob = { kind: "start"; id: number; key: Uint8Array; iv: Uint8Array } | { kind: "data"; id: number; data: Uint8Array } | { kind: "end"; id: number };
export type CipherDone = { id: number; data: Uint8Array };
export type CipherResult = CipherDone | { id: number; error: string };

const scope = self as unknown as { onmessage: ((event: MessageEvent<CipherJob>) => void) | null; postMessage: (message: CipherResult, transfer?: Transferable[]) => void };
let cipher: Cipheriv | undefined;

/** ES2024's ArrayBuffer.prototype.transfer, which Bun and Deno have (this project's typings stop at ES2023). */
type Transferrable = ArrayBuffer & { transfer?: (length: number) => ArrayBuffer };

scope.onmessage = (event) => {
  const job = event.data;
  try {
    if (job.kind === "start") {
      cipher = createCipheriv("aes-256-cbc", job.key, job.iv);
      scope.postMessage({ id: job.id, data: new Uint8Array(0) });
      return;
    }
    if (!cipher) throw new Error("no key: the stream did not start");
    const out = job.kind === "data" ? cipher.update(job.data) : cipher.final();
    // Whether the output has its buffer to itself: Bun's update() allocates a block more than it fills (measured:
    // 1,228,800 bytes in a buffer of 1,228,816); a small output may be a view of a shared pool.
    const own = out.byteOffset === 0 && out.buffer instanceof ArrayBuffer && out.buffer.byteLength - out.byteLength <= 64;
    // The ciphertext goes back in the chunk's own buffer where it fits (the parallel gzip's blocks leave room:
    // block-deflate.ts, outputCapacity), and update()'s buffer is freed at once, on this thread, so that the next
    // update() is given the same memory: a fresh buffer each time costs its page faults, as the compressed
    // blocks' did (parallel-gzip.ts). Measured, 256 MiB of float16 weights, three pairs: this worker's CPU 0.41-0.43 s
    // without the free, 0.37-0.39 with it; the process's page faults 18.6-20.1 thousand against 16.5-17.3.
    const room = job.kind === "data" ? job.data : undefined;
    if (room && startsItsBuffer(room) && room.buffer.byteLength >= out.byteLength) {
      const data = new Uint8Array(room.buffer, 0, out.byteLength);
      data.set(out);
      if (own) (out.buffer as Transferrable).transfer?.(0);
      scope.postMessage({ id: job.id, data }, [data.buffer]);
      return;
    }
    // Transferred, not copied, when the output has its buffer to itself; else copied into one first.
    const data = own ? new Uint8Array(out.buffer as ArrayBuffer, 0, out.byteLength) : new Uint8Array(out);
    scope.postMessage({ id: job.id, data }, [data.buffer]);
  } catch (error) {
    scope.postMessage({ id: job.id, error: error instanceof Error ? error.message : String(error) });
  }
};
