// The lease on a resume record, on real files: a live holder's record is never taken; a record whose holder is
// gone is taken by exactly one of the runs that want it.
import { expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { STALE_MS, claimRecord, holdLease } from "../../src/records/record-lease.ts";

function folder(): string {
  return mkdtempSync(join(tmpdir(), "publish-artifact-lease-"));
}

test("a record whose holder renews its lease is left alone; once it stops, the record is taken (renamed)", async () => {
  const dir = folder();
  try {
    const path = join(dir, "record");
    writeFileSync(path, "x");
    const lease = holdLease(path);
    expect(await claimRecord(path, join(dir, "mine"))).toBe("held");
    expect(existsSync(path)).toBe(true);
    lease.stop();
    const started = performance.now();
    expect(await claimRecord(path, join(dir, "mine"))).toBe("claimed");
    // Not before the holder has been silent for STALE_MS.
    expect(performance.now() - started).toBeGreaterThanOrEqual(STALE_MS - 50);
    expect([existsSync(path), existsSync(join(dir, "mine"))]).toEqual([false, true]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 20_000);

test("a record last renewed long ago is taken at once; of several runs that want it, exactly one gets it", async () => {
  const dir = folder();
  try {
    const path = join(dir, "record");
    writeFileSync(path, "x");
    const hourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(path, hourAgo, hourAgo);
    const started = performance.now();
    const claims = await Promise.all([1, 2, 3, 4].map((n) => claimRecord(path, join(dir, `run-${n}`))));
    expect(performance.now() - started).toBeLessThan(STALE_MS);
    expect(claims.filter((c) => c === "claimed")).toHaveLength(1);
    expect(claims.filter((c) => c === "gone")).toHaveLength(3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a record that is gone is reported gone", async () => {
  const dir = folder();
  try {
    expect(await claimRecord(join(dir, "nothing"), join(dir, "mine"))).toBe("gone");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
