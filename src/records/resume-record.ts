// The record of a multipart upload, kept from before its first part until the publish is registered (or its
// recovery file written) or the upload aborted: what a later run needs to resume it or to abort it, since a
// process killed in the middle (SIGKILL, a preempted machine, power loss) leaves the upload open in S3 and
// nothing else knows its id. Like gsutil's tracker files: one file per upload, mode 0600, in the recovery
// directory (recovery-dir.ts: a 0700 folder of our own that ignores itself in git).
//
// JSON Lines: the first line says what the upload is (where, which object, the key and IV the ciphertext was
// made under, the compression that made it, the input's identity); each further line is a part S3 has
// acknowledged, appended as it completes. A file read back is untrusted: every line is validated, and a torn
// last line (a process killed while appending) is dropped.
//
// Who uses a record is decided by its lease (record-lease.ts): a run that finds a record of its own publish that
// no live run holds takes it over, and resumes the upload.
//
// node:fs/promises for modes, exclusive creation and appends, which no web API offers.
import { constants } from "node:fs";
import { appendFile, readdir, rm, stat, unlink } from "node:fs/promises";
import { join, resolve } from "node:path";
import * as v from "valibot";
import { InputFileError } from "../errors.ts";
import { createBeside } from "../file-beside.ts";
import { toHex } from "../hex.ts";
import type { RegularFile } from "../regular-file.ts";
import { STALE_MS, claimRecord, holdLease, type Lease } from "./record-lease.ts";
import { printableText, readNamedFile, recordFileName } from "./record-file.ts";

export const RESUME_KIND = "publish-artifact-resume";

const text = printableText;
const hex = (digits: number) => v.pipe(v.string(), v.regex(new RegExp(`^[0-9a-f]{${digits}}$`)));
const whole = v.pipe(v.number(), v.integer(), v.minValue(0));

const HeaderSchema = v.strictObject({
  kind: v.literal(RESUME_KIND),
  created_at: text,
  endpoint: v.pipe(text, v.url()),
  bucket: v.pipe(text, v.nonEmpty()),
  object_key: v.pipe(text, v.nonEmpty()),
  upload_id: v.pipe(text, v.nonEmpty()),
  part_size: v.pipe(whole, v.minValue(1)),
  encryption_key: hex(64),
  iv: hex(32),
  /** What made the compressed stream: the same settings make the same bytes (test/unit/deterministic.test.ts). */
  compression: v.strictObject({ level: whole, block_size: whole, deflate_library: v.picklist(["libdeflate", "zlib", "compression-stream"]) }),
  /** The input's identity; null for stdin, which cannot be read twice. */
  input: v.nullable(v.strictObject({ path: text, size: whole, mtime_ns: v.pipe(text, v.regex(/^\d+$/)), inode: v.pipe(text, v.regex(/^\d+$/)) })),
});

const PartSchema = v.strictObject({ part: v.pipe(whole, v.minValue(1), v.maxValue(10_000)), size: whole, sha256: hex(64), etag: v.pipe(text, v.nonEmpty()) });

export type ResumeHeader = v.InferOutput<typeof HeaderSchema>;
export type JournaledPart = v.InferOutput<typeof PartSchema>;

export interface ResumeRecordFile {
  header: ResumeHeader;
  parts: JournaledPart[];
}

/** A part as the upload reports it (s3/multipart.ts's UploadedPart). */
export interface AcknowledgedPart {
  partNumber: number;
  size: number;
  sha256: string;
  etag: string;
}

/** The part's line in the journal, back in the upload's words. */
export function acknowledged(part: JournaledPart): AcknowledgedPart {
  return { partNumber: part.part, size: part.size, sha256: part.sha256, etag: part.etag };
}

/**
 * A fresh name for a record of `objectKey`: random, so that a run taking over a record (record-lease.ts) renames
 * it to a name nobody else holds or will hold.
 */
function freshRecordPath(dir: string, objectKey: string): string {
  return join(dir, recordFileName(RECORD_PREFIX, objectKey, `-${toHex(crypto.getRandomValues(new Uint8Array(6)))}${RECORD_SUFFIX}`));
}

const RECORD_PREFIX = "publish-artifact-resume-";
const RECORD_SUFFIX = ".jsonl";

/**
 * The record of one upload, and the upload's journal (s3/upload.ts): written once S3 has given the upload an id,
 * or taken over from a run that is gone (`adopt`). While this process uses it, it holds the record's lease.
 */
export class ResumeRecord {
  #path: string | undefined;
  #lease: Lease | undefined;
  /** The parts journaled before this process took the record over (none for a record it wrote). */
  readonly journaled: readonly JournaledPart[];

