import { expect, test } from "bun:test";
import { createCipheriv } from "node:crypto";
import { aesCbcDecryptStream } from "../../src/pipeline/cipher/aes-cbc-decrypt.ts";
import { VerificationError } from "../../src/errors.ts";
import { collect, cut, pseudoRandomBytes, streamOf } from "../support/streams.ts";

const key = pseudoRandomBytes(32, 1);
const iv = pseudoRandomBytes(16, 2);

function encrypted(data: Uint8Array): Uint8Array {
  const cipher = createCipheriv("aes-256-cbc", key, iv);
  return new Uint8Array(Buffer.concat([Buffer.from(iv), cipher.update(data), cipher.final()]));
}

for (const size of [0, 1, 15, 16, 17, 5000]) {
  test(`decrypts ${size} bytes of node:crypto ciphertext fed in awkward pieces`, async () => {
    const data = pseudoRandomBytes(size, size + 5);
    const out = await collect(streamOf(cut(encrypted(data), [3, 13, 100])).pipeThrough(aesCbcDecryptStream(key)));
    expect(Buffer.from(out).equals(Buffer.from(data))).toBe(true);
  });
}

test("a wrong key is a VerificationError (bad padding), almost always", async () => {
  const wrong = pseudoRandomBytes(32, 99);
  const error = await collect(streamOf([encrypted(pseudoRandomBytes(100))]).pipeThrough(aesCbcDecryptStream(wrong))).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(VerificationError);
});

test("data shorter than the IV is a VerificationError", async () => {
  const error = await collect(streamOf([new Uint8Array(10)]).pipeThrough(aesCbcDecryptStream(key))).catch((e: unknown) => e);
  expect((error as Error).message).toBe("the encrypted data is shorter than its 16-byte IV");
});
