// `publish-artifact verify`: download the published object with a signed GET and check it end to end, as a
// loader would and more: its size and SHA-256, that it decrypts with the key, and that it decrypts to exactly
// the bytes of --file. Everything streams, so memory stays bounded whatever the size.
import { compareStreams } from "../pipeline/compare-streams.ts";
import type { VerifyConfig } from "../config/verify-config.ts";
import { ObjectNotFoundError, S3Error, UsageError, VerificationError } from "../errors.ts";
import { asDecryptError, checkDigest, decryptingPipeline } from "../pipeline/decrypted-artifact.ts";
import { openArtifact } from "../pipeline/file-source.ts";
import { resolveKey } from "../records/key-source.ts";
import { readExpectation } from "../records/expectation-file.ts";
import { openStdin } from "../pipeline/stdin-source.ts";
import { S3Client } from "../s3/client.ts";

export interface VerifyResult {
  objectKey: string;
  encryptedBytes: number;
  sha256: string;
  /** Whether the hash was compared with one given (--sha256, --from, a metadata --key-file), or only computed. */
  sha256Checked: boolean;
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
  // `--file -`: the artifact from stdin, compared as it comes (a pipe is read once, as the download is).
  const local = config.file === "-" ? openStdin({ allowEmpty: true }) : await openArtifact(config.file);
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
  if (expected.sha256 !== undefined) checkDigest(digest, expected.sha256, objectKey);
  return { objectKey, encryptedBytes: digest.bytes, sha256: digest.sha256, sha256Checked: expected.sha256 !== undefined, plainBytes: comparison.leftBytes };
}

/**
 * The key, the hash (when one is given: without it the object's is only computed, while the decryption and
 * the comparison with --file still check everything) and, from a --from file, the size the object must have.
 */
async function expectedOf(
  expected: VerifyConfig["expected"],
): Promise<{ key: string; sha256: string | undefined; size: number | undefined; objectKey?: string; warnings: string[] }> {
  if ("from" in expected) {
    const from = await readExpectation(expected.from);
    const named = { sha256: from.sha256, size: from.size, objectKey: from.objectKey };
    if (from.key !== undefined) {
      if (expected.key !== undefined && expected.key.kind !== "env") {
        throw new UsageError(`--from ${expected.from} holds the key itself: leave out --key-file and --key`);
      }
      return { key: from.key, ...named, warnings: [] };
    }
    if (expected.key === undefined) {
      throw new UsageError(`--from ${expected.from} holds no key (a publish's --json output never does): give --key-file PATH or PUBLISH_ARTIFACT_KEY`);
    }
    const resolved = await resolveKey(expected.key);
    return { key: resolved.key, ...named, warnings: resolved.warnings };
  }
  const resolved = await resolveKey(expected.key);
  return { key: resolved.key, sha256: expected.sha256 ?? resolved.sha256, size: undefined, warnings: resolved.warnings };
}
