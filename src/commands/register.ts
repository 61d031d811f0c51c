// `publish-artifact register --from FILE`: send a registration saved after a failed publish (or the metadata of
// --output, once its file was uploaded), and remove the file once the admin API has taken it.
import { registerArtifact, type RegisterOptions } from "../admin/register-artifact.ts";
import type { RegisterConfig } from "../config/register-config.ts";
import { UsageError } from "../errors.ts";
import { readRecordFile, removeRecordFile, type RecoveryRecord } from "../records/record-file.ts";

export async function registerFromRecoveryFile(config: RegisterConfig, options: RegisterOptions = {}): Promise<RecoveryRecord> {
  const record = await readRecordFile(config.from);
  const { cdn_url: cdnUrl, ...rest } = record.payload;
  if (cdnUrl === undefined) {
    throw new UsageError(`${config.from} has no cdn_url: run --output with S3_ENDPOINT and S3_BUCKET (or CDN_PUBLIC_BASE_URL) set`);
  }
  // The token goes only where the environment says: a file can be edited by anyone who can write it.
  if (record.publish_url !== undefined && record.publish_url !== config.publishUrl) {
    options.log?.(`${config.from} was saved for ${record.publish_url}; registering at ${config.publishUrl} (from ADMIN_API_URL) instead`);
  }
  await registerArtifact(config.publishUrl, config.adminToken, { ...rest, cdn_url: cdnUrl }, { ...options, retry: config.retry });
  await removeRecordFile(config.from);
  return record;
}
