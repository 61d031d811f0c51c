// `--dry-run`: everything validated and the file checked readable, what a publish would do, and the read-only
// checks a publish makes before its upload (recovery directory, admin API, S3 credentials and bucket), each
// with its result. Nothing is written, uploaded or registered, and the admin token is not sent (temporary S3
// credentials are fetched, as the S3 check needs them).
// node:path for the recovery folder's default path, which no web API joins.
import { join } from "node:path";
import type { PublishConfig } from "../config/publish-config.ts";
import { UploadError, exitCodeFor, type ExitCode } from "../errors.ts";
import { openArtifact } from "../pipeline/file-source.ts";
import { formatBytes } from "../format.ts";
import { checkAdminReachable, noRouteLine } from "../admin/check-reachable.ts";
import { RECOVERY_DIR_NAME, probeRecoveryDir } from "../records/recovery-dir.ts";
import { peekResumeRecord, recordedInput, resumeMismatch, type RecordedInput } from "../records/resume-record.ts";
import { streamIdentity } from "../pipeline/deflate/gzip.ts";
import { isGone, listParts } from "../s3/multipart.ts";
import { S3Client } from "../s3/client.ts";
import { objectExists } from "../s3/objects.ts";
import { describeCredentials } from "../s3/credentials.ts";
import { MAX_PARTS, maxCiphertextSize, partSizeOf } from "../s3/part-size.ts";
import { probeSpool, spoolsParts } from "../s3/part-spool.ts";

export interface CheckResult {
  ok: boolean;
  detail: string;
}

export interface Plan {
  object_key: string;
  input: { path: string; size: number | null };
  upload_url: string;
  upload_as: string;
  /** Which credentials sign: the variables, or the service temporary ones come from; never a value. */
  credentials: string;
  /** Compression workers (0: the main thread compresses) and gzip level, as the flags and the usable cores make them. */
  compression: { workers: number; level: number };
  register_url: string;
  cdn_url: string;
  /** `spool` only where the parts would be held in files (part-spool.ts): its folder, made and removed, and its room. */
  checks: { recovery_dir: CheckResult; admin_api: CheckResult; s3: CheckResult; spool?: CheckResult };
  /** Whether the publish would finish an upload a previous run kept, and what S3 holds of it. */
  resume: { would_resume: boolean; parts_in_s3: number; bytes_in_s3: number; detail: string };
}

export async function makePlan(
  config: PublishConfig,
  options: { signal?: AbortSignal } = {},
): Promise<{ plan: Plan; exitCode: ExitCode | undefined }> {
  let size: number | undefined;
  let input: RecordedInput | undefined;
  if (config.file !== "-") {
    const source = await openArtifact(config.file);
    size = source.size;
    await source.stream.cancel();
    if (source.identity) input = recordedInput(source.path, source.size, source.identity);
  }
  const partSize = partSizeOf(config.partSize, size);
  const spoolRoom = spoolsParts(partSize, config.concurrency) ? partSize * (config.concurrency + 1) : undefined;
  const spooled = spoolRoom === undefined ? "" : `; parts held in files in a temporary folder (up to ${formatBytes(spoolRoom)})`;
  const uploadAs =
    size === undefined
      ? `from stdin, size unknown: multipart in parts of ${formatBytes(partSize)} (at most ${formatBytes(partSize * MAX_PARTS)}), ${config.concurrency} at a time${spooled}`
      : maxCiphertextSize(size) <= partSize
        ? "one PutObject request"
        : // The upload decides on the real ciphertext, whose size only the compression tells: the plan knows its most.
          `multipart, parts of ${formatBytes(partSize)}, ${config.concurrency} at a time, if the ciphertext passes ${formatBytes(partSize)} ` +
          `(up to ${formatBytes(maxCiphertextSize(size))} if nothing compresses; known only once compressed); else one PutObject request${spooled}`;

  let exitCode: ExitCode | undefined;
  const run = async (check: () => Promise<string>): Promise<CheckResult> => {
    try {
      return { ok: true, detail: await check() };
    } catch (error) {
      exitCode ??= exitCodeFor(error);
      return { ok: false, detail: error instanceof Error ? error.message : String(error) };
    }
  };
  const client = new S3Client(config.s3, { retry: config.retry });
  const where = `${config.objectKey} in bucket ${config.s3.bucket}`;
  const checks = {
    recovery_dir: await run(() => probeRecoveryDir(config.recoveryDir)),
    admin_api: await run(async () => {
      const status = await checkAdminReachable(config.publishUrl, { signal: options.signal, retry: config.retry });
      if (status === 404) throw new UploadError(noRouteLine(config.publishUrl, config.adminUrl));
      return `${new URL(config.publishUrl).host} answers (HTTP ${status} to an unauthenticated HEAD)`;
    }),
    s3: await run(async () => {
      const exists = await objectExists(client, config.objectKey, options.signal);
      if (exists === false) return `credentials and bucket accepted; ${where} is free`;
      // The refusal the publish would meet, met here: the same exit code (4) as the publish's.
      if (exists === true && !config.overwrite) throw new UploadError(`${where} already exists and --no-overwrite was given: a publish would refuse, uploading nothing`);
      if (exists === true) return `credentials and bucket accepted; ${where} exists: a publish would replace it`;
      return `cannot tell whether ${where} exists (AccessDenied: the credentials may not read it)`;
    }),
    ...(spoolRoom === undefined
      ? {}
      : { spool: await run(async () => `${await probeSpool(spoolRoom)} takes the parts' files (${formatBytes(spoolRoom)} free at least)`) }),
  };
  const resume = await resumePlan(config, client, input, partSize, options.signal);
  const plan: Plan = {
    object_key: config.objectKey,
    input: { path: config.file, size: size ?? null },
    upload_url: client.signer.url(config.objectKey),
    upload_as: uploadAs,
    credentials: describeCredentials(config.s3.credentials),
    compression: config.compression,
    register_url: config.publishUrl,
    cdn_url: config.cdnUrl,
    checks,
    resume,
  };
  return { plan, exitCode };
}

