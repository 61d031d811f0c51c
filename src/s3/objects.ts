// The requests on one whole object: PutObject (a ciphertext that fits one part), whether a key holds an object,
// its size, its first bytes, and its deletion.
import { S3Error } from "../errors.ts";
import type { S3Client } from "./client.ts";
import type { SpooledBytes } from "./part-spool.ts";

/** `If-None-Match: *`: S3 stores the object only if the key is free; a 412 PreconditionFailed otherwise. */
export const IF_ABSENT = { "if-none-match": "*" } as const;

/** `sha256`: the body's hash, which a spooled body must come with. */
export async function putObject(
  client: S3Client,
  key: string,
  body: Uint8Array<ArrayBuffer> | SpooledBytes,
  options: { sha256?: string; signal?: AbortSignal; conditions?: Record<string, string>; onSent?: (bytes: number) => void } = {},
): Promise<string> {
  const { sha256, signal, conditions = {}, onSent } = options;
  const response = await client.send(
    "PutObject",
    {
      method: "PUT",
      key,
      body,
      headers: { "content-type": "application/octet-stream", ...conditions },
      ...(sha256 ? { payloadHash: sha256 } : {}),
      ...(onSent ? { onSent } : {}),
    },
    signal,
  );
  return response.headers.get("etag") ?? "";
}

/**
 * Whether the key holds an object: true or false, undefined when the credentials may not read it. A GET of one
 * byte, not a HEAD: a HEAD's 403 has no body, and only the body tells AccessDenied (write-only credentials, fine)
 * from SignatureDoesNotMatch or InvalidAccessKeyId (wrong credentials, which must fail here, before the upload).
 */
export async function objectExists(client: S3Client, key: string, signal?: AbortSignal): Promise<boolean | undefined> {
  try {
    await client.send("GetObject", { method: "GET", key, headers: { range: "bytes=0-0" } }, signal);
    return true;
  } catch (error) {
    if (!(error instanceof S3Error)) throw error;
    if (error.status === 404 && error.code !== "NoSuchBucket") return false;
    // An empty object has no byte 0.
    if (error.status === 416) return true;
    if (error.code === "AccessDenied") return undefined;
    throw error;
  }
}

/** The object's size as S3 reports it (Content-Length of a HEAD). */
export async function headObjectSize(client: S3Client, key: string, signal?: AbortSignal): Promise<number> {
  const response = await client.send("HeadObject", { method: "HEAD", key }, signal);
  return Number(response.headers.get("content-length"));
}

export async function deleteObject(client: S3Client, key: string, signal?: AbortSignal): Promise<void> {
  await client.send("DeleteObject", { method: "DELETE", key }, signal);
}

/** The first `bytes` bytes of the object (fewer when it is shorter). */
export async function readObjectHead(client: S3Client, key: string, bytes: number, signal?: AbortSignal): Promise<Uint8Array> {
  const response = await client.open("GetObject", { method: "GET", key, headers: { range: `bytes=0-${bytes - 1}` } }, signal);
  return new Uint8Array(await response.arrayBuffer());
}
