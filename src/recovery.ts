// The registration of an uploaded object, saved when the admin API could not take it: the object can only ever
// be decrypted with its key, so the key must not be lost. The file is created readable by its owner only.
//
// node:fs/promises for the file's mode (0600) and exclusive creation, which no web API offers.
import { open, readFile, unlink } from "node:fs/promises";
import { join } from "node:path";
import * as v from "valibot";
import type { RegistrationPayload } from "./admin.ts";
import { InputFileError } from "./errors.ts";

export const RECOVERY_KIND = "publish-artifact-recovery";

export interface RecoveryRecord {
  kind: typeof RECOVERY_KIND;
  created_at: string;
  object_key: string;
  /** Where the registration was to go; `register --from` uses it unless ADMIN_API_URL is set. */
  publish_url: string;
  payload: RegistrationPayload;
}

const hex64 = v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/));
const RecoverySchema = v.object({
  kind: v.literal(RECOVERY_KIND),
  created_at: v.string(),
  object_key: v.pipe(v.string(), v.nonEmpty()),
  publish_url: v.pipe(v.string(), v.url()),
  payload: v.strictObject({
    resource_name: v.string(),
    dev_stage: v.string(),
    architecture: v.string(),
    version: v.string(),
    cdn_url: v.string(),
    sha256: hex64,
    encryption_key: hex64,
    size_bytes: v.pipe(v.number(), v.integer(), v.minValue(32)),
  }),
});

function fileName(objectKey: string, now: Date): string {
  const safeKey = objectKey.replace(/[^A-Za-z0-9._-]+/g, "_");
  const stamp = now.toISOString().replace(/[:.]/g, "-");
  return `publish-artifact-recovery-${safeKey}-${stamp}.json`;
}

/** Write the record into `dir`; returns the file's path. Never overwrites an existing file. */
export async function writeRecoveryFile(dir: string, record: Omit<RecoveryRecord, "kind" | "created_at">, now = new Date()): Promise<string> {
  const path = join(dir, fileName(record.object_key, now));
  const full: RecoveryRecord = { kind: RECOVERY_KIND, created_at: now.toISOString(), ...record };
  const handle = await open(path, "wx", 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(full, null, 2)}\n`);
  } finally {
    await handle.close();
  }
  return path;
}

export async function readRecoveryFile(path: string): Promise<RecoveryRecord> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : (error as Error).message;
    throw new InputFileError(`cannot read --from ${path}: ${reason}`, path, { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new InputFileError(`--from ${path} is not a publish-artifact recovery file: it is not JSON`, path);
  }
  const result = v.safeParse(RecoverySchema, parsed);
  if (!result.success) {
    const where = v.getDotPath(result.issues[0]) ?? "the file";
    throw new InputFileError(`--from ${path} is not a valid publish-artifact recovery file: ${where} is wrong or missing`, path);
  }
  return result.output;
}

export async function removeRecoveryFile(path: string): Promise<void> {
  await unlink(path);
}
