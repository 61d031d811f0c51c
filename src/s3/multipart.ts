// The four requests of a multipart upload. ETags come from the UploadPart responses: Ceph RGW answers
// Complete with an empty ETag, so nothing here depends on Complete's body beyond finding an error in it.
import { S3Error, oneLine } from "../errors.ts";
import type { S3Client } from "./client.ts";
import { escapeXml, xmlElement } from "./xml.ts";

/**
 * The multipart uploads this process created and has not yet completed or aborted, and whether it created any:
 * what an interruption can truthfully say it left behind (a run stopped before its first part has none).
 */
export const multipartUploads = {
  open: new Set<string>(),
  created: 0,
};

export interface CompletedPart {
  partNumber: number;
  etag: string;
}

export async function createMultipartUpload(
  client: S3Client,
  key: string,
  signal?: AbortSignal,
): Promise<{ uploadId: string; attempts: number }> {
  const response = await client.send(
    "CreateMultipartUpload",
    { method: "POST", key, query: { uploads: "" }, headers: { "content-type": "application/octet-stream" } },
    signal,
  );
  const uploadId = xmlElement(response.body, "UploadId");
  if (!uploadId) throw new S3Error("CreateMultipartUpload", response.status, "", "the answer held no UploadId");
  multipartUploads.open.add(uploadId);
  multipartUploads.created += 1;
  return { uploadId, attempts: response.attempts };
}

export interface OpenUpload {
  uploadId: string;
  initiated: Date;
}

/** The multipart uploads still open for exactly this key (the first 1,000, which is plenty for one key). */
export async function listMultipartUploads(client: S3Client, key: string, signal?: AbortSignal): Promise<OpenUpload[]> {
  const response = await client.send("ListMultipartUploads", { method: "GET", query: { uploads: "", prefix: key } }, signal);
  return [...response.body.matchAll(/<Upload>([\s\S]*?)<\/Upload>/g)]
    .map((match) => match[1] as string)
    .filter((upload) => xmlElement(upload, "Key") === key)
    .map((upload) => ({ uploadId: xmlElement(upload, "UploadId"), initiated: new Date(xmlElement(upload, "Initiated")) }));
}

export async function uploadPart(
  client: S3Client,
  key: string,
  uploadId: string,
  partNumber: number,
  body: Uint8Array<ArrayBuffer>,
  signal?: AbortSignal,
): Promise<CompletedPart> {
  const operation = `UploadPart ${partNumber}`;
  const response = await client.send(
    operation,
    { method: "PUT", key, query: { partNumber: String(partNumber), uploadId }, body },
    signal,
  );
  const etag = response.headers.get("etag");
  if (!etag) throw new S3Error(operation, response.status, "", "the answer held no ETag");
  return { partNumber, etag };
}

export async function completeMultipartUpload(
  client: S3Client,
  key: string,
  uploadId: string,
  parts: readonly CompletedPart[],
  signal?: AbortSignal,
  conditions: Record<string, string> = {},
): Promise<void> {
  const xml =
    "<CompleteMultipartUpload>" +
    parts
      .map((p) => `<Part><PartNumber>${p.partNumber}</PartNumber><ETag>${escapeXml(p.etag)}</ETag></Part>`)
      .join("") +
    "</CompleteMultipartUpload>";
  // A retried Complete whose first answer was lost finds the upload already completed and gone; the HEAD
  // that follows every upload then checks the object's size.
  const response = await client.send(
    "CompleteMultipartUpload",
    { method: "POST", key, query: { uploadId }, body: new TextEncoder().encode(xml), headers: conditions },
    signal,
    (error) => error.code === "NoSuchUpload",
  );
  // S3 may answer 200 and still report a failure in the body.
  const body = response.body;
  if (/<Error>/.test(body)) {
    throw new S3Error(
      "CompleteMultipartUpload",
      response.status,
      xmlElement(body, "Code"),
      oneLine(xmlElement(body, "Message")),
      xmlElement(body, "RequestId"),
    );
  }
  multipartUploads.open.delete(uploadId);
}

export async function abortMultipartUpload(client: S3Client, key: string, uploadId: string, signal?: AbortSignal): Promise<void> {
  await client.send("AbortMultipartUpload", { method: "DELETE", key, query: { uploadId } }, signal, (error) => error.code === "NoSuchUpload");
  multipartUploads.open.delete(uploadId);
}
