// `publish-artifact abort --from RECORD`: abort the multipart upload a publish left open (killed, or its own
// abort failed), as its resume record names it, and remove the record. An upload already gone (aborted by
// someone, or by a lifecycle rule) is fine: the record is removed all the same.
//
// The record is untrusted: the request goes to S3_ENDPOINT and S3_BUCKET from the environment, and a record
// of an upload elsewhere is refused rather than followed.
import type { AbortConfig } from "../config/abort-config.ts";
import { InputFileError, S3Error } from "../errors.ts";
import { readResumeRecord, removeResumeRecord, type ResumeRecordFile } from "../records/resume-record.ts";
import { S3Client } from "../s3/client.ts";
import { abortMultipartUpload } from "../s3/multipart.ts";

export interface AbortResult {
  record: ResumeRecordFile;
  /** False when S3 no longer had the upload. */
  aborted: boolean;
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
  let aborted = true;
  try {
    await abortMultipartUpload(client, key, uploadId, options.signal);
  } catch (error) {
    // S3 says NoSuchUpload; Ceph answers an upload it no longer has with 404 NoSuchKey.
    if (!(error instanceof S3Error && error.status === 404 && (error.code === "NoSuchUpload" || error.code === "NoSuchKey"))) throw error;
    aborted = false;
  }
  await removeResumeRecord(config.from);
  return { record, aborted };
}
