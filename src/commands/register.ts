// `publish-artifact register --from FILE`: send a registration saved after a failed publish (or the metadata of
// --output, once its file was uploaded), and remove the file once the admin API has taken it.
//
// The file is untrusted: a checkout, a restored cache or anyone who can write it could have edited it. So the
// token goes only to ADMIN_API_URL, the cdn_url is made again from the environment and object_key, the names
// must make object_key, and the object itself must be in S3 with the file's size and decrypt with its key
// (its first block, fetched by range). Only the sha256 is taken on trust: checking it means reading the whole
// object, which `verify --from FILE` does.
import { registerArtifact, type RegisterOptions } from "../admin/register-artifact.ts";
import type { RegisterConfig } from "../config/register-config.ts";
import { InputFileError, ObjectNotFoundError, S3Error, UploadError } from "../errors.ts";
import { fromHex } from "../hex.ts";
import { objectKeyFor } from "../object-key.ts";
import { decryptsToGzip } from "../pipeline/cipher/aes-cbc-decrypt.ts";
import { readRecordFile, removeRecordFile, type RecoveryRecord } from "../records/record-file.ts";
import { S3Client } from "../s3/client.ts";
import { headObjectSize, readObjectHead } from "../s3/objects.ts";
import { cdnUrlFor } from "../urls.ts";

export async function registerFromRecoveryFile(
  config: RegisterConfig,
  options: RegisterOptions & { onKey?: (hex: string) => void } = {},
): Promise<RecoveryRecord> {
  const record = await readRecordFile(config.from);
  options.onKey?.(record.payload.encryption_key);
  const { cdn_url: savedCdnUrl, ...rest } = record.payload;
  const refuse = (why: string) => new InputFileError(`--from ${config.from} does not describe the object: ${why}; nothing was registered`, config.from);

  const named = objectKeyFor({ resourceName: rest.resource_name, devStage: rest.dev_stage, architecture: rest.architecture, version: rest.version });
  if (named !== record.object_key) throw refuse(`its names (resource_name, dev_stage, architecture, version) make ${named}, not its object_key ${record.object_key}`);
  const client = new S3Client(config.s3, { retry: config.retry, log: options.log });
  const where = `${record.object_key} in bucket ${config.s3.bucket}`;
  let size: number;
  try {
    size = await headObjectSize(client, record.object_key, options.signal);
  } catch (error) {
    if (error instanceof S3Error && error.status === 404 && error.code !== "NoSuchBucket") {
      throw new ObjectNotFoundError(`${where} does not exist (HEAD: 404): upload it first, or check S3_BUCKET and --from; nothing was registered`, { cause: error });
    }
    // A HEAD's 403 has no body to say why: write-only credentials are the usual one, and this check needs to read.
    if (error instanceof S3Error && error.status === 403) {
      throw new UploadError(
        `S3 refused to show ${where} (HEAD: 403): register checks the object against --from, so the credentials of S3_ACCESS_KEY need s3:GetObject on it (or the secret is wrong); nothing was registered`,
        { cause: error },
      );
    }
    throw error;
  }
  if (size !== rest.size_bytes) throw refuse(`size_bytes is ${rest.size_bytes}, but ${where} is ${size} bytes`);
  const head = await readObjectHead(client, record.object_key, 32, options.signal);
  if (!decryptsToGzip(fromHex(rest.encryption_key), head)) throw refuse(`encryption_key does not decrypt ${where}`);

  // The token goes only where the environment says, and the cdn_url is where the object is.
  if (record.publish_url !== undefined && record.publish_url !== config.publishUrl) {
    options.log?.(`${config.from} was saved for ${record.publish_url}; registering at ${config.publishUrl} (from ADMIN_API_URL) instead`);
  }
  const cdnUrl = cdnUrlFor({ cdnBaseUrl: config.cdnBaseUrl, endpoint: config.s3.endpoint, bucket: config.s3.bucket, objectKey: record.object_key });
  if (savedCdnUrl !== undefined && savedCdnUrl !== cdnUrl) {
    options.log?.(`${config.from} says cdn_url ${savedCdnUrl}; registering ${cdnUrl} (from the S3 and CDN variables) instead`);
  }
  await registerArtifact(config.publishUrl, config.adminToken, { ...rest, cdn_url: cdnUrl }, { ...options, retry: config.retry });
  await removeRecordFile(config.from);
  return record;
}
