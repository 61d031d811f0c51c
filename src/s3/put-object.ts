import type { S3Client } from "./client.ts";

export async function putObject(client: S3Client, key: string, body: Uint8Array<ArrayBuffer>, signal?: AbortSignal): Promise<string> {
  const response = await client.send(
    "PutObject",
    { method: "PUT", key, body, headers: { "content-type": "application/octet-stream" } },
    signal,
  );
  return response.headers.get("etag") ?? "";
}

/** The object's size as S3 reports it (Content-Length of a HEAD). */
export async function headObjectSize(client: S3Client, key: string, signal?: AbortSignal): Promise<number> {
  const response = await client.send("HeadObject", { method: "HEAD", key }, signal);
  return Number(response.headers.get("content-length"));
}

export async function deleteObject(client: S3Client, key: string, signal?: AbortSignal): Promise<void> {
  await client.send("DeleteObject", { method: "DELETE", key }, signal);
}
