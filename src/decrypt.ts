// `publish-artifact decrypt --key HEX [--sha256 HEX] IN OUT`: what a loader does with a downloaded object,
// streamed: check the SHA-256 of the input, decrypt, gunzip, write the original. "-" is stdin or stdout.
// A file output appears only when everything checked out (write-file.ts).
//
// node:process and node:stream for stdin and stdout, which Bun and Deno share no web API for.
import process from "node:process";
import { Readable, Writable } from "node:stream";
import { aesCbcDecryptStream } from "./aes-cbc-decrypt.ts";
import { byteCounter } from "./byte-counter.ts";
import type { DecryptConfig } from "./config.ts";
import { DigestStream } from "./digest.ts";
import { InputFileError, VerificationError } from "./errors.ts";
import { openArtifact } from "./file-source.ts";
import { fromHex } from "./hex.ts";
import { resolveKey } from "./key-source.ts";
import { writeStreamToFile } from "./write-file.ts";

export interface DecryptResult {
  encryptedBytes: number;
  plainBytes: number;
  sha256: string;
  /** Whether the input's hash was compared with an expected one (--sha256, or a metadata --key-file). */
  sha256Checked: boolean;
}

/** The decrypting half of a loader: ciphertext in, original out, with the hash checked when it is known. */
export function decryptingPipeline(
  ciphertext: ReadableStream<Uint8Array>,
  keyHex: string,
): { plain: ReadableStream<Uint8Array>; digest: DigestStream } {
  const digest = new DigestStream();
  const plain = ciphertext
    .pipeThrough(digest)
    .pipeThrough(aesCbcDecryptStream(fromHex(keyHex)))
    .pipeThrough(gunzipStream());
  return { plain, digest };
}

function gunzipStream(): ReadableWritablePair<Uint8Array, Uint8Array> {
  // The DOM typings say BufferSource in and Uint8Array<ArrayBuffer> out; Uint8Array chunks are what flows here.
  return new DecompressionStream("gzip") as unknown as ReadableWritablePair<Uint8Array, Uint8Array>;
}

export function checkDigest(digest: DigestStream, expected: string | undefined, what: string): void {
  if (expected !== undefined && digest.sha256 !== expected) {
    throw new VerificationError(`${what} has SHA-256 ${digest.sha256}, not the expected ${expected}: it is not the published object, or it is damaged`);
  }
}

export async function decryptFile(config: DecryptConfig, onKey?: (hex: string) => void): Promise<DecryptResult> {
  const resolved = await resolveKey(config.key);
  onKey?.(resolved.key);
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
      await writeStreamToFile(counted, config.output, "OUT", () => checkDigest(digest, sha256, `IN ${config.input}`));
    }
  } catch (error) {
    throw asDecryptError(error);
  }
  return { encryptedBytes: digest.bytes, plainBytes, sha256: digest.sha256, sha256Checked: sha256 !== undefined };
}

/** Errors of the decompressor (a wrong key that happens to pad correctly, a truncated file) in our words. */
export function asDecryptError(error: unknown): unknown {
  if (error instanceof VerificationError || error instanceof InputFileError) return error;
  if (error instanceof TypeError || (error instanceof Error && /gzip|decompress|zlib|header|incorrect/i.test(error.message))) {
    return new VerificationError(`the decrypted data is not gzip (${error.message}): wrong key, or a damaged file`);
  }
  return error;
}
