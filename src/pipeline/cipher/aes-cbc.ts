// AES-256-CBC with PKCS7 as a stream stage, byte-compatible with `openssl enc -aes-256-cbc` and Python's
// `cryptography`: the output is the 16-byte IV followed by the ciphertext of the whole input.
//
// WebCrypto only encrypts whole messages, and always pads. CBC chains through the previous ciphertext
// block, so a long message can be cut into chunks whose length is a multiple of 16: each chunk is encrypted
// with the previous chunk's last ciphertext block as its IV, and the padding block WebCrypto appends is
// dropped from every chunk but the last. The last chunk (possibly empty) keeps its padding, which is
// exactly the PKCS7 padding of the whole message.

import { BlockFiller } from "../../bytes/block-filler.ts";

export const AES_BLOCK = 16;
/** Measured fastest here among 64 KiB … 8 MiB. */
export const AES_CHUNK_SIZE = 1024 * 1024;

export function randomBytes(length: number): Uint8Array<ArrayBuffer> {
  return crypto.getRandomValues(new Uint8Array(length));
}

export function aesCbcEncryptStream(
  key: Uint8Array<ArrayBuffer>,
  iv: Uint8Array<ArrayBuffer>,
  chunkSize = AES_CHUNK_SIZE,
): TransformStream<Uint8Array, Uint8Array> {
  if (key.byteLength !== 32) throw new RangeError("AES-256 needs a 32-byte key");
  if (iv.byteLength !== AES_BLOCK) throw new RangeError("AES-CBC needs a 16-byte IV");
  if (chunkSize <= 0 || chunkSize % AES_BLOCK !== 0) throw new RangeError("chunkSize must be a multiple of 16");

  let cryptoKey: CryptoKey;
  let nextIv = iv.slice();
  // encrypt() has finished with a chunk before the next is filled, so one buffer serves them all.
  const buffer = new Uint8Array(chunkSize);
  const filler = new BlockFiller(chunkSize, () => buffer);

  const encryptFull = async (block: Uint8Array<ArrayBuffer>, controller: TransformStreamDefaultController<Uint8Array>) => {
    const out = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-CBC", iv: nextIv }, cryptoKey, block));
    nextIv = out.slice(chunkSize - AES_BLOCK, chunkSize);
    controller.enqueue(out.subarray(0, chunkSize));
  };

  // WebCrypto encrypts off the main thread. Queues of a few chunks on both sides let compression go on
  // meanwhile instead of waiting for each chunk's encryption (measured: 1.16× → 1.06× the time of compression
  // alone), for 8 MiB of memory.
  const queue = new ByteLengthQueuingStrategy({ highWaterMark: 4 * chunkSize });
  return new TransformStream<Uint8Array, Uint8Array>(
    {
      async start(controller) {
        cryptoKey = await crypto.subtle.importKey("raw", key, "AES-CBC", false, ["encrypt"]);
        controller.enqueue(iv.slice());
      },
      async transform(chunk, controller) {
        await filler.push(chunk, (block) => encryptFull(block, controller));
      },
      async flush(controller) {
        const last = await crypto.subtle.encrypt({ name: "AES-CBC", iv: nextIv }, cryptoKey, filler.rest);
        controller.enqueue(new Uint8Array(last));
      },
    },
    queue,
    queue,
  );
}
