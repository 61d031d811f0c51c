// The whole job: file → gzip → AES-256-CBC → (count + SHA-256) → S3, then registration with the admin API.
// Every stage streams, so memory is bounded by the upload's parts in flight whatever the file's size.
import { registerArtifact, registrationPayload, type RegistrationPayload } from "../admin/register-artifact.ts";
import type { PublishConfig } from "../config/publish-config.ts";
import { IntegrityError, NotRegisteredError, RegistrationError, ResumeRefusedError, S3Error, UploadError, UploadKeptError } from "../errors.ts";
import { encryptSource, openSource, type ProgressSink } from "../pipeline/encrypted-artifact.ts";
import type { ArtifactSource } from "../pipeline/file-source.ts";
import { writeRecoveryFile } from "../records/record-file.ts";
import { prepareRecoveryDir } from "../records/recovery-dir.ts";
import { ResumeRecord, acknowledged, claimResumeRecord, recordedInput, resumeMismatch } from "../records/resume-record.ts";
import { randomBytes } from "../pipeline/cipher/aes-cbc.ts";
import { streamIdentity } from "../pipeline/deflate/gzip.ts";
import { formatBytes } from "../format.ts";
import { fromHex, toHex } from "../hex.ts";
import { S3Client, type Fetch } from "../s3/client.ts";
import { partSizeOf } from "../s3/part-size.ts";
import { deleteObject, headObjectSize, objectExists } from "../s3/objects.ts";
import { checkAdminReachable, noRouteLine } from "../admin/check-reachable.ts";
import { abortMultipartUpload } from "../s3/multipart.ts";
import { uploadStream } from "../s3/upload.ts";

export interface PublishOptions {
  fetch?: Fetch;
  signal?: AbortSignal;
  /** Where notices go (retries, one line each); silent when absent. */
  log?: (line: string) => void;
  /** Where warnings go (an object being replaced), one line each. */
  warn?: (line: string) => void;
  progress?: ProgressSink;
  /** Told the artifact's key (hex) as soon as it exists, so that no output can show it. */
  onKey?: (hex: string) => void;
}

export interface PublishResult {
  objectKey: string;
  payload: RegistrationPayload;
  inputBytes: number;
  /** Multipart parts; 0 for a single PutObject. */
  parts: number;
  partSize: number;
  elapsedMs: number;
  /** Whether an object was already at the key and is now replaced; null when S3 would not say (HTTP 403). */
  replaced: boolean | null;
  /** Parts of an upload a previous run kept that S3 held, and that were not sent again; zeros when none. */
  resumed: { parts: number; bytes: number };
}

export async function publishArtifact(config: PublishConfig, options: PublishOptions = {}): Promise<PublishResult> {
  const started = performance.now();
  // Opened (it exists, it is a file) but not read until the checks have passed.
  const source = await openSource(config.file, config.compression, { allowEmpty: config.allowEmpty, signal: options.signal });
  const client = new S3Client(config.s3, { fetch: options.fetch, retry: config.retry, log: options.log });
  const { recoveryDir, replaced } = await checkBeforeReading(source, client, config, options);
  const uploaded = await resumeOrUpload(source, client, config, recoveryDir, options);
  const payload = registrationPayload(config.names, config.cdnUrl, uploaded.ciphertext);
  try {
    await registerOrKeep(client, config, recoveryDir, payload, options);
  } finally {
    // The upload is complete: there is nothing left to resume, whatever the registration did.
    await uploaded.record.remove();
  }
  return {
    objectKey: config.objectKey,
    payload,
    inputBytes: uploaded.inputBytes,
    parts: uploaded.parts,
    partSize: uploaded.partSize,
    elapsedMs: performance.now() - started,
    replaced: replaced ?? null,
    resumed: uploaded.resumed,
  };
}

type Uploaded = Awaited<ReturnType<typeof encryptAndUpload>>;

/**
 * The upload a previous run of this publish kept, finished; or a new one. A kept upload that turns out not to be
 * resumable once its parts are listed or regenerated (gone from S3, the input changed under the same size and
 * mtime) is dropped, and the input read again from the start under a new key.
 */
