import { expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ResumeRecord, readResumeRecord } from "../../src/records/resume-record.ts";

const header = {
  endpoint: "http://127.0.0.1:7480",
  bucket: "b",
  object_key: "dev/m-arm64-1.enc",
  part_size: 5242880,
  encryption_key: "a".repeat(64),
  iv: "b".repeat(32),
  compression: { level: 6, block_size: 2097152, deflate_library: "libdeflate" as const },
  input: { path: "/x/model.trt", size: 123, mtime_ns: "1733550000123456789", inode: "42" },
};

test("a record is written 0600 under its final name only once S3 gave the upload an id; parts are appended; remove() ends it", async () => {
  const dir = mkdtempSync(join(tmpdir(), "publish-artifact-resume-"));
  try {
    const record = new ResumeRecord(dir, header);
    await record.partDone({ partNumber: 1, size: 1, sha256: "c".repeat(64), etag: '"e"' });
    expect(readdirSync(dir)).toEqual([]);
    await record.started("2~upload-id");
    for (const n of [1, 2]) await record.partDone({ partNumber: n, size: 5242880, sha256: String(n).repeat(64), etag: `"etag-${n}"` });
    const path = record.path as string;
    expect(readdirSync(dir)).toEqual([path.split("/").at(-1) as string]);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const read = await readResumeRecord(path);
    expect(read.header).toMatchObject({ ...header, kind: "publish-artifact-resume", upload_id: "2~upload-id" });
    expect(read.parts.map((p) => p.part)).toEqual([1, 2]);
    await record.remove();
    expect(readdirSync(dir)).toEqual([]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("read back as untrusted: a torn last line is dropped, any other bad line refuses the file", async () => {
  const dir = mkdtempSync(join(tmpdir(), "publish-artifact-resume-"));
  try {
    const record = new ResumeRecord(dir, header);
    await record.started("id");
    await record.partDone({ partNumber: 1, size: 9, sha256: "d".repeat(64), etag: '"e1"' });
    const path = record.path as string;
    const whole = readFileSync(path, "utf8");
    writeFileSync(path, `${whole}{"part":2,"si`);
    expect((await readResumeRecord(path)).parts).toHaveLength(1);
    writeFileSync(path, `${whole}{"part":2,"si\n`);
    await expect(readResumeRecord(path)).rejects.toThrow("line 3 is not a part");
    writeFileSync(path, whole.replace('"iv":"', '"iv":"\\u001b'));
    await expect(readResumeRecord(path)).rejects.toThrow("its first line has iv wrong or missing");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a key as long as S3 takes still makes a record (its name, and the name it is written under first, fit NAME_MAX)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "publish-artifact-resume-"));
  try {
    const record = new ResumeRecord(dir, { ...header, object_key: `dev/${"m".repeat(1000)}-arm64-1.enc` });
    await record.started("id");
    const name = (record.path as string).split("/").at(-1) as string;
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(255);
    expect((await readResumeRecord(record.path as string)).header.object_key).toHaveLength(1000 + 16);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
