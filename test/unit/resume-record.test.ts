import { expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ResumeRecord, claimResumeRecord, readResumeRecord, resumeMismatch } from "../../src/records/resume-record.ts";

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

test("a run takes over only a record of its own publish (endpoint, bucket, key, input path), and says which files are not records", async () => {
  const dir = mkdtempSync(join(tmpdir(), "publish-artifact-resume-"));
  try {
    const hourAgo = new Date(Date.now() - 3_600_000);
    const paths: string[] = [];
    for (const other of [{}, { bucket: "other" }, { endpoint: "http://127.0.0.1:9" }, { object_key: "dev/x-arm64-1.enc" }, { input: { ...header.input, path: "/y" } }]) {
      const record = new ResumeRecord(dir, { ...header, ...other });
      await record.started(`id-${paths.length}`);
      await record.release();
      paths.push(record.path as string);
      utimesSync(record.path as string, hourAgo, hourAgo);
    }
    writeFileSync(join(dir, "publish-artifact-resume-junk.jsonl"), "{}\n");
    const match = { endpoint: header.endpoint, bucket: header.bucket, objectKey: header.object_key, path: header.input.path };
    const found = await claimResumeRecord(dir, match);
    expect(found.record?.uploadId).toBe("id-0");
    expect(found.invalid).toEqual([expect.stringContaining("publish-artifact-resume-junk.jsonl is not a valid publish-artifact resume record")]);
    // Taken over under a name of its own; the others are where they were.
    expect(existsSync(paths[0] as string)).toBe(false);
    for (const path of paths.slice(1)) expect(existsSync(path)).toBe(true);
    await found.record?.remove();
    expect((await claimResumeRecord(dir, match)).record).toBeUndefined();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("resumeMismatch: another runtime, level, input or part size says why; the same says nothing", () => {
  const now = { compression: header.compression, partSize: header.part_size, input: { size: 123, mtime_ns: "1733550000123456789", inode: "42" } };
  expect(resumeMismatch(header, now)).toBeUndefined();
  expect(resumeMismatch(header, { ...now, compression: { ...header.compression, deflate_library: "zlib" } })).toContain("a resume needs the same runtime");
  expect(resumeMismatch(header, { ...now, compression: { ...header.compression, level: 9 } })).toContain("at level 6 in blocks of 2097152 bytes, this run at level 9");
  expect(resumeMismatch(header, { ...now, input: { ...now.input, mtime_ns: "1733550000123456790" } })).toBe("the input changed since (its size, modification time or inode)");
  expect(resumeMismatch(header, { ...now, input: { ...now.input, inode: "43" } })).toBe("the input changed since (its size, modification time or inode)");
  expect(resumeMismatch({ ...header, input: null }, now)).toBe("the input changed since (its size, modification time or inode)");
  expect(resumeMismatch(header, { ...now, partSize: 8 * 1024 * 1024 })).toBe("its parts are 5242880 bytes, this run's 8388608");
});