async function resumeOrUpload(
  source: ArtifactSource,
  client: S3Client,
  config: PublishConfig,
  recoveryDir: string,
  options: PublishOptions,
): Promise<Uploaded> {
  let kept;
  try {
    kept = await takeKeptUpload(source, client, config, recoveryDir, options);
  } catch (error) {
    await source.stream.cancel().catch(() => {});
    throw error;
  }
  if (kept === undefined) return encryptAndUpload(source, client, config, recoveryDir, options);
  try {
    return await encryptAndUpload(source, client, config, recoveryDir, options, kept);
  } catch (error) {
    if (!(error instanceof ResumeRefusedError)) throw error;
    options.log?.(`${notResumed(config)}: ${error.message}; this run starts afresh with a new key`);
    const again = await openSource(config.file, config.compression, { allowEmpty: config.allowEmpty, signal: options.signal });
    return encryptAndUpload(again, client, config, recoveryDir, options);
  }
}

function notResumed(config: PublishConfig): string {
  return `the upload of ${config.objectKey} a previous run kept is not resumed`;
}

/**
 * The record of an upload of this publish (same endpoint, bucket, key and input file) that a killed or failed run
 * kept and no live run holds, taken over, if its stream can be made again: same input (size, mtime, inode), same
 * compression, same part size. One that cannot (or with --no-resume) is aborted, with a notice. Never for stdin,
 * which cannot be read twice.
 */
async function takeKeptUpload(
  source: ArtifactSource,
  client: S3Client,
  config: PublishConfig,
  recoveryDir: string,
  options: PublishOptions,
): Promise<ResumeRecord | undefined> {
  if (source.identity === undefined) return undefined;
  const input = recordedInput(source.path, source.size, source.identity);
  const match = { endpoint: config.s3.endpoint, bucket: config.s3.bucket, objectKey: config.objectKey, path: input.path };
  const found = await claimResumeRecord(recoveryDir, match, options.signal);
  for (const problem of found.invalid) options.warn?.(`ignoring a file in the recovery folder: ${problem}`);
  for (const path of found.held) options.warn?.(`another run of this publish is using the upload kept in ${path}: this run makes an upload of its own`);
  const record = found.record;
  if (record === undefined) return undefined;
  const current = { compression: streamIdentity(config.compression), partSize: partSizeOf(config.partSize, source.size), input };
  const why = config.resume ? resumeMismatch(record.header, current) : "--no-resume was given";
  if (why === undefined) {
    const bytes = record.journaled.reduce((sum, part) => sum + part.size, 0);
    options.log?.(`resuming the upload of ${config.objectKey} a previous run kept: its record lists ${record.journaled.length} parts (${formatBytes(bytes)}) in S3`);
    return record;
  }
  try {
    await abortMultipartUpload(client, config.objectKey, record.uploadId, options.signal);
    await record.remove();
    options.log?.(`${notResumed(config)}: ${why}; it was aborted, and this run starts afresh with a new key`);
  } catch (error) {
    await record.release();
    if (options.signal?.aborted) throw error;
    options.warn?.(
      `${notResumed(config)} (${why}) and could not be aborted (${(error as Error).message}): publish-artifact abort --from ${record.path} ends it; this run starts afresh`,
    );
  }
  return undefined;
}

/**
 * What a publish can find out before it reads the artifact, in seconds: a place for the key should the
 * registration fail (a key that could not be kept must not be made), an admin API that answers, S3 credentials
 * that work and what is at the key. A failure leaves the artifact unread.
 */
async function checkBeforeReading(
  source: ArtifactSource,
  client: S3Client,
  config: PublishConfig,
  options: PublishOptions,
): Promise<{ recoveryDir: string; replaced: boolean | undefined }> {
  try {
    const recoveryDir = await prepareRecoveryDir(config.recoveryDir);
    const status = await checkAdminReachable(config.publishUrl, { fetch: options.fetch, signal: options.signal, retry: config.retry });
    if (status === 404) options.warn?.(`${noRouteLine(config.publishUrl, config.adminUrl)}; publishing anyway (a failed registration is saved for register --from)`);
    return { recoveryDir, replaced: await keyBeforeUpload(client, config, options) };
  } catch (error) {
    await source.stream.cancel().catch(() => {});
    throw error;
  }
}

