// `--dry-run`: everything validated and the file checked readable, then what a publish would do, with no
// request sent.
import type { PublishConfig } from "./config.ts";
import { openArtifact } from "./file-source.ts";
import { formatBytes } from "./format.ts";
import { partSizeOf } from "./publish.ts";
import { objectPath } from "./s3/key-path.ts";
import { maxCiphertextSize } from "./s3/part-size.ts";

export async function describePlan(config: PublishConfig, output?: string[]): Promise<string> {
  let size: number | undefined;
  if (config.file !== "-") {
    const source = await openArtifact(config.file);
    size = source.size;
    await source.stream.cancel();
  }
  const partSize = partSizeOf(config, size);
  const endpoint = new URL(config.s3.endpoint);
  const uploadUrl = `${endpoint.origin}${objectPath(endpoint.pathname, config.s3.bucket, config.objectKey)}`;
  const upload =
    size === undefined
      ? `from stdin, size unknown: multipart in parts of ${formatBytes(partSize)} (at most ${formatBytes(partSize * 10_000)})`
      : maxCiphertextSize(size) <= partSize
        ? "one PutObject request"
        : `multipart, parts of ${formatBytes(partSize)}, ${config.concurrency} at a time`;
  const lines = [
    "dry run: nothing was uploaded or registered",
    `  input        ${config.file === "-" ? "stdin" : `${config.file}, ${size} bytes (${formatBytes(size ?? 0)})`}`,
    `  object key   ${config.objectKey}`,
    `  upload to    ${uploadUrl}`,
    `  upload as    ${upload}`,
    `  register at  ${config.publishUrl}`,
    `  cdn_url      ${config.cdnUrl}`,
  ];
  if (output?.[0] !== undefined) lines.push(`  --output     would write ${output[0]} and ${output[0]}.json instead of uploading`);
  return lines.join("\n");
}
