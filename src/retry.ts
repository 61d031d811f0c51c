// Retries with exponential backoff and full jitter (a random wait between 0 and base × 2^attempt, capped), and
// a timeout for every attempt. The caller says which failures are worth another attempt.

export interface RetryPolicy {
  /** Attempts in all, the first included (1 = no retry). */
  attempts: number;
  /** Time allowed for one attempt, in milliseconds. */
  timeoutMs: number;
  /** First backoff ceiling; doubles on every retry. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  attempts: 5,
  timeoutMs: 120_000,
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

/** Why an attempt got no answer: its own timeout, the caller's interruption, or the network's words. */
export function attemptFailureReason(error: unknown, signal: AbortSignal): string {
  if (signal.aborted) return signal.reason instanceof AttemptTimeout ? signal.reason.message : "interrupted";
  return (error instanceof Error ? error.message : String(error)).replace(/\s+/g, " ").trim();
}

export function backoffDelay(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry));
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Run `attempt` until it succeeds, fails with an error `isRetryable` rejects, or the attempts run out. Each
 * attempt gets a signal that aborts on the caller's signal or when its own time runs out (with AttemptTimeout).
 */
export async function withRetry<T>(
  attempt: (signal: AbortSignal, attemptNumber: number) => Promise<T>,
  options: {
    policy: RetryPolicy;
    isRetryable: (error: unknown) => boolean;
    signal?: AbortSignal;
    /** Where the one-line notice of each retry goes. */
    log?: (line: string) => void;
  },
): Promise<T> {
  const { policy, signal } = options;
  for (let attemptNumber = 1; ; attemptNumber++) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new AttemptTimeout(policy.timeoutMs)), policy.timeoutMs);
    const onAbort = () => controller.abort(signal?.reason);
    if (signal?.aborted) onAbort();
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      return await attempt(controller.signal, attemptNumber);
    } catch (error) {
      if (signal?.aborted || attemptNumber >= policy.attempts || !options.isRetryable(error)) throw error;
      const delay = backoffDelay(policy, attemptNumber - 1);
      options.log?.(
        `${error instanceof Error ? error.message : String(error)}; retrying in ${(delay / 1000).toFixed(1)} s (attempt ${attemptNumber + 1} of ${policy.attempts})`,
      );
      await sleep(delay, signal);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    }
  }
}
