// `npm run demo`: the main job, end to end, on this machine alone. Starts a real S3 server (Ceph radosgw,
// installed first if missing) and a local admin API, publishes a generated artifact through the real CLI,
// downloads it back with curl, decrypts and gunzips it with node:crypto and node:zlib (not our code), compares
// it with the original, and stops everything it started.
import { spawn } from "node:child_process";
import { createDecipheriv, createHash } from "node:crypto";
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { startAdminServer } from "../test/support/admin-server.ts";
import { curlDownload, startRadosgw, stopRadosgw } from "../test/support/s3.ts";

const SAMPLE_SIZE = 48 * 1024 * 1024;
const work = mkdtempSync(join(tmpdir(), "publish-artifact-demo-"));
const s3Dir = join(work, "radosgw");
const step = (text: string) => console.log(`\n▶ ${text}`);

function stopAll(admin?: { stop(): Promise<void> }) {
  stopRadosgw(s3Dir);
  void admin?.stop();
  rmSync(work, { recursive: true, force: true });
}

/** A deterministic sample: half pseudo-random bytes (like model weights), half repetitive text (like a tar). */
async function writeSample(path: string): Promise<void> {
  let x = 2463534242;
  const half = SAMPLE_SIZE / 2;
  function* chunks() {
    for (let done = 0; done < half; done += 1024 * 1024) {
      const chunk = new Uint8Array(1024 * 1024);
      for (let i = 0; i < chunk.length; i++) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        chunk[i] = x & 0xff;
      }
      yield chunk;
    }
    const line = new TextEncoder().encode("usr/lib/python3/site-packages/torch/lib/libtorch_cuda.so 0644 1000:1000\n");
    const block = new Uint8Array(1024 * 1024).map((_, i) => line[i % line.length] as number);
    for (let done = 0; done < half; done += block.length) yield block;
  }
  await pipeline(Readable.from(chunks()), createWriteStream(path));
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(createReadStream(path), hash);
  return hash.digest("hex");
}

async function main(): Promise<number> {
  step("Starting a local S3 server (Ceph radosgw on 127.0.0.1)");
  const s3 = startRadosgw(s3Dir);
  if (!s3) {
    console.error("demo: the S3 server did not start; see the messages above");
    return 1;
  }
  console.log(`  S3 endpoint ${s3.S3_ENDPOINT}, bucket ${s3.S3_BUCKET}`);

  step("Starting a local admin API");
  const admin = startAdminServer({ token: `demo-${crypto.randomUUID()}` });
  console.log(`  admin API ${admin.url}/internal/resources/publish`);
  try {
    const sample = join(work, "model.trt");
    step(`Generating a ${SAMPLE_SIZE / 1024 / 1024} MiB sample artifact`);
    await writeSample(sample);
    console.log(`  ${sample}`);

    const args = ["--file", sample, "--resource-name", "demo_model", "--dev-stage", "dev", "--architecture", "arm64"];
    args.push("--version", "2026-04-15", "--json");
    step(`Publishing it with the CLI: publish-artifact ${args.join(" ")}`);
    // Run where a user would, in a directory of its own: anything it writes (a recovery file) stays out of the checkout.
    const cli = spawn(process.execPath, [join(process.cwd(), "src", "main.ts"), ...args], {
      cwd: work,
      env: { ...process.env, ...s3, ADMIN_API_URL: admin.url, ADMIN_API_TOKEN: admin.token },
      stdio: ["ignore", "pipe", "inherit"],
    });
    const stdout: Buffer[] = [];
    cli.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    const code: number = await new Promise((resolve) => cli.on("exit", (status) => resolve(status ?? 1)));
    if (code !== 0) {
      console.error(`demo: the publish failed with exit code ${code}`);
      return 1;
    }
    const result = JSON.parse(Buffer.concat(stdout).toString()) as { object_key: string; sha256: string; size_bytes: number };
    console.log(`  --json printed: ${JSON.stringify(result)}`);

    const registration = admin.registrations[0]?.body as { encryption_key: string; sha256: string; size_bytes: number } | undefined;
    if (!registration) throw new Error("the admin API received no registration");
    step("The admin API received the registration");
    for (const [field, value] of Object.entries(registration)) {
      console.log(`  ${field.padEnd(15)} ${field === "encryption_key" ? "(64 hex digits, not shown)" : JSON.stringify(value)}`);
    }

    step("Downloading the object back with curl and checking it");
    const encrypted = join(work, "download.enc");
    const status = curlDownload(s3, result.object_key, encrypted);
    if (status !== 200) throw new Error(`download failed: HTTP ${status}`);
    const size = statSync(encrypted).size;
    const sha = await sha256File(encrypted);
    console.log(`  size    ${size} bytes ${size === registration.size_bytes ? "= registered size_bytes ✓" : "≠ registered size_bytes ✗"}`);
    console.log(`  sha256  ${sha} ${sha === registration.sha256 ? "= registered sha256 ✓" : "≠ registered sha256 ✗"}`);

    step("Decrypting with node:crypto (AES-256-CBC, IV = first 16 bytes) and gunzipping with node:zlib");
    const head = await readFile(encrypted);
    const iv = head.subarray(0, 16);
    const decipher = createDecipheriv("aes-256-cbc", Buffer.from(registration.encryption_key, "hex"), iv);
    const restored = join(work, "restored.trt");
    await pipeline(createReadStream(encrypted, { start: 16 }), decipher, createGunzip(), createWriteStream(restored));
    const [original, back] = await Promise.all([sha256File(sample), sha256File(restored)]);
    const same = original === back && statSync(sample).size === statSync(restored).size;
    console.log(`  original  ${original}\n  restored  ${back}`);
    console.log(same ? "\n✓ The restored artifact is identical to the original." : "\n✗ The restored artifact differs!");
    return same && size === registration.size_bytes && sha === registration.sha256 ? 0 : 1;
  } finally {
    step("Stopping the S3 server and the admin API");
    stopAll(admin);
  }
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    stopAll();
    process.exit(signal === "SIGINT" ? 130 : 143);
  });
}
process.exit(await main());
