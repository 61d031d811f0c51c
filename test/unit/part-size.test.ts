import { expect, test } from "bun:test";
import { gzipSync } from "node:zlib";
import { MAX_PARTS, MIB, maxCiphertextSize, parseByteSize, partSizeFor } from "../../src/s3/part-size.ts";
import { pseudoRandomBytes } from "../support/streams.ts";

test("the part size is at least 8 MiB and grows so that 5 TiB fits in 10,000 parts", () => {
  expect(partSizeFor(0)).toBe(8 * MIB);
  expect(partSizeFor(50 * 1024 * MIB)).toBe(8 * MIB);
  for (const size of [100 * 1024 * MIB, 1024 ** 4, 5 * 1024 ** 4]) {
    const part = partSizeFor(size);
    expect(part % MIB).toBe(0);
    expect(Math.ceil(maxCiphertextSize(size) / part)).toBeLessThanOrEqual(MAX_PARTS);
  }
  expect(partSizeFor(5 * 1024 ** 4)).toBeLessThanOrEqual(5 * 1024 * MIB);
});

test("maxCiphertextSize bounds incompressible data through gzip, padding and IV", () => {
  for (const size of [0, 1, 16, 65_536, 1_000_000]) {
    const gz = gzipSync(pseudoRandomBytes(size, size + 3)).byteLength;
    const ciphertext = 16 + (Math.floor(gz / 16) + 1) * 16;
    expect(ciphertext).toBeLessThanOrEqual(maxCiphertextSize(size));
  }
});

test("parseByteSize reads plain bytes, binary units, and KB/MB/GB as aws-cli does (1024-based)", () => {
  expect(parseByteSize("8388608")).toEqual({ bytes: 8 * MIB });
  expect(parseByteSize("64MiB")).toEqual({ bytes: 64 * MIB });
  expect(parseByteSize("64m")).toEqual({ bytes: 64 * MIB });
  expect(parseByteSize("1GiB")).toEqual({ bytes: 1024 * MIB });
  expect(parseByteSize("12 KiB")).toEqual({ bytes: 12 * 1024 });
  expect(parseByteSize("8MB")).toEqual({ bytes: 8 * MIB });
  expect(parseByteSize("8mb")).toEqual({ bytes: 8 * MIB });
  expect(parseByteSize("1GB")).toEqual({ bytes: 1024 * MIB });
  expect(parseByteSize("512KB")).toEqual({ bytes: 512 * 1024 });
  for (const bad of ["", "MiB", "-1", "0x10"]) expect(parseByteSize(bad)).toEqual({ problem: `"${bad}" is not a size` });
  expect(parseByteSize("5 parsecs")).toEqual({ problem: '"parsecs" is not a unit: use KiB, MiB or GiB (or KB, MB, GB, read as aws-cli does: 1024-based)' });
  expect(parseByteSize("1.5MiB")).toEqual({ problem: "1.5 is not a whole number: give whole MiB, or a smaller unit" });
});