/**
 * The artifact compressed, encrypted under a fresh key (or the kept upload's), uploaded, and its size in S3
 * checked. A multipart upload has a record in the recovery directory from before its first part
 * (resume-record.ts): removed when the upload is aborted; kept when the failure may pass (and the input is a file
 * and --no-resume was not given), when the abort fails, or when the process is killed, so that the same command
 * resumes it or `abort --from` ends it.
 */
async function encryptAndUpload(
  source: ArtifactSource,
  client: S3Client,
  config: PublishConfig,
  recoveryDir: string,
  options: PublishOptions,
  kept?: ResumeRecord,
) {
  const sealing = kept ? { key: fromHex(kept.header.encryption_key), iv: fromHex(kept.header.iv) } : { key: randomBytes(32), iv: randomBytes(16) };
  const { ciphertext, digest, inputBytes, close, giveBack } = encryptSource(source, config.compression, options.progress, sealing);
  const keyHex = toHex(sealing.key);
  options.onKey?.(keyHex);
  const partSize = partSizeOf(config.partSize, source.size);
  const record =
    kept ??
    new ResumeRecord(recoveryDir, {
      endpoint: config.s3.endpoint,
      bucket: config.s3.bucket,
      object_key: config.objectKey,
      part_size: partSize,
      encryption_key: keyHex,
      iv: toHex(sealing.iv),
      compression: streamIdentity(config.compression),
      input: source.identity === undefined ? null : recordedInput(source.path, source.size, source.identity),
    });
  let uploaded;
  try {
    uploaded = await uploadStream(client, config.objectKey, ciphertext, {
      partSize,
      concurrency: config.concurrency,
      signal: options.signal,
      onUploaded: (bytes) => options.progress?.uploaded(bytes),
      onSending: (bytes) => options.progress?.sending?.(bytes),
      onCompleting: () => options.progress?.step?.("completing the multipart upload"),
      onResumed: (bytes) => options.progress?.resumed?.(bytes),
      onlyIfAbsent: !config.overwrite,
      journal: record,
      resume: kept ? { uploadId: kept.uploadId, journaled: kept.journaled.map(acknowledged) } : undefined,
      keepWhenTransient: config.resume && source.identity !== undefined,
      onConsumed: giveBack,
    });
  } catch (error) {
    await ciphertext.cancel().catch(() => {});
    if (error instanceof ResumeRefusedError) await record.remove();
    else await record.release();
    if (error instanceof UploadKeptError) throw keptForResume(error, record.path as string);
    const failure = raceLost(error, config);
    throw record.path === undefined ? failure : keptUpload(failure, record.path);
  } finally {
    close();
  }
  try {
    options.progress?.step?.("checking the object's size in S3");
    await checkUploadedBytes(client, config.objectKey, digest.bytes, uploaded.bytes, options.signal);
  } catch (error) {
    await record.remove();
    throw error;
  }
  return {
    ciphertext: { sha256: digest.sha256, bytes: digest.bytes, keyHex },
    inputBytes: inputBytes(),
    parts: uploaded.parts,
    partSize,
    record,
    resumed: { parts: uploaded.resumedParts, bytes: uploaded.resumedBytes },
  };
}

/** An upload kept for a resume: say what S3 holds, that the same command resumes it, and how to drop it. */
function keptForResume(error: UploadKeptError, recordPath: string): UploadKeptError {
  const line =
    `the upload is kept: S3 holds ${error.parts} of its parts (${formatBytes(error.bytes)}); run the same command to resume it, ` +
    `or publish-artifact abort --from ${recordPath} to drop it`;
  return new UploadKeptError(error.failure, error.uploadId, error.parts, error.bytes, line);
}

