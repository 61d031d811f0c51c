// The loader's side of aes-cbc.ts as a stream stage: the first 16 bytes are the IV, the rest AES-256-CBC
// ciphertext with PKCS7 padding.
//
// node:crypto because WebCrypto decrypts whole messages only and checks the padding on every call, so it
// cannot decrypt a stream chunk by chunk; createDecipheriv can, in Bun and Deno alike.
import { createDecipheriv, type Decipheriv } from "node:crypto";
import { VerificationError } from "../../errors.ts";

export function aesCbcDecryptStream(key: Uint8Array): TransformStream<Uint8Array, Uint8Array> {
  if (key.byteLength !== 32) throw new RangeError("AES-256 needs a 32-byte key");
  let decipher: Decipheriv | undefined;
  let iv = new Uint8Array(0);
  return new TransformStream({
    transform(chunk, controller) {
      let data = chunk;
      if (decipher === undefined) {
        const joined = new Uint8Array(iv.byteLength + data.byteLength);
        joined.set(iv);
        joined.set(data, iv.byteLength);
        if (joined.byteLength < 16) {
          iv = joined;
          return;
        }
        decipher = createDecipheriv("aes-256-cbc", key, joined.subarray(0, 16));
        data = joined.subarray(16);
      }
      const out = decipher.update(data);
      if (out.byteLength > 0) controller.enqueue(new Uint8Array(out.buffer, out.byteOffset, out.byteLength));
    },
    flush(controller) {
      if (decipher === undefined) throw new VerificationError("the encrypted data is shorter than its 16-byte IV");
      let last: Uint8Array;
      try {
        last = decipher.final();
      } catch {
        throw new VerificationError("the data does not decrypt with this key (bad padding): wrong key, or not our ciphertext");
      }
      if (last.byteLength > 0) controller.enqueue(new Uint8Array(last.buffer, last.byteOffset, last.byteLength));
    },
  });
}

/**
 * Whether `key` decrypts the first block of a ciphertext (`head`: its IV and first 16 bytes) to the start of a
 * gzip member (1f 8b, deflate): what a loader would see at once. A wrong key passes by chance once in 2^24.
 */
export function decryptsToGzip(key: Uint8Array, head: Uint8Array): boolean {
  if (head.byteLength < 32) return false;
  const decipher = createDecipheriv("aes-256-cbc", key, head.subarray(0, 16)).setAutoPadding(false);
  const block = decipher.update(head.subarray(16, 32));
  return block[0] === 0x1f && block[1] === 0x8b && block[2] === 0x08;
}
