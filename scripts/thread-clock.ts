// CPU time per thread of this process, for the benchmark: Linux's /proc/self/task/TID/stat, sampled every
// 50 ms while the work runs (a compression worker's thread is gone once the pipeline ends, and its time with
// it, so the last sample before it ended is what counts). The main thread is the one whose id is the process
// id; Bun names the threads of Workers "Worker".
import { readdirSync, readFileSync } from "node:fs";

/** Clock ticks per second: USER_HZ, 100 on every Linux that Bun and Deno run on. */
const TICKS_PER_SECOND = 100;

export interface ThreadTimes {
  /** CPU seconds (user + system) of the main thread. */
  main: number;
  /** CPU seconds of each Worker thread. */
  workers: number[];
  /** CPU seconds of every other thread (JIT, garbage collector, I/O pool). */
  other: number;
}

export class ThreadClock {
  readonly #ticks = new Map<string, { name: string; ticks: number }>();
  readonly #timer: ReturnType<typeof setInterval>;

  constructor() {
    this.#timer = setInterval(() => this.#sample(), 50);
  }

  #sample(): void {
    for (const tid of readdirSync("/proc/self/task")) {
      try {
        const name = readFileSync(`/proc/self/task/${tid}/comm`, "utf8").trim();
        const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
        // Fields after the ")" that closes the thread's name: utime and stime are the 12th and 13th.
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        this.#ticks.set(tid, { name, ticks: Number(fields[11]) + Number(fields[12]) });
      } catch {
        // The thread ended between the listing and the read: its last sample stands.
      }
    }
  }

  stop(): ThreadTimes {
    this.#sample();
    clearInterval(this.#timer);
    const times: ThreadTimes = { main: 0, workers: [], other: 0 };
    for (const [tid, { name, ticks }] of this.#ticks) {
      const seconds = ticks / TICKS_PER_SECOND;
      if (tid === String(process.pid)) times.main += seconds;
      else if (name === "Worker") times.workers.push(seconds);
      else times.other += seconds;
    }
    return times;
  }
}
