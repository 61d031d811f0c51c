// Progress on stderr for runs that take more than a second. On a terminal, one line redrawn in place; in a log
// (CI), a plain line each 10% or every 15 s, whichever comes later, so logs stay short.
import { formatBytes, formatDuration, printable } from "../format.ts";
import type { ProgressSink } from "../pipeline/encrypted-artifact.ts";

export type ProgressMode = "terminal" | "lines" | "off";

export interface ProgressOptions {
  mode: ProgressMode;
  /** Input size; undefined for a pipe. */
  total: number | undefined;
  /** Colour on a terminal (off when NO_COLOR is set). */
  color: boolean;
  /** Raw write to stderr, no newline added. */
  write: (text: string) => void;
  now?: () => number;
}

const QUIET_START_MS = 1000;
const TERMINAL_REDRAW_MS = 200;
const LINE_MIN_INTERVAL_MS = 15_000;
const LINE_MIN_STEP = 0.1;
const CLEAR_LINE = "\r\x1b[2K";

export class Progress implements ProgressSink {
  readonly #options: ProgressOptions;
  readonly #now: () => number;
  readonly #started: number;
  #read = 0;
  #produced = 0;
  #uploaded = 0;
  #resumed = 0;
  #sending = 0;
  #step: string | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #drawn = false;
  #lastLineAt: number;
  #lastLineFraction = 0;

  constructor(options: ProgressOptions) {
    this.#options = options;
    this.#now = options.now ?? (() => performance.now());
    this.#started = this.#now();
    this.#lastLineAt = this.#started;
  }

  read(bytes: number): void {
    this.#read += bytes;
  }

  produced(bytes: number): void {
    this.#produced += bytes;
  }

  uploaded(bytes: number): void {
    this.#uploaded += bytes;
  }

  resumed(bytes: number): void {
    this.#resumed += bytes;
  }

  sending(bytes: number): void {
    this.#sending = bytes;
  }

  /**
   * A last step, after the bytes: on a terminal it ends the line from now on; in a log it is a line of its own at
   * once (once progress shows at all: a run under a second says nothing of its steps either).
   */
  step(text: string): void {
    this.#step = text;
    if (this.#options.mode === "lines" && this.#now() - this.#started >= QUIET_START_MS) this.#options.write(`publish-artifact: ${printable(text)}\n`);
    else if (this.#options.mode === "terminal") this.tick();
  }

  /** Begin drawing on a timer (which never keeps the process alive). */
  start(): this {
    if (this.#options.mode === "off") return this;
    this.#timer = setInterval(() => this.tick(), this.#options.mode === "terminal" ? TERMINAL_REDRAW_MS : 1000);
    (this.#timer as { unref?: () => void }).unref?.();
    return this;
  }

  /** Draw now if it is time to. */
  tick(): void {
    const now = this.#now();
    const elapsed = now - this.#started;
    if (this.#options.mode === "off" || elapsed < QUIET_START_MS) return;
    if (this.#options.mode === "terminal") {
      this.#options.write(`${CLEAR_LINE}${this.#describe(elapsed)}`);
      this.#drawn = true;
      return;
    }
    const fraction = this.#options.total ? this.#read / this.#options.total : undefined;
    const stepped = fraction === undefined || fraction - this.#lastLineFraction >= LINE_MIN_STEP;
    if (now - this.#lastLineAt >= LINE_MIN_INTERVAL_MS && stepped) {
      this.#options.write(`publish-artifact: ${this.#describe(elapsed)}\n`);
      this.#lastLineAt = now;
      this.#lastLineFraction = fraction ?? 0;
    }
  }

  /** Print a line of its own without garbling the progress line. */
  note(line: string): void {
    if (this.#drawn) this.#options.write(CLEAR_LINE);
    this.#drawn = false;
    this.#options.write(`${printable(line)}\n`);
  }

  /** Stop drawing and leave the terminal line clean for what follows. */
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#drawn) this.#options.write(CLEAR_LINE);
    this.#drawn = false;
  }

  #describe(elapsedMs: number): string {
    const { total, color } = this.#options;
    const rate = this.#read / (elapsedMs / 1000);
    const percent = total ? Math.min(100, Math.floor((this.#read / total) * 100)) : undefined;
    const highlight = (text: string) => (color ? `\x1b[1m${text}\x1b[22m` : text);
    const read =
      total === undefined
        ? `${formatBytes(this.#read)} read`
        : `${highlight(`${percent}%`)} read (${formatBytes(this.#read)} of ${formatBytes(total)})`;
    const eta = total && rate > 0 && this.#read < total ? `, ETA ${formatDuration((total - this.#read) / rate)}` : "";
    const resumed = this.#resumed > 0 ? ` (${formatBytes(this.#resumed)} already in S3)` : "";
    // Counted as the connections take the bytes, not only once S3 answers for a whole part.
    const up = formatBytes(this.#uploaded + this.#sending);
    const step = this.#step === undefined ? "" : `; ${printable(this.#step)}`;
    return `${read}, ${formatBytes(this.#produced)} encrypted, ${up} uploaded${resumed}, ${formatBytes(rate)}/s${eta}${step}`;
  }
}
