// `--output FILE`: the encrypted artifact as a local file instead of an upload, and beside it FILE.json, its
// metadata with the encryption key (mode 0600), since no admin API holds the key this time.
//
// node:fs/promises for writing files, which no web API does in both runtimes.
import { open, rm } from "node:fs/promises";
import type { OutputConfig } from "./config.ts";
import { openEncryptedArtifact } from "./encrypted-artifact.ts";
import { InputFileError } from "./errors.ts";
import { toHex } from "./hex.ts";
import type { ProgressSink } from "./progress.ts";
import { METADATA_KIND, writeRecordFile, type RecoveryRecord } from "./recovery.ts";

export interface WriteResult {
  metadataPath: string;
  metadata: RecoveryRecord;
  inputBytes: number;
  elapsedMs: number;
}

export async function encryptToFile(config: OutputConfig, options: { progress?: ProgressSink } = {}): Promise<WriteResult> {
  const started = performance.now();
  const { ciphertext, key, digest, inputBytes, close } = await openEncryptedArtifact(config.file, config.compression, options.progress);
  let handle;
  try {
    handle = await open(config.output, "w", 0o644);
  } catch (error) {
    await ciphertext.cancel();
    throw new InputFileError(`cannot write --output ${config.output}: ${(error as Error).message}`, config.output, { cause: error });
  }
  try {
    for await (const chunk of ciphertext) {
      await handle.write(chunk);
      options.progress?.uploaded(chunk.byteLength);
    }
    await handle.close();
  } catch (error) {
    await handle.close().catch(() => {});
    await rm(config.output, { force: true });
    throw error;
  } finally {
    close();
  }
  const metadata: Omit<RecoveryRecord, "created_at"> = {
    kind: METADATA_KIND,
    object_key: config.objectKey,
    encrypted_file: config.output,
    payload: {
      resource_name: config.names.resourceName,
      dev_stage: config.names.devStage,
      architecture: config.names.architecture,
      version: config.names.version,
      ...(config.cdnUrl === undefined ? {} : { cdn_url: config.cdnUrl }),
      sha256: digest.sha256,
      encryption_key: toHex(key),
      size_bytes: digest.bytes,
    },
  };
  const metadataPath = `${config.output}.json`;
  await rm(metadataPath, { force: true });
  const written = await writeRecordFile(metadataPath, metadata);
  return { metadataPath, metadata: written, inputBytes: inputBytes(), elapsedMs: performance.now() - started };
}
