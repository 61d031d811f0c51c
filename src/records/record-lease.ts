// Which run holds a resume record. The holder renews a lease on it by setting the file's mtime every second; a
// record whose mtime stands still for a few seconds belongs to a run that is gone (killed, preempted, its
// machine lost). Another run takes such a record over by renaming it to a name of its own: rename is atomic, so
// of two runs that find the same orphan only one gets it, and the other then sees the winner's renewals under
// the new name. This needs no pid file (a pid says nothing across containers sharing the folder, and Deno asks
// for a permission to test one), no flock (neither Bun nor node:fs offers it): only the file the record is.
//
// node:fs/promises for mtimes and rename, which no web API offers.
import { rename, stat, utimes } from "node:fs/promises";
import { sleep } from "../sleep.ts";

/** How often a holder renews its lease. */
export const RENEW_MS = 1000;

/**
 * How long an mtime must stand still before its holder counts as gone: four renewals missed. A holder's event
 * loop never stalls that long: the compression and the cipher run in workers or in 2 MiB steps, and the longest
 * step on the main thread, hashing a 64 MiB part, takes a fraction of a second.
 */
export const STALE_MS = 4000;

/**
 * An mtime this far in the past is no holder's: no need to watch it. A minute is far beyond any clock skew
 * between machines that would share a recovery folder, and below the few minutes a CI retry takes.
 */
const LONG_AGO_MS = 60_000;

const POLL_MS = 200;

export interface Lease {
  /** Stop renewing: the record is left to whoever comes next (or removed by the caller). */
  stop(): void;
}

/** Renew the lease on `path` every second until stopped; renewals never keep the process alive. */
export function holdLease(path: string): Lease {
  const timer = setInterval(() => {
    const now = new Date();
    // Gone: removed, or taken over by a run that thought us dead (a process stopped for seconds). Either way it
    // is not ours any more.
    utimes(path, now, now).catch(() => clearInterval(timer));
  }, RENEW_MS);
  (timer as { unref?: () => void }).unref?.();
  return { stop: () => clearInterval(timer) };
}

/** What became of a record another run may hold: now ours under `to`, renewed by a live holder, or gone. */
export type Claim = "claimed" | "held" | "gone";

/**
 * Take over the record at `path` (renamed to `to`) if no live run holds it: its mtime is long past, or stands
 * still for STALE_MS while we watch. A live holder's record is left alone.
 */
export async function claimRecord(path: string, to: string, signal?: AbortSignal): Promise<Claim> {
  const mtime = async () => (await stat(path)).mtimeMs;
  let first: number;
  try {
    first = await mtime();
    if (Date.now() - first < LONG_AGO_MS) {
      for (const until = performance.now() + STALE_MS; performance.now() < until; ) {
        await sleep(POLL_MS, signal);
        if ((await mtime()) !== first) return "held";
      }
    }
    // Touched first: a run that lists the folder after the rename finds the record renewed, and holds off.
    const now = new Date();
    await utimes(path, now, now);
    await rename(path, to);
    return "claimed";
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "gone";
    throw error;
  }
}

