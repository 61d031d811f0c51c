// The compressed stream, and so the ciphertext under a kept key and IV, is the same whatever --workers is and
// whichever build makes it: Bun from source, the x64 binary and the arm64 binary (under qemu). A resumed upload
// may run on another box with other cores. Each run's gzip member is read back by openssl with that run's own
// key, not by our code. Deno's deflate is zlib, whose bytes differ (a resume across runtimes starts afresh).
import { expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { nameFlags, useE2e } from "../support/e2e.ts";
import { spawnCli, type Runtime } from "../support/spawn-cli.ts";
import { pseudoRandomBytes } from "../support/streams.ts";

const e2e = useE2e();

/** The gzip member inside an --output file, decrypted by openssl with the key of its metadata file. */
function gzipMemberOf(encrypted: string): Buffer {
  const key = JSON.parse(readFileSync(`${encrypted}.json`, "utf8")).payload.encryption_key as string;
  const bytes = readFileSync(encrypted);
  const body = `${encrypted}.body`;
  writeFileSync(body, bytes.subarray(16));
  const result = spawnSync("openssl", ["enc", "-d", "-aes-256-cbc", "-K", key, "-iv", bytes.subarray(0, 16).toString("hex"), "-in", body], { maxBuffer: 1 << 30 });
  expect(result.status).toBe(0);
  return result.stdout;
}

test("the same gzip member with --workers 0, 1 and 2, from Bun, the x64 binary and the arm64 binary", async () => {
  const file = join(e2e.work, "mixed.bin");
  const text = new TextEncoder().encode("conv1.weight float16 [64, 3, 7, 7] offset 0x00001000\n".repeat(50_000));
  writeFileSync(file, Buffer.concat([text, pseudoRandomBytes(3 * 1024 * 1024 + 7, 11)]));
  const runs: [Runtime, string][] = [
    ["bun", "0"],
    ["bun", "2"],
    ["binary-x64", "0"],
    ["binary-x64", "1"],
    ["binary-x64", "2"],
    ["binary-arm64", "2"],
  ];
  const members: Buffer[] = [];
  for (const [runtime, workers] of runs) {
    const out = join(e2e.work, `${runtime}-${workers}.enc`);
    const run = await spawnCli(runtime, ["--file", file, ...nameFlags("det"), "--output", out, "--workers", workers, "--quiet"], {}, e2e.work);
    expect(run.code).toBe(0);
    members.push(gzipMemberOf(out));
  }
  for (const [i, member] of members.entries()) expect(`${runs[i]?.join(" --workers ")}: ${member.equals(members[0] as Buffer)}`).toBe(`${runs[i]?.join(" --workers ")}: true`);
  expect(Buffer.from(spawnSync("gunzip", ["-c"], { input: members[0], maxBuffer: 1 << 30 }).stdout).equals(readFileSync(file))).toBe(true);
  // Each run had its own key: the ciphertexts differ while what they hold does not.
  expect(readFileSync(join(e2e.work, "bun-0.enc")).equals(readFileSync(join(e2e.work, "bun-2.enc")))).toBe(false);
});
