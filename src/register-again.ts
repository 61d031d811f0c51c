// `publish-artifact register --from FILE`: send a registration saved after a failed publish, and remove the file
// once the admin API has taken it.
import { registerArtifact, type RegisterOptions } from "./admin.ts";
import type { RegisterConfig } from "./config.ts";
import { readRecoveryFile, removeRecoveryFile, type RecoveryRecord } from "./recovery.ts";

export async function registerFromRecoveryFile(config: RegisterConfig, options: RegisterOptions = {}): Promise<RecoveryRecord> {
  const record = await readRecoveryFile(config.from);
  await registerArtifact(config.publishUrl ?? record.publish_url, config.adminToken, record.payload, { ...options, retry: config.retry });
  await removeRecoveryFile(config.from);
  return record;
}
