// Files that hold a registration with its encryption key: the recovery file saved when the admin API could not
// take a registration after the upload (the object can only ever be decrypted with its key, so the key must not
// be lost), and the metadata that --output writes beside the encrypted file. Both are created readable by
// their owner only, and both feed `register --from` and `verify --from`.
//
// node:fs/promises for the file's mode (0600) and exclusive creation, which no web API offers.
import { open, unlink } from "node:fs/promises";
import { join } from "node:path";
import * as v from "valibot";
import type { RegistrationPayload } from "../admin/register-artifact.ts";
import { InputFileError, fileErrorReason } from "../errors.ts";
import { hasUnprintable } from "../format.ts";
import { sha256Hex } from "../hex.ts";
import { openRegularFile } from "../regular-file.ts";

export const RECOVERY_KIND = "publish-artifact-recovery";
export const METADATA_KIND = "publish-artifact-metadata";

export interface RecoveryRecord {
  kind: typeof RECOVERY_KIND | typeof METADATA_KIND;
  created_at: string;
  object_key: string;
  /** Where the registration was to go (recovery files); `register --from` only compares it with ADMIN_API_URL. */
  publish_url?: string;
  /** The local encrypted file (metadata of --output). */
  encrypted_file?: string;
  /** cdn_url is missing from --output metadata when the environment did not say where the object will be. */
  payload: Omit<RegistrationPayload, "cdn_url"> & { cdn_url?: string };
}

const hex64 = v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/));
/** Text from a file read back, which is untrusted: nothing a terminal or a log would act on (a forged line, colours). */
export const printableText = v.pipe(v.string(), v.check((s) => !hasUnprintable(s)));
const text = printableText;
const RecordSchema = v.object({
  kind: v.picklist([RECOVERY_KIND, METADATA_KIND]),
  created_at: text,
  object_key: v.pipe(text, v.nonEmpty()),
  publish_url: v.optional(v.pipe(text, v.url())),
  encrypted_file: v.optional(text),
  payload: v.strictObject({
    resource_name: text,
    dev_stage: text,
    architecture: text,
    version: text,
    cdn_url: v.optional(text),
    sha256: hex64,
    encryption_key: hex64,
    size_bytes: v.pipe(v.number(), v.integer(), v.minValue(32)),
  }),
});

/** Create `path` (never overwriting) with mode 0600 and the record in it. */
export async function writeRecordFile(path: string, record: Omit<RecoveryRecord, "created_at">, now = new Date()): Promise<RecoveryRecord> {
  const full: RecoveryRecord = { ...record, created_at: now.toISOString() };
  const handle = await open(path, "wx", 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(full, null, 2)}\n`);
  } finally {
    await handle.close();
  }
  return full;
}

/** Save a registration the admin API did not take into `dir`; returns the file's path. */
export async function writeRecoveryFile(
  dir: string,
  record: { object_key: string; publish_url: string; payload: RegistrationPayload },
): Promise<string> {
  // One moment for the file's name and its created_at.
  const now = new Date();
  const path = join(dir, recordFileName("publish-artifact-recovery-", record.object_key, `-${now.toISOString().replace(/[:.]/g, "-")}.json`));
  await writeRecordFile(path, { kind: RECOVERY_KIND, ...record }, now);
  return path;
}

/** The longest file name Linux file systems take (NAME_MAX, in bytes). */
const NAME_MAX = 255;

/**
 * A file name for a record of `objectKey`, between `prefix` and `suffix`: the key in safe characters, cut short
 * with a hash of the whole key where it would pass NAME_MAX, so that no object key S3 takes (up to 1024 bytes)
 * makes a name the file system refuses after the upload.
 */
export function recordFileName(prefix: string, objectKey: string, suffix: string): string {
  const safe = objectKey.replace(/[^A-Za-z0-9._-]+/g, "_");
  const room = NAME_MAX - prefix.length - suffix.length;
  const fitted = safe.length <= room ? safe : `${safe.slice(0, room - 9)}-${sha256Hex(new TextEncoder().encode(objectKey)).slice(0, 8)}`;
  return `${prefix}${fitted}${suffix}`;
}

/** A recovery or metadata file named by `flag` (--from, --key-file); an InputFileError says what is wrong. */
export async function readRecordFile(path: string, flag = "--from"): Promise<RecoveryRecord> {
  return parseRecord((await readNamedFile(path, flag)).text, path, flag);
}

/** Far more than any key, recovery or metadata file holds: a larger file is not one of ours. */
const MAX_NAMED_FILE = 1024 * 1024;

/** A small file a flag names (a key, a recovery or metadata file): its text, and its permission bits. */
export interface NamedFile {
  text: string;
  mode: number;
}

/**
 * The text of the file a flag names; an InputFileError names the flag and the reason it cannot be read. Only a
 * regular file of at most `maxBytes` (1 MiB) is read: a FIFO planted under the name would hang the read, a device never end.
 */
export async function readNamedFile(path: string, flag: string, maxBytes = MAX_NAMED_FILE): Promise<NamedFile> {
  const failure = (reason: string, cause?: unknown) => new InputFileError(`cannot read ${flag} ${path}: ${reason}`, path, { cause });
  let file;
  try {
    file = await openRegularFile(path);
  } catch (error) {
    throw failure(fileErrorReason(error), error);
  }
  try {
    if (file.size > maxBytes) throw failure(`it is ${file.size} bytes, too large to be one of publish-artifact's files`);
    return { text: await file.handle.readFile("utf8"), mode: file.mode };
  } catch (error) {
    throw error instanceof InputFileError ? error : failure(fileErrorReason(error), error);
  } finally {
    await file.handle.close();
  }
}

export function parseRecord(text: string, path: string, flag: string): RecoveryRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new InputFileError(`${flag} ${path} is not a publish-artifact recovery or metadata file: it is not JSON`, path);
  }
  return recordOf(parsed, path, flag);
}

/** A record from JSON already parsed (expectation-file.ts parses first to tell a record from other files). */
export function recordOf(parsed: unknown, path: string, flag: string): RecoveryRecord {
  const result = v.safeParse(RecordSchema, parsed);
  if (!result.success) {
    const where = v.getDotPath(result.issues[0]) ?? "the file";
    throw new InputFileError(`${flag} ${path} is not a valid publish-artifact recovery or metadata file: ${where} is wrong or missing`, path);
  }
  return result.output;
}

export async function removeRecordFile(path: string): Promise<void> {
  await unlink(path);
}
