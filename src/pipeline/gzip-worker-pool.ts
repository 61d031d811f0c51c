// The workers of the parallel gzip. Each job is answered by id; a worker that fails fails every job still
// waiting, so a stream never hangs on an answer that will not come. A pool must be terminated when its stream
// ends or is abandoned: a live worker keeps the process running.
import { GZIP_WORKER_URL } from "../worker-urls.ts";
import type { BlockJob, BlockResult } from "./gzip-worker.ts";

export type BlockDone = Extract<BlockResult, { crc: number }>;

export class GzipWorkerPool {
  readonly #workers: Worker[] = [];
  readonly #waiting = new Map<number, { resolve: (result: BlockDone) => void; reject: (error: Error) => void }>();
  #failure: Error | undefined;

  constructor(readonly size: number) {
    for (let i = 0; i < size; i++) {
      const worker = new Worker(GZIP_WORKER_URL, { type: "module" });
      worker.onmessage = (event: MessageEvent<BlockResult>) => this.#answer(event.data);
      worker.onerror = (event: ErrorEvent) => {
        event.preventDefault();
        this.#fail(new Error(`a compression worker failed: ${event.message}`));
      };
      this.#workers.push(worker);
    }
  }

  /** Compress one block; `job.data` is transferred to the worker and unusable here afterwards. */
  run(job: BlockJob): Promise<BlockDone> {
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      this.#waiting.set(job.id, { resolve, reject });
      (this.#workers[job.id % this.size] as Worker).postMessage(job, [job.data.buffer]);
    });
  }

  terminate(): void {
    for (const worker of this.#workers) worker.terminate();
    this.#fail(new Error("the compression workers were stopped"));
  }

  #answer(result: BlockResult): void {
    const waiter = this.#waiting.get(result.id);
    if (!waiter) return;
    this.#waiting.delete(result.id);
    if ("error" in result) waiter.reject(new Error(`compression failed: ${result.error}`));
    else waiter.resolve(result);
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    for (const waiter of this.#waiting.values()) waiter.reject(error);
    this.#waiting.clear();
  }
}
