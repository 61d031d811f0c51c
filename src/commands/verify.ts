// `publish-artifact verify`: download the published object with a signed GET and check it end to end, as a
// loader would and more: its size and SHA-256, that it decrypts with the key, and that it decrypts to exactly
// the bytes of --file. Everything streams, so memory stays bounded whatever the size.
import { compareStreams } from "../pipeline/compare-streams.ts";
import { VERIFY_NEEDS_SHA256, type VerifyConfig } from "../config/verify-config.ts";
import { ObjectNotFoundError, S3Error, UsageError, VerificationError } from "../errors.ts";
import { asDecryptError, checkDigest, decryptingPipeline } from "../pipeline/decrypted-artifact.ts";
import { openArtifact } from "../pipeline/file-source.ts";
import { resolveKey } from "../records/key-source.ts";
import { readRecordFile } from "../records/record-file.ts";
import { S3Client } from "../s3/client.ts";

export interface VerifyResult {
  objectKey: string;
  encryptedBytes: number;
  sha256: string;
  plainBytes: number;
}

export async function verifyPublished(
  config: VerifyConfig,
  options: { signal?: AbortSignal; log?: (line: string) => void; warn?: (line: string) => void; onKey?: (hex: string) => void } = {},
): Promise<VerifyResult> {
  const expected = await expectedOf(config.expected);
  options.onKey?.(expected.key);
  for (const line of expected.warnings) options.warn?.(line);
  const objectKey = config.objectKey ?? expected.objectKey;
  if (objectKey === undefined) throw new UsageError("verify needs the object's names, or --from FILE, which names it");
  if (expected.objectKey !== undefined && expected.objectKey !== objectKey) {
    throw new UsageError(`the names give ${objectKey}, but the --from file is for ${expected.objectKey}: leave the names out, or give the file of ${objectKey}`);
  }
  const local = await openArtifact(config.file);
  const client = new S3Client(config.s3, { retry: config.retry, log: options.log });
  let response: Response;
  try {
    response = await client.open("GetObject", { method: "GET", key: objectKey }, options.signal);
  } catch (error) {
    await local.stream.cancel();
    if (error instanceof S3Error && error.code === "NoSuchKey") {
      throw new ObjectNotFoundError(
        `${objectKey} is not in bucket ${config.s3.bucket} (NoSuchKey): check the names (or --from) and S3_BUCKET, or publish it first`,
        { cause: error },
      );
    }
    throw error;
  }
  const remoteSize = Number(response.headers.get("content-length") ?? Number.NaN);
  if (expected.size !== undefined && remoteSize !== expected.size) {
    await Promise.all([response.body?.cancel(), local.stream.cancel()]);
    throw new VerificationError(`${objectKey} is ${remoteSize} bytes in S3, not the registered ${expected.size}`);
  }
  const { plain, digest } = decryptingPipeline(response.body as ReadableStream<Uint8Array>, expected.key);
  let comparison;
  try {
    comparison = await compareStreams(plain, local.stream);
  } catch (error) {
    // A wrong key or a damaged object shows as a decryption error; the hash says which.
    throw asDecryptError(error);
  }
  if (comparison.firstDifference !== undefined) {
    const sizes = comparison.complete ? ` (it decrypts to ${comparison.leftBytes} bytes, --file has ${comparison.rightBytes})` : "";
    throw new VerificationError(`${objectKey} decrypts to data that differs from --file ${config.file} at byte ${comparison.firstDifference}${sizes}`);
  }
  checkDigest(digest, expected.sha256, objectKey);
  return { objectKey, encryptedBytes: digest.bytes, sha256: digest.sha256, plainBytes: comparison.leftBytes };
}

/** The key, the hash and (from a file) the size the object must have. */
async function expectedOf(
  expected: VerifyConfig["expected"],
): Promise<{ key: string; sha256: string; size: number | undefined; objectKey?: string; warnings: string[] }> {
  if ("from" in expected) {
    const record = await readRecordFile(expected.from);
    return { key: record.payload.encryption_key, sha256: record.payload.sha256, size: record.payload.size_bytes, objectKey: record.object_key, warnings: [] };
  }
  const resolved = await resolveKey(expected.key);
  const sha256 = expected.sha256 ?? resolved.sha256;
  if (sha256 === undefined) throw new UsageError(VERIFY_NEEDS_SHA256);
  return { key: resolved.key, sha256, size: undefined, warnings: resolved.warnings };
}