/** A failed upload whose record is still there (its abort failed too): say how to end it. */
function keptUpload(error: unknown, recordPath: string): unknown {
  if (!(error instanceof Error)) return error;
  return new UploadError(`${error.message}\nthe upload's record is kept in ${recordPath} (readable only by you): publish-artifact abort --from ${recordPath} aborts it`, {
    cause: error,
  });
}

/** The registration; one the admin API did not take after the upload is kept for `register --from`. */
async function registerOrKeep(
  client: S3Client,
  config: PublishConfig,
  recoveryDir: string,
  payload: RegistrationPayload,
  options: PublishOptions,
): Promise<void> {
  try {
    options.progress?.step?.(`registering at ${new URL(config.publishUrl).host}`);
    await registerArtifact(config.publishUrl, config.adminToken, payload, {
      fetch: options.fetch,
      signal: options.signal,
      retry: config.retry,
      log: options.log,
    });
  } catch (error) {
    if (!(error instanceof RegistrationError)) throw error;
    throw await keepForRecovery(client, config, recoveryDir, payload, error);
  }
}

/**
 * What is at the key now. Replacing an object breaks its current registration (its key no longer decrypts
 * the new ciphertext), so say so; with --no-overwrite, refuse before anything is uploaded.
 */
async function keyBeforeUpload(client: S3Client, config: PublishConfig, options: PublishOptions): Promise<boolean | undefined> {
  const exists = await objectExists(client, config.objectKey, options.signal);
  const where = `${config.objectKey} in bucket ${config.s3.bucket}`;
  if (exists === true && !config.overwrite) {
    throw new UploadError(`${where} already exists and --no-overwrite was given: nothing was uploaded`);
  }
  if (exists === true) {
    options.warn?.(`${where} already exists: it is being replaced, and the key in its current registration will no longer decrypt it`);
  }
  if (exists === undefined) {
    options.warn?.(`cannot tell whether ${where} already exists (AccessDenied: the credentials may not read it); publishing anyway`);
  }
  return exists;
}

/** S3's 412 to `If-None-Match: *`: somebody else stored the key while we uploaded. */
function raceLost(error: unknown, config: PublishConfig): unknown {
  if (!(error instanceof S3Error) || error.code !== "PreconditionFailed") return error;
  return new UploadError(
    `${config.objectKey} in bucket ${config.s3.bucket} was stored by someone else during this upload and --no-overwrite was given: it was left as it is and nothing was registered`,
    { cause: error },
  );
}

/**
 * The bytes hashed, the bytes sent and the object's size in S3 must all agree; an object that fails this is
 * deleted rather than registered, since its sha256 would be wrong for every loader.
 */
async function checkUploadedBytes(
  client: S3Client,
  objectKey: string,
  hashed: number,
  sent: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  const stored = await headObjectSize(client, objectKey, signal);
  if (hashed === sent && sent === stored) return;
  await deleteObject(client, objectKey, signal).catch(() => {});
  throw new IntegrityError(
    `upload size mismatch: ${hashed} bytes produced, ${sent} sent, ${stored} stored in S3; the object was deleted and nothing was registered`,
  );
}

/**
 * The object is uploaded but not registered: save the registration so the key is not lost, in the recovery
 * directory prepared before the upload. Should the file still not be written (the disk filled up meanwhile),
 * the object is deleted instead, since nobody could ever decrypt it.
 */
async function keepForRecovery(
  client: S3Client,
  config: PublishConfig,
  recoveryDir: string,
  payload: RegistrationPayload,
  error: RegistrationError,
): Promise<Error> {
  const record = { object_key: config.objectKey, publish_url: config.publishUrl, payload };
  try {
    const published = { sha256: payload.sha256, size_bytes: payload.size_bytes, cdn_url: payload.cdn_url };
    return new NotRegisteredError(config.objectKey, await writeRecoveryFile(recoveryDir, record), error, published);
  } catch (writeError) {
    await deleteObject(client, config.objectKey).catch(() => {});
    return new UploadError(
      `${error.message}; the registration could not be saved either (${recoveryDir}: ${(writeError as Error).message}), so the object ${config.objectKey} was deleted: publish again`,
      { cause: error },
    );
  }
}