  constructor(
    readonly dir: string,
    readonly header: Omit<ResumeHeader, "kind" | "created_at" | "upload_id"> & { upload_id?: string; created_at?: string },
    journaled: readonly JournaledPart[] = [],
  ) {
    this.journaled = journaled;
  }

  /** The record at `path`, already taken over by this process (claimRecord), read anew. */
  static async adopt(dir: string, path: string): Promise<ResumeRecord> {
    const file = await readResumeRecord(path);
    const record = new ResumeRecord(dir, file.header, file.parts);
    record.#hold(path);
    return record;
  }

  /** Where the record is, once written. */
  get path(): string | undefined {
    return this.#path;
  }

  /** The upload's id, once S3 has given it (a record taken over has it from the file). */
  get uploadId(): string {
    return this.header.upload_id ?? "";
  }

  /** Written beside its final name and renamed (file-beside.ts), so a half-written record never has its name. */
  async started(uploadId: string): Promise<void> {
    this.header.upload_id = uploadId;
    const full: ResumeHeader = { kind: RESUME_KIND, created_at: new Date().toISOString(), ...this.header, upload_id: uploadId };
    const path = freshRecordPath(this.dir, full.object_key);
    const file = await createBeside(path);
    try {
      await file.handle.writeFile(`${JSON.stringify(full)}\n`);
      await file.commit();
    } catch (error) {
      await file.discard();
      throw error;
    }
    this.#hold(path);
  }

