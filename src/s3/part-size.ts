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

/**
 * KB, MB and GB are read as aws-cli reads them (awscli/customizations/s3/utils.py: 1024-based, the same as KiB,
 * MiB, GiB), so that a part size copied from an aws-cli config means the same here.
 */
const UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: MIB,
  mb: MIB,
  mib: MIB,
  g: 1024 * MIB,
  gb: 1024 * MIB,
  gib: 1024 * MIB,
};

/** What a size's text says: its bytes, or what is wrong with it. */
export type ParsedSize = { bytes: number } | { problem: string };

/** "8388608", "64MiB", "64MB", "64M", "1GiB" → bytes; else the problem with the text, unit or number. */
export function parseByteSize(text: string): ParsedSize {
  const match = /^(\d+(?:[.,]\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  if (!match) return { problem: `"${text}" is not a size` };
  const [, number = "", unitText = ""] = match;
  const unit = UNITS[unitText.toLowerCase()];
  if (unit === undefined) return { problem: `"${unitText}" is not a unit: use KiB, MiB or GiB (or KB, MB, GB, read as aws-cli does: 1024-based)` };
  if (!/^\d+$/.test(number)) return { problem: `${number} is not a whole number: give whole ${unitText || "bytes"}, or a smaller unit` };
  return { bytes: Number(number) * unit };
}
