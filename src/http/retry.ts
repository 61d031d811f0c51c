// Retries with exponential backoff and full jitter (a random wait between 0 and base × 2^attempt, capped), and
// a timeout for every attempt. The caller says which failures are worth another attempt.
import type { NoAnswer } from "../errors.ts";
import { sleep } from "../sleep.ts";
import { classifyNetworkFailure } from "./network-error.ts";

export interface RetryPolicy {
  /** Attempts in all, the first included (1 = no retry). */
  attempts: number;
  /**
   * Time an attempt may go without progress (no answer yet and, for uploads that can report it, no body bytes
   * taken), in milliseconds. An upload that keeps moving is never cut, however long it takes.
   */
  timeoutMs: number;
  /**
   * Attempts allowed when a server that has not answered once in this run times out: a host that accepts
   * connections and never answers should fail in about a minute, not after every retry.
   */
  silentAttempts: number;
  /** First backoff ceiling; doubles on every retry. */
  baseDelayMs: number;
  maxDelayMs: number;
}

// 30 s without progress: radosgw and AWS S3 answer small requests in milliseconds (p99 well under a second)
// and take a part's bytes continuously, so 30 s of silence means a dead peer, not a slow one; with
// `silentAttempts` 2, a host that never answers fails in about a minute (the budget: 90 s).
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  attempts: 5,
  timeoutMs: 30_000,
  silentAttempts: 2,
  baseDelayMs: 250,
  maxDelayMs: 20_000,
};

/** Thrown into an attempt whose time ran out, so the caller can tell it from the user's own abort. */
export class AttemptTimeout extends Error {
  constructor(readonly timeoutMs: number) {
    super(`timed out after ${timeoutMs / 1000} s`);
    this.name = "AttemptTimeout";
  }
}

/**
 * Why an attempt to `url` got no answer: its own timeout, the caller's interruption, or the network's words.
 * An untrusted certificate is permanent: no retry makes it trusted; so is a server that does not speak TLS.
 */
export function noAnswerOf(error: unknown, signal: AbortSignal, url: URL): NoAnswer {
  const where = { host: url.host, origin: url.origin };
  if (signal.aborted) {
    const timedOut = signal.reason instanceof AttemptTimeout;
    return { ...where, cause: timedOut ? `no answer within ${signal.reason.timeoutMs / 1000} s` : "interrupted", permanent: false, timedOut, wrongPlace: false };
  }
  const failure = classifyNetworkFailure(error);
  const wrongPlace = failure.kind === "refused" || failure.kind === "dns" || failure.kind === "not-tls";
  return { ...where, cause: failure.cause, permanent: failure.kind === "tls" || failure.kind === "not-tls", timedOut: false, wrongPlace };
}

export function backoffDelay(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry));
}

/**
 * The time limit of one attempt: it fires after `timeoutMs` without progress. `progress()` (body bytes taken
 * by the connection) starts the wait again.
 */
export interface AttemptClock {
  progress(): void;
  /** Allow this one attempt `ms` more before the next wait starts: for progress that cannot be seen. */
  allow(ms: number): void;
}

/**
 * Run `attempt` until it succeeds, fails with an error `isRetryable` rejects, or the attempts run out. Each
 * attempt gets a signal that aborts on the caller's signal or when its own time runs out (with AttemptTimeout).
 */
export async function withRetry<T>(
  attempt: (signal: AbortSignal, attemptNumber: number, clock: AttemptClock) => Promise<T>,
  options: {
    policy: RetryPolicy;
    isRetryable: (error: unknown, attemptNumber: number) => boolean;
    signal?: AbortSignal;
    /** Where the one-line notice of each retry goes. */
    log?: (line: string) => void;
    /** Failures retried without a notice: quick ones (a refused connection) whose final error says it all. */
    quiet?: (error: unknown) => boolean;
  },
): Promise<T> {
  const { policy, signal } = options;
  for (let attemptNumber = 1; ; attemptNumber++) {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const wait = (ms: number) => {
      clearTimeout(timer);
      if (!controller.signal.aborted) timer = setTimeout(() => controller.abort(new AttemptTimeout(policy.timeoutMs)), ms);
    };
    wait(policy.timeoutMs);
    const clock: AttemptClock = {
      progress: () => wait(policy.timeoutMs),
      allow: (ms) => wait(policy.timeoutMs + ms),
    };
    const onAbort = () => controller.abort(signal?.reason);
    if (signal?.aborted) onAbort();
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      return await attempt(controller.signal, attemptNumber, clock);
    } catch (error) {
      if (signal?.aborted || attemptNumber >= policy.attempts || !options.isRetryable(error, attemptNumber)) throw error;
      const delay = backoffDelay(policy, attemptNumber - 1);
      if (!options.quiet?.(error)) {
        options.log?.(
          `${error instanceof Error ? error.message : String(error)}; retrying in ${(delay / 1000).toFixed(1)} s (attempt ${attemptNumber + 1} of ${policy.attempts})`,
        );
      }
      await sleep(delay, signal);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    }
  }
}
