// Workers that answer jobs by id: the parallel gzip's compression workers and the cipher's one worker. A worker
// that fails fails every job still waiting, so a stream never hangs on an answer that will not come. A pool must
// be terminated when its stream ends or is abandoned: a live worker keeps the process running.

/** What a job's failure, a worker's failure and a stopped pool are called in errors. */
export interface PoolWords {
  jobFailed: string;
  workerFailed: string;
  stopped: string;
}

export class WorkerPool<Job extends { id: number }, Done extends { id: number }> {
  readonly #workers: Worker[] = [];
  readonly #waiting = new Map<number, { resolve: (result: Done) => void; reject: (error: Error) => void }>();
  #failure: Error | undefined;

  constructor(
    url: string,
    readonly size: number,
    readonly words: PoolWords,
  ) {
    for (let i = 0; i < size; i++) {
      const worker = new Worker(url, { type: "module" });
      worker.onmessage = (event: MessageEvent<Done | { id: number; error: string }>) => this.#answer(event.data);
      worker.onerror = (event: ErrorEvent) => {
        event.preventDefault();
        this.#fail(new Error(`${words.workerFailed}: ${event.message}`));
      };
      this.#workers.push(worker);
    }
  }

  /** Run one job on worker `id % size` (so one worker answers in order); `transfer` is unusable here afterwards. */
  run(job: Job, transfer: Transferable[] = []): Promise<Done> {
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      this.#waiting.set(job.id, { resolve, reject });
      (this.#workers[job.id % this.size] as Worker).postMessage(job, transfer);
    });
  }

  terminate(): void {
    for (const worker of this.#workers) worker.terminate();
    this.#fail(new Error(this.words.stopped));
  }

  #answer(result: Done | { id: number; error: string }): void {
    const waiter = this.#waiting.get(result.id);
    if (!waiter) return;
    this.#waiting.delete(result.id);
    if ("error" in result) waiter.reject(new Error(`${this.words.jobFailed}: ${result.error}`));
    else waiter.resolve(result);
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    for (const waiter of this.#waiting.values()) waiter.reject(error);
    this.#waiting.clear();
  }
}