  #hold(path: string): void {
    this.#path = path;
    this.#lease = holdLease(path);
  }

  async partDone(part: AcknowledgedPart): Promise<void> {
    if (this.#lease === undefined || this.#path === undefined) return;
    const line: JournaledPart = { part: part.partNumber, size: part.size, sha256: part.sha256, etag: part.etag };
    // O_APPEND without O_CREAT: a record another run took over (renamed) is never made again under the old name.
    await appendFile(this.#path, `${JSON.stringify(line)}\n`, { flag: constants.O_WRONLY | constants.O_APPEND });
  }

  /** Nothing is left to resume: the upload was aborted, or the object is registered (or its recovery file written). */
  async aborted(): Promise<void> {
    await this.remove();
  }

  /** Keep the record for a later run: stop renewing the lease, so that the next run need not wait for it. */
  async release(): Promise<void> {
    this.#lease?.stop();
    this.#lease = undefined;
  }

  async remove(): Promise<void> {
    await this.release();
    if (this.#path !== undefined) await rm(this.#path, { force: true });
    this.#path = undefined;
  }
}

/** What a record must match to be this publish's: where the upload goes and which file it is of. */
export interface RecordMatch {
  endpoint: string;
  bucket: string;
  objectKey: string;
  /** The input's absolute path. */
  path: string;
}

export interface FoundRecords {
  /** The record this process took over, if any. */
  record: ResumeRecord | undefined;
  /** Records of the same publish that a live run holds: that run's, not ours. */
  held: string[];
  /** Files in the folder that are not valid records (untrusted, never followed): one line each on why. */
  invalid: string[];
}

/**
 * The record of a multipart upload of this publish (same endpoint, bucket, key and input path) that no live run
 * holds, taken over; the newest first when a killed run and its killed rerun left two. The records are read as
 * untrusted input: an invalid one is reported, never used.
 */
export async function claimResumeRecord(dir: string, match: RecordMatch, signal?: AbortSignal): Promise<FoundRecords> {
  const found: FoundRecords = { record: undefined, held: [], invalid: [] };
  // A record that vanished while we watched it was taken by a run that started with us: look again, to find it
  // under its new name (held), or another.
  for (let round = 0; round < 3; round++) {
    const { paths, invalid } = await recordsOf(dir, match);
    if (round === 0) found.invalid = invalid;
    let vanished = false;
    for (const path of paths.filter((p) => !found.held.includes(p))) {
      const to = freshRecordPath(dir, match.objectKey);
      const claim = await claimRecord(path, to, signal);
      if (claim === "held") found.held.push(path);
      vanished ||= claim === "gone";
      if (claim !== "claimed") continue;
      found.record = await ResumeRecord.adopt(dir, to);
      return found;
    }
    if (!vanished) break;
  }
  return found;
}

/**
 * The newest record of this publish in `dir`, read but not taken over (for --dry-run), and whether a live run
 * seems to hold it (renewed within STALE_MS); undefined when there is none (or no folder).
 */
export async function peekResumeRecord(dir: string, match: RecordMatch): Promise<{ path: string; file: ResumeRecordFile; held: boolean } | undefined> {
  const { paths } = await recordsOf(dir, match).catch(() => ({ paths: [] as string[] }));
  for (const path of paths) {
    try {
      const file = await readResumeRecord(path);
      return { path, file, held: Date.now() - (await stat(path)).mtimeMs < STALE_MS };
    } catch {
      // Gone since the listing: the next one.
    }
  }
  return undefined;
}

/** The records in `dir` of this publish, newest first, and one line for each file that is not a valid record. */
async function recordsOf(dir: string, match: RecordMatch): Promise<{ paths: string[]; invalid: string[] }> {
  const candidates: { path: string; createdAt: string }[] = [];
  const invalid: string[] = [];
  for (const name of (await readdir(dir)).filter((n) => n.startsWith(RECORD_PREFIX) && n.endsWith(RECORD_SUFFIX))) {
    const path = join(dir, name);
    let header: ResumeHeader;
    try {
      header = (await readResumeRecord(path)).header;
    } catch (error) {
      // Gone between the listing and the read: another run took it over, or finished.
      if (!(error instanceof InputFileError && /no such file/.test(error.message))) invalid.push((error as Error).message);
      continue;
    }
    const { endpoint, bucket, object_key, input } = header;
    if (endpoint === match.endpoint && bucket === match.bucket && object_key === match.objectKey && input?.path === match.path) {
      candidates.push({ path, createdAt: header.created_at });
    }
  }
  candidates.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  return { paths: candidates.map((c) => c.path), invalid };
}

/** The input as a record names it. */
export type RecordedInput = NonNullable<ResumeHeader["input"]>;

/**
 * A file's identity as a record keeps it (regular-file.ts's, as opened): its absolute path, since a rerun that
 * resumes may start from another working directory, its size, its mtime to the nanosecond and its inode.
 */
export function recordedInput(path: string, size: number | undefined, identity: RegularFile["identity"]): RecordedInput {
  return { path: resolve(path), size: size ?? 0, mtime_ns: identity.mtimeNs, inode: identity.inode };
}

/** What a publish would make now, to compare with what a record says was made. */
export interface CurrentStream {
  compression: ResumeHeader["compression"];
  partSize: number;
  /** The path is matched apart, when the record is looked for. */
  input: Omit<RecordedInput, "path">;
}

/**
 * Why the upload a record names cannot be finished by regenerating its stream, in words for the notice; undefined
 * when it can. Other input, other compression or other part boundaries would make other parts.
 */
export function resumeMismatch(header: Pick<ResumeHeader, "input" | "compression" | "part_size">, now: CurrentStream): string | undefined {
  const c = header.compression;
  const n = now.compression;
  // First: another runtime also reports the input's mtime at another precision (Deno's node:fs only to the millisecond).
  if (c.deflate_library !== n.deflate_library) return `it was compressed by ${c.deflate_library}, this run compresses with ${n.deflate_library} (a resume needs the same runtime: Bun or the binaries, or Deno)`;
  if (c.level !== n.level || c.block_size !== n.block_size) return `it was compressed at level ${c.level} in blocks of ${c.block_size} bytes, this run at level ${n.level} in blocks of ${n.block_size}`;
  const was = header.input;
  if (was === null || was.size !== now.input.size || was.mtime_ns !== now.input.mtime_ns || was.inode !== now.input.inode) {
    return "the input changed since (its size, modification time or inode)";
  }
  if (header.part_size !== now.partSize) return `its parts are ${header.part_size} bytes, this run's ${now.partSize}`;
  return undefined;
}

/** A journal of 10,000 parts is about 1.7 MB; anything far larger is not one of ours. */
const MAX_RECORD_BYTES = 8 * 1024 * 1024;

/** A resume record named by `flag`, validated line by line; an InputFileError says what is wrong. */
export async function readResumeRecord(path: string, flag = "--from"): Promise<ResumeRecordFile> {
  const { text: content } = await readNamedFile(path, flag, MAX_RECORD_BYTES);
  const invalid = (what: string) => new InputFileError(`${flag} ${path} is not a valid publish-artifact resume record: ${what}`, path);
  const lines = content.split("\n");
  if (lines.at(-1) === "") lines.pop();
  const parse = (line: string) => {
    try {
      return JSON.parse(line) as unknown;
    } catch {
      return undefined;
    }
  };
  const header = v.safeParse(HeaderSchema, parse(lines[0] ?? ""));
  if (!header.success) throw invalid(`its first line ${lines.length === 0 ? "is missing" : `has ${v.getDotPath(header.issues[0]) ?? "no record"} wrong or missing`}`);
  const parts: JournaledPart[] = [];
  for (const [index, line] of lines.slice(1).entries()) {
    const part = v.safeParse(PartSchema, parse(line));
    if (part.success) parts.push(part.output);
    // A torn last line is what a process killed while appending leaves: the part is sent again.
    else if (index !== lines.length - 2 || content.endsWith("\n")) throw invalid(`line ${index + 2} is not a part`);
  }
  return { header: header.output, parts };
}

export async function removeResumeRecord(path: string): Promise<void> {
  await unlink(path);
}
