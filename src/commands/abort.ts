// `publish-artifact abort --from RECORD`: abort the multipart upload a publish left open (killed, or its own
// abort failed), as its resume record names it, and remove the record. An upload already gone (aborted by
// someone, or by a lifecycle rule) is fine: the record is removed all the same.
//
// The record is untrusted: the request goes to S3_ENDPOINT and S3_BUCKET from the environment, and a record
// of an upload elsewhere is refused rather than followed.
import type { AbortConfig } from "../config/abort-config.ts";
import { InputFileError } from "../errors.ts";
import { readResumeRecord, removeResumeRecord, type ResumeRecordFile } from "../records/resume-record.ts";
import { S3Client } from "../s3/client.ts";
import { abortMultipartUpload, isGone, listParts } from "../s3/multipart.ts";

export interface AbortResult {
  record: ResumeRecordFile;
  /** What S3 held of the upload when it was aborted; undefined when S3 no longer had the upload. */
  held: { parts: number; bytes: number } | undefined;
}

export async function abortFromRecord(
  config: AbortConfig,
  options: { signal?: AbortSignal; log?: (line: string) => void; onKey?: (hex: string) => void } = {},
): Promise<AbortResult> {
  const record = await readResumeRecord(config.from);
  options.onKey?.(record.header.encryption_key);
  const { endpoint, bucket, object_key: key, upload_id: uploadId } = record.header;
  if (endpoint !== config.s3.endpoint || bucket !== config.s3.bucket) {
    throw new InputFileError(
      `--from ${config.from} is the record of an upload to bucket ${bucket} at ${endpoint}, but S3_ENDPOINT and S3_BUCKET name bucket ${config.s3.bucket} at ${config.s3.endpoint}: set them to where the upload is; nothing was sent`,
      config.from,
    );
  }
  const client = new S3Client(config.s3, { retry: config.retry, log: options.log });
  let held: AbortResult["held"];
  try {
    // What the abort frees, as S3 counts it (the journal may lag behind a part S3 took just before a kill).
    const parts = await listParts(client, key, uploadId, options.signal);
    held = { parts: parts.length, bytes: parts.reduce((sum, part) => sum + part.size, 0) };
    await abortMultipartUpload(client, key, uploadId, options.signal);
  } catch (error) {
    if (!isGone(error)) throw error;
    held = undefined;
  }
  await removeResumeRecord(config.from);
  return { record, held };
}
