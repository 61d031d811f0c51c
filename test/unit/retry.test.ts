import { describe, expect, test } from "bun:test";
import { AttemptTimeout, backoffDelay, withRetry, type RetryPolicy } from "../../src/http/retry.ts";

// Milliseconds, so that the real timers behind the retries stay quick; the rules are the same at any scale.
const policy: RetryPolicy = { attempts: 4, timeoutMs: 60, silentAttempts: 2, baseDelayMs: 1, maxDelayMs: 4 };

describe("backoffDelay", () => {
  test("full jitter: from 0 up to base × 2^retry, capped", () => {
    const p = { ...policy, baseDelayMs: 100, maxDelayMs: 1000 };
    expect(backoffDelay(p, 0, () => 0)).toBe(0);
    expect(backoffDelay(p, 0, () => 0.999)).toBe(99);
    expect(backoffDelay(p, 3, () => 0.5)).toBe(400);
    expect(backoffDelay(p, 10, () => 0.999)).toBe(999);
    for (let i = 0; i < 1000; i++) {
      const delay = backoffDelay(p, 2);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(400);
    }
  });
});

describe("withRetry", () => {
  test("a non-retryable error is thrown after one attempt, with no notice", async () => {
    let attempts = 0;
    const notices: string[] = [];
    const error = await withRetry(
      async () => {
        attempts++;
        throw new Error("403 for good");
      },
      { policy, isRetryable: () => false, log: (line) => notices.push(line) },
    ).catch((e: unknown) => e);
    expect((error as Error).message).toBe("403 for good");
    expect(attempts).toBe(1);
    expect(notices).toEqual([]);
  });

  test("a retryable error is tried `attempts` times, one notice per retry unless quiet; isRetryable sees the attempt number", async () => {
    const seen: number[] = [];
    const notices: string[] = [];
    await withRetry(
      async () => {
        throw new Error("503");
      },
      { policy, isRetryable: (_e, n) => (seen.push(n), true), log: (line) => notices.push(line) },
    ).catch(() => {});
    expect(seen).toEqual([1, 2, 3]);
    expect(notices.length).toBe(3);
    expect(notices[0]).toMatch(/^503; retrying in 0\.0 s \(attempt 2 of 4\)$/);
    const quiet: string[] = [];
    await withRetry(
      async () => {
        throw new Error("refused");
      },
      { policy, isRetryable: () => true, quiet: () => true, log: (line) => quiet.push(line) },
    ).catch(() => {});
    expect(quiet).toEqual([]);
  });

  test("an attempt without progress times out with AttemptTimeout; progress() and allow() keep it alive", async () => {
    // Wide margins, so that a loaded machine's late timers do not decide the outcome.
    const slow = { ...policy, attempts: 1, timeoutMs: 200 };
    const stalled = await withRetry((signal) => new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason))), {
      policy: slow,
      isRetryable: () => false,
    }).catch((e: unknown) => e);
    expect(stalled).toBeInstanceOf(AttemptTimeout);

    // Twice the timeout in all, a quarter of it between two signs of progress.
    const moving = await withRetry(
      async (signal, _n, clock) => {
        for (let i = 0; i < 8; i++) {
          await Bun.sleep(50);
          if (signal.aborted) throw signal.reason;
          clock.progress();
        }
        return "done";
      },
      { policy: slow, isRetryable: () => false },
    );
    expect(moving).toBe("done");

    const allowed = await withRetry(
      async (signal, _n, clock) => {
        clock.allow(600);
        await Bun.sleep(400);
        if (signal.aborted) throw signal.reason;
        return "done";
      },
      { policy: slow, isRetryable: () => false },
    );
    expect(allowed).toBe("done");
  });

  test("the caller's abort stops at once and is not retried", async () => {
    const controller = new AbortController();
    let attempts = 0;
    const pending = withRetry(
      (signal) => {
        attempts++;
        return new Promise((_, reject) => signal.addEventListener("abort", () => reject(new Error("aborted"))));
      },
      { policy: { ...policy, timeoutMs: 10_000 }, isRetryable: () => true, signal: controller.signal },
    ).catch((e: unknown) => e);
    controller.abort("SIGINT");
    expect(((await pending) as Error).message).toBe("aborted");
    expect(attempts).toBe(1);
  });
});
