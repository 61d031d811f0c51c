// What a finished publish prints: a short summary for people (stderr) or one JSON object for machines (stdout).
import type { PublishResult } from "./publish.ts";

const MIB = 1024 * 1024;

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < MIB) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 * MIB) return `${(bytes / MIB).toFixed(1)} MiB`;
  return `${(bytes / 1024 / MIB).toFixed(2)} GiB`;
}

export function humanSummary(result: PublishResult): string {
  const seconds = result.elapsedMs / 1000;
  const rate = seconds > 0 ? `${size(result.inputBytes / seconds)}/s` : "-";
  const how = result.parts === 0 ? "one request" : `${result.parts} parts of ${size(result.partSize)}`;
  return [
    `published ${result.objectKey}`,
    `  size     ${result.payload.size_bytes} bytes encrypted (${size(result.payload.size_bytes)}) from ${result.inputBytes} bytes (${size(result.inputBytes)}), ${how}`,
    `  sha256   ${result.payload.sha256}`,
    `  cdn_url  ${result.payload.cdn_url}`,
    `  time     ${seconds.toFixed(2)} s, ${rate} of input`,
  ].join("\n");
}

/** The --json result: the registration payload without the encryption key, plus the object key. */
export function jsonSummary(result: PublishResult): string {
  const { encryption_key: _secret, ...published } = result.payload;
  return JSON.stringify({ object_key: result.objectKey, ...published });
}
