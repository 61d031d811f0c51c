// The loader's side of the pipeline: ciphertext (IV first) → SHA-256 → AES-256-CBC → gunzip → the original.
// Shared by `decrypt` and `verify`, with the wording of their failures.
import { InputFileError, VerificationError } from "../errors.ts";
import { fromHex } from "../hex.ts";
import { aesCbcDecryptStream } from "./cipher/aes-cbc-decrypt.ts";
import { DigestStream } from "./digest.ts";

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

/** Errors of the decompressor (a wrong key that happens to pad correctly, a truncated file) in our words. */
export function asDecryptError(error: unknown): unknown {
  if (error instanceof VerificationError || error instanceof InputFileError) return error;
  if (error instanceof TypeError || (error instanceof Error && /gzip|decompress|zlib|header|incorrect/i.test(error.message))) {
    return new VerificationError(`the decrypted data is not gzip (${error.message}): wrong key, or a damaged file`);
  }
  return error;
}
