// `publish-artifact decrypt --key-file PATH [--sha256 HEX] IN OUT`: what a loader does with a downloaded object,
// streamed: check the SHA-256 of the input, decrypt, gunzip, write the original. "-" is stdin or stdout.
// A file output appears only when everything checked out (write-file.ts).
//
// node:process and node:stream for stdin and stdout, which Bun and Deno share no web API for; node:fs/promises
// to see whether OUT exists.
import { lstat } from "node:fs/promises";
import process from "node:process";
import { Readable, Writable } from "node:stream";
import { byteCounter } from "../pipeline/byte-counter.ts";
import type { DecryptConfig } from "../config/decrypt-config.ts";
import { asDecryptError, checkDigest, decryptingPipeline } from "../pipeline/decrypted-artifact.ts";
import { openArtifact } from "../pipeline/file-source.ts";
import { resolveKey } from "../records/key-source.ts";
import { isSameFile, writeStreamToFile } from "../pipeline/write-file.ts";
import { UsageError } from "../errors.ts";

export interface DecryptResult {
  encryptedBytes: number;
  plainBytes: number;
  sha256: string;
  /** Whether the input's hash was compared with an expected one (--sha256, or a metadata --key-file). */
  sha256Checked: boolean;
}

export async function decryptFile(
  config: DecryptConfig,
  options: { onKey?: (hex: string) => void; warn?: (line: string) => void } = {},
): Promise<DecryptResult> {
  await refuseToDestroy(config, options.warn);
  const resolved = await resolveKey(config.key);
  options.onKey?.(resolved.key);
  for (const line of resolved.warnings) options.warn?.(line);
  // A metadata or recovery file given as --key-file also knows the hash: check it unless --sha256 says otherwise.
  const sha256 = config.sha256 ?? resolved.sha256;
  const input = config.input === "-" ? (Readable.toWeb(process.stdin) as unknown as ReadableStream<Uint8Array>) : (await openArtifact(config.input, { label: `IN ${config.input}` })).stream;
  const { plain, digest } = decryptingPipeline(input, resolved.key);
  let plainBytes = 0;
  const counted = plain.pipeThrough(byteCounter((bytes) => (plainBytes += bytes)));
  try {
    if (config.output === "-") {
      // Stdout cannot be taken back: with --sha256, the hash is only known at the end, so say so loudly then.
      await counted.pipeTo(Writable.toWeb(process.stdout) as unknown as WritableStream<Uint8Array>, { preventClose: true });
      checkDigest(digest, sha256, "the input");
    } else {
      await writeStreamToFile(counted, config.output, "OUT", { check: () => checkDigest(digest, sha256, `IN ${config.input}`) });
    }
  } catch (error) {
    throw asDecryptError(error);
  }
  return { encryptedBytes: digest.bytes, plainBytes, sha256: digest.sha256, sha256Checked: sha256 !== undefined };
}

/**
 * OUT is never IN, by any name (the decryption would truncate what it reads); an existing OUT is replaced, as
 * the rename at the end always did, but now with a warning, as a publish warns of an object it replaces.
 */
async function refuseToDestroy(config: DecryptConfig, warn: ((line: string) => void) | undefined): Promise<void> {
  if (config.output === "-") return;
  if (config.input !== "-" && (await isSameFile(config.input, config.output))) {
    throw new UsageError(`OUT ${config.output} is IN ${config.input} itself: writing it would destroy the encrypted file; choose another path`);
  }
  if (await lstat(config.output).then(() => true, () => false)) warn?.(`OUT ${config.output} exists: it is being replaced`);
}