/**
 * What a publish would do with an upload a previous run of it kept (resume-record.ts): read, never taken over,
 * and the parts S3 holds listed (the journal's parts S3 lists with their journaled ETag are not sent again).
 */
async function resumePlan(
  config: PublishConfig,
  client: S3Client,
  input: RecordedInput | undefined,
  partSize: number,
  signal: AbortSignal | undefined,
): Promise<Plan["resume"]> {
  const none = (detail: string) => ({ would_resume: false, parts_in_s3: 0, bytes_in_s3: 0, detail });
  if (input === undefined) return none("stdin is never resumed (it cannot be read again): a new upload");
  const match = { endpoint: config.s3.endpoint, bucket: config.s3.bucket, objectKey: config.objectKey, path: input.path };
  const found = await peekResumeRecord(config.recoveryDir ?? join(process.cwd(), RECOVERY_DIR_NAME), match);
  if (found === undefined) return none("no upload of this publish was kept: a new upload");
  const { path, file, held } = found;
  if (held) return none(`a run still going holds the upload kept in ${path}: a new upload of its own`);
  const why = config.resume ? resumeMismatch(file.header, { compression: streamIdentity(config.compression), partSize, input }) : "--no-resume";
  if (why !== undefined) return none(`the upload kept in ${path} would not be resumed (${why}): it would be aborted, and a new upload made`);
  let listed;
  try {
    listed = new Map((await listParts(client, config.objectKey, file.header.upload_id, signal)).map((part) => [part.partNumber, part]));
  } catch (error) {
    if (isGone(error)) return none(`the upload kept in ${path} is gone from S3: a new upload`);
    return none(`the upload kept in ${path} cannot be listed (${(error as Error).message})`);
  }
  const inS3 = file.parts.filter((part) => listed.get(part.part)?.etag === part.etag && listed.get(part.part)?.size === part.size);
  const bytes = inS3.reduce((sum, part) => sum + part.size, 0);
  return {
    would_resume: true,
    parts_in_s3: inS3.length,
    bytes_in_s3: bytes,
    detail: `would resume the upload kept in ${path}: S3 holds ${inS3.length} of its parts (${formatBytes(bytes)}), which would not be sent again`,
  };
}

export function planText(plan: Plan, output?: string): string {
  const check = (result: CheckResult) => `${result.ok ? "ok    " : "FAILED"}  ${result.detail}`;
  const lines = [
    "dry run: nothing was uploaded or registered",
    `  input        ${plan.input.path === "-" ? "stdin" : `${plan.input.path}, ${plan.input.size} bytes (${formatBytes(plan.input.size ?? 0)})`}`,
    `  object key   ${plan.object_key}`,
    `  upload to    ${plan.upload_url}`,
    `  upload as    ${plan.upload_as}`,
    `  credentials  ${plan.credentials}`,
    `  compress     ${plan.compression.workers === 0 ? "on the main thread, no workers" : `${plan.compression.workers} worker${plan.compression.workers > 1 ? "s" : ""}`}, gzip level ${plan.compression.level}`,
    `  register at  ${plan.register_url}`,
    `  cdn_url      ${plan.cdn_url}`,
    `  resume       ${plan.resume.detail}`,
  ];
  if (output !== undefined) lines.push(`  --output     would write ${output} and ${output}.json instead of uploading`);
  lines.push(
    "checks:",
    `  recovery dir ${check(plan.checks.recovery_dir)}`,
    `  admin API    ${check(plan.checks.admin_api)}`,
    `  S3           ${check(plan.checks.s3)}`,
    ...(plan.checks.spool ? [`  spool        ${check(plan.checks.spool)}`] : []),
  );
  return lines.join("\n");
}
