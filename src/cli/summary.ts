// What a finished publish (or --output) prints: a short summary for people (stderr) or one JSON object for machines (stdout).
import { formatBytes, formatDuration } from "../format.ts";
import type { PublishResult } from "../commands/publish.ts";
import type { WriteResult } from "../commands/write-encrypted.ts";
import type { NotRegisteredError } from "../errors.ts";

export function humanSummary(result: PublishResult): string {
  const seconds = result.elapsedMs / 1000;
  const rate = seconds > 0 ? `${formatBytes(result.inputBytes / seconds)}/s` : "-";
  const how = result.parts === 0 ? "one request" : `${result.parts} parts of ${formatBytes(result.partSize)}`;
  const resumed = result.resumed.parts > 0 ? [`  resumed  ${result.resumed.parts} parts (${formatBytes(result.resumed.bytes)}) were already in S3 from a previous run, not sent again`] : [];
  return [
    `published ${result.objectKey}`,
    `  size     ${result.payload.size_bytes} bytes encrypted (${formatBytes(result.payload.size_bytes)}) from ${result.inputBytes} bytes (${formatBytes(result.inputBytes)}), ${how}`,
    `  sha256   ${result.payload.sha256}`,
    `  cdn_url  ${result.payload.cdn_url}`,
    ...resumed,
    `  time     ${seconds < 60 ? `${seconds.toFixed(2)} s` : formatDuration(seconds)}, ${rate} of input`,
  ].join("\n");
}

/** The --json result: the registration payload without the encryption key, plus the object key. */
export function jsonSummary(result: PublishResult): string {
  const { encryption_key: _secret, ...published } = result.payload;
  return JSON.stringify({
    object_key: result.objectKey,
    registered: true,
    ...published,
    replaced: result.replaced,
    resumed_parts: result.resumed.parts,
    resumed_bytes: result.resumed.bytes,
  });
}

/**
 * The --json result of a publish that uploaded but did not register (exit 5): the same object, `registered`
 * false, and where the registration (with the key, which is not printed) waits for `register --from`.
 */
export function notRegisteredSummary(error: NotRegisteredError): string {
  return JSON.stringify({ object_key: error.objectKey, registered: false, ...error.published, recovery_file: error.recoveryFile });
}

/** What --output wrote, for people: the sizes, the hash, and where the key is. */
export function writtenSummary(output: string, result: WriteResult): string {
  const size = result.metadata.payload.size_bytes;
  return (
    `wrote ${output}: ${size} bytes (${formatBytes(size)}) from ${result.inputBytes} bytes, sha256 ${result.metadata.payload.sha256}\n` +
    `its metadata, with the encryption key, is in ${result.metadataPath} (readable only by you)`
  );
}

/** The --json result of --output: the metadata without the key, which stays in the metadata file. */
export function outputSummary(result: WriteResult): string {
  const { encryption_key: _secret, ...published } = result.metadata.payload;
  return JSON.stringify({ object_key: result.metadata.object_key, ...published, encrypted_file: result.metadata.encrypted_file, metadata_file: result.metadataPath });
}
