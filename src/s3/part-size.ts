// How big each multipart part is. S3 allows at most 10,000 parts of 5 MiB to 5 GiB each, every part but
// the last of the same size (Cloudflare R2 insists on that), so the part size is fixed before the first part.

export const MIB = 1024 * 1024;
export const MIN_PART_SIZE = 5 * MIB;
export const MAX_PART_SIZE = 5 * 1024 * MIB;
export const MAX_PARTS = 10_000;
/** Smallest part we pick ourselves: fewer requests per GiB than S3's 5 MiB minimum. */
export const DEFAULT_MIN_PART_SIZE = 8 * MIB;

/**
 * The largest ciphertext `inputSize` plaintext bytes can become: zlib's own bound for deflate of incompressible
 * data (its `deflateBound`), plus 18 bytes of gzip header and trailer, PKCS7's up to 16 and the 16-byte IV.
 */
export function maxCiphertextSize(inputSize: number): number {
  const deflate =
    inputSize + Math.floor(inputSize / 2 ** 12) + Math.floor(inputSize / 2 ** 14) + Math.floor(inputSize / 2 ** 25) + 13;
  return 16 + (Math.floor((deflate + 18) / 16) + 1) * 16;
}

/** The part size for an input of known size: at least 8 MiB, whole MiB, large enough for 10,000 parts. */
export function partSizeFor(inputSize: number): number {
  const needed = Math.ceil(maxCiphertextSize(inputSize) / MAX_PARTS);
  return Math.max(DEFAULT_MIN_PART_SIZE, Math.ceil(needed / MIB) * MIB);
}

/** A pipe's size is unknown: 64 MiB parts take it to about 625 GiB, and --part-size goes further. */
export const STDIN_PART_SIZE = 64 * MIB;

/** Every part but the last has this size, so it is fixed before the first part: --part-size, else from the size. */
export function partSizeOf(chosen: number | undefined, inputSize: number | undefined): number {
  return chosen ?? (inputSize === undefined ? STDIN_PART_SIZE : partSizeFor(inputSize));
}

const UNITS: Record<string, number> = { "": 1, b: 1, k: 1024, kib: 1024, m: MIB, mib: MIB, g: 1024 * MIB, gib: 1024 * MIB };

/** "8388608", "64MiB", "64M", "1GiB" → bytes; undefined when the text is not such a size. */
export function parseByteSize(text: string): number | undefined {
  const match = /^(\d+)\s*([a-z]*)$/i.exec(text.trim());
  if (!match) return undefined;
  const unit = UNITS[(match[2] ?? "").toLowerCase()];
  return unit === undefined ? undefined : Number(match[1]) * unit;
}
