import { describe, expect, test } from "bun:test";
import { Progress, type ProgressMode } from "../../src/cli/progress.ts";

function harness(mode: ProgressMode, total: number | undefined, color = false) {
  let now = 0;
  const out: string[] = [];
  const progress = new Progress({ mode, total, color, write: (text) => out.push(text), now: () => now });
  return {
    progress,
    out,
    at(ms: number) {
      now = ms;
      progress.tick();
    },
  };
}

describe("Progress", () => {
  test("what the connections have taken counts as uploaded until S3 answers for it; the last steps end the line, or are lines", () => {
    const h = harness("terminal", 100 * 1024 * 1024);
    h.progress.read(100 * 1024 * 1024);
    h.progress.produced(100 * 1024 * 1024);
    h.progress.uploaded(64 * 1024 * 1024);
    h.progress.sending(20 * 1024 * 1024);
    h.at(2000);
    expect(h.out.at(-1)).toContain(", 84.0 MiB uploaded,");
    h.progress.sending(0);
    h.progress.uploaded(36 * 1024 * 1024);
    h.progress.step("completing the multipart upload");
    expect(h.out.at(-1)).toEndWith(", 100.0 MiB uploaded, 50.0 MiB/s; completing the multipart upload");
    const log = harness("lines", 100);
    log.progress.step("too early to say");
    expect(log.out).toEqual([]);
    log.at(1500);
    log.progress.step("registering at admin.example.com");
    expect(log.out).toEqual(["publish-artifact: registering at admin.example.com\n"]);
  });

  test("says nothing in the first second", () => {
    const h = harness("terminal", 100);
    h.progress.read(50);
    h.at(900);
    expect(h.out).toEqual([]);
  });

  test("on a terminal: one line redrawn in place with read, total, percent, encrypted, uploaded, rate, ETA", () => {
    const h = harness("terminal", 4 * 1024 * 1024);
    h.progress.read(1024 * 1024);
    h.progress.produced(512 * 1024);
    h.progress.uploaded(256 * 1024);
    h.at(2000);
    expect(h.out).toEqual(["\r\x1b[2K25% read (1.0 MiB of 4.0 MiB), 512.0 KiB encrypted, 256.0 KiB uploaded, 512.0 KiB/s, ETA 6 s"]);
    h.progress.note("publish-artifact: retrying");
    h.progress.stop();
    expect(h.out.slice(1)).toEqual(["\r\x1b[2K", "publish-artifact: retrying\n"]);
  });

  test("colour only when asked: the percentage in bold with colour, no SGR code without (the CLI asks unless NO_COLOR)", () => {
    const coloured = harness("terminal", 100, true);
    coloured.progress.read(50);
    coloured.at(1500);
    expect(coloured.out[0]).toContain("\x1b[1m50%\x1b[22m");
    const plain = harness("terminal", 100, false);
    plain.progress.read(50);
    plain.at(1500);
    expect(plain.out[0]).toContain("50%");
    expect(plain.out[0]).not.toMatch(/\x1b\[[\d;]*m/);
  });

  test("in a log: a plain line at each 10% or every 15 s, whichever comes later", () => {
    const h = harness("lines", 1000);
    h.progress.read(300);
    h.at(10_000); // 30% but only 10 s
    expect(h.out).toEqual([]);
    h.at(15_000); // 15 s and 30%: a line
    expect(h.out.length).toBe(1);
    expect(h.out[0]).toStartWith("publish-artifact: 30% read (300 B of 1000 B)");
    expect(h.out[0]).toEndWith("\n");
    h.progress.read(50);
    h.at(40_000); // 25 s later but only 5% more: nothing
    expect(h.out.length).toBe(1);
    h.progress.read(60);
    h.at(41_000); // 11% more and 26 s later: a line
    expect(h.out.length).toBe(2);
    h.progress.stop();
    expect(h.out.length).toBe(2);
  });

  test("in a log with an unknown size (stdin): every 15 s, no percent or ETA", () => {
    const h = harness("lines", undefined);
    h.progress.read(2048);
    h.at(15_000);
    h.at(20_000);
    h.at(30_000);
    expect(h.out).toEqual([
      "publish-artifact: 2.0 KiB read, 0 B encrypted, 0 B uploaded, 137 B/s\n",
      "publish-artifact: 2.0 KiB read, 0 B encrypted, 0 B uploaded, 68 B/s\n",
    ]);
  });

  test("off (--quiet) never writes", () => {
    const h = harness("off", 100);
    h.progress.read(100);
    h.at(60_000);
    h.progress.stop();
    expect(h.out).toEqual([]);
  });
});
