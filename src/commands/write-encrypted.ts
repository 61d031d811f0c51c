// `--output FILE`: the encrypted artifact as a local file instead of an upload, and beside it FILE.json, its
// metadata with the encryption key (mode 0600), since no admin API holds the key this time.
//
// node:fs/promises to compare files by identity and replace an old metadata file, which no web API does in
// both runtimes.
import { lstat, readFile, rm } from "node:fs/promises";
import { registrationPayload } from "../admin/register-artifact.ts";
import type { OutputConfig } from "../config/output-config.ts";
import { openEncryptedArtifact, type ProgressSink } from "../pipeline/encrypted-artifact.ts";
import { byteCounter } from "../pipeline/byte-counter.ts";
import { toHex } from "../hex.ts";
import { METADATA_KIND, parseRecord, writeRecordFile, type RecoveryRecord } from "../records/record-file.ts";
import { isSameFile, writeStreamToFile } from "../pipeline/write-file.ts";
import { UsageError } from "../errors.ts";

export interface WriteResult {
  metadataPath: string;
  metadata: RecoveryRecord;
  inputBytes: number;
  elapsedMs: number;
}

export async function encryptToFile(
  config: OutputConfig,
  options: { progress?: ProgressSink; onKey?: (hex: string) => void; signal?: AbortSignal } = {},
): Promise<WriteResult> {
  const started = performance.now();
  const metadataPath = `${config.output}.json`;
  await refuseToDestroy(config.file, config.output, metadataPath);
  const { ciphertext, key, digest, inputBytes, close, giveBack } = await openEncryptedArtifact(config.file, config.compression, options.progress, {
    allowEmpty: config.allowEmpty,
    signal: options.signal,
  });
  options.onKey?.(toHex(key));
  try {
    await writeStreamToFile(ciphertext.pipeThrough(byteCounter((bytes) => options.progress?.uploaded(bytes))), config.output, "--output", { written: giveBack });
  } finally {
    close();
  }
  // Where the environment does not say where the object will be, the metadata has no cdn_url.
  const { cdn_url: cdnUrl, ...placeless } = registrationPayload(config.names, config.cdnUrl ?? "", { sha256: digest.sha256, bytes: digest.bytes, keyHex: toHex(key) });
  const metadata: Omit<RecoveryRecord, "created_at"> = {
    kind: METADATA_KIND,
    object_key: config.objectKey,
    encrypted_file: config.output,
    payload: config.cdnUrl === undefined ? placeless : { ...placeless, cdn_url: cdnUrl },
  };
  await rm(metadataPath, { force: true });
  const written = await writeRecordFile(metadataPath, metadata);
  return { metadataPath, metadata: written, inputBytes: inputBytes(), elapsedMs: performance.now() - started };
}

/**
 * Nothing the user owns is overwritten by accident: neither output may be the input file (by any path, link or
 * hard link), and FILE.json is replaced only if it is an earlier run's metadata.
 */
async function refuseToDestroy(input: string, output: string, metadataPath: string): Promise<void> {
  if (input !== "-" && (await isSameFile(input, output))) {
    throw new UsageError(`--output ${output} is the input file itself (--file ${input}): writing it would destroy the artifact; choose another path`);
  }
  if (input !== "-" && (await isSameFile(input, metadataPath))) {
    throw new UsageError(`--output ${output} would write its metadata to ${metadataPath}, which is the input file (--file ${input}): choose another path`);
  }
  const existing = await lstat(metadataPath).catch(() => undefined);
  if (existing === undefined) return;
  const ours = existing.isFile() && existing.size < 64 * 1024 && (await isMetadataFile(metadataPath));
  if (!ours) {
    throw new UsageError(`${metadataPath} exists and is not the metadata of an earlier --output: move it away, or choose another --output`);
  }
}

async function isMetadataFile(path: string): Promise<boolean> {
  try {
    return parseRecord(await readFile(path, "utf8"), path, "--output").kind === METADATA_KIND;
  } catch {
    return false;
  }
}
