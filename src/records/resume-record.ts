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
// node:fs/promises for modes, exclusive creation and appends, which no web API offers.
import { appendFile, rm, unlink } from "node:fs/promises";
import { join } from "node:path";
import * as v from "valibot";
import { InputFileError } from "../errors.ts";
import { createBeside } from "../file-beside.ts";
import { sha256Hex } from "../hex.ts";
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
interface AcknowledgedPart {
  partNumber: number;
  size: number;
  sha256: string;
  etag: string;
}

/** The record of one upload, written once S3 has given it an id; the upload's journal (s3/upload.ts). */
export class ResumeRecord {
  #path: string | undefined;

  constructor(
    readonly dir: string,
    readonly header: Omit<ResumeHeader, "kind" | "created_at" | "upload_id">,
  ) {}

  /** Where the record is, once written. */
  get path(): string | undefined {
    return this.#path;
  }

  /** Written beside its final name and renamed (file-beside.ts), so a half-written record never has its name. */
  async started(uploadId: string): Promise<void> {
    const full: ResumeHeader = { kind: RESUME_KIND, created_at: new Date().toISOString(), upload_id: uploadId, ...this.header };
    const name = recordFileName("publish-artifact-resume-", full.object_key, `-${sha256Hex(new TextEncoder().encode(uploadId)).slice(0, 12)}.jsonl`);
    const path = join(this.dir, name);
    const file = await createBeside(path);
    try {
      await file.handle.writeFile(`${JSON.stringify(full)}\n`);
      await file.commit();
    } catch (error) {
      await file.discard();
      throw error;
    }
    this.#path = path;
  }

  async partDone(part: AcknowledgedPart): Promise<void> {
    if (this.#path === undefined) return;
    const line: JournaledPart = { part: part.partNumber, size: part.size, sha256: part.sha256, etag: part.etag };
    await appendFile(this.#path, `${JSON.stringify(line)}\n`);
  }

  /** Nothing is left to resume: the upload was aborted, or the object is registered (or its recovery file written). */
  async aborted(): Promise<void> {
    await this.remove();
  }

  async remove(): Promise<void> {
    if (this.#path !== undefined) await rm(this.#path, { force: true });
    this.#path = undefined;
  }
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
