// The four requests of a multipart upload. ETags come from the UploadPart responses: Ceph RGW answers
// Complete with an empty ETag, so nothing here depends on Complete's body beyond finding an error in it.
import { S3Error, oneLine } from "../errors.ts";
import { sha256Hex } from "../hex.ts";
import type { S3Client } from "./client.ts";
import type { SpooledBytes } from "./part-spool.ts";
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

/** A part S3 acknowledged, as a resume record journals it. */
export interface UploadedPart extends CompletedPart {
  size: number;
  /** SHA-256 of the part's bytes (hex), the hash its request was signed with. */
  sha256: string;
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

/** A part as S3 lists it. */
export interface ListedPart {
  partNumber: number;
  etag: string;
  size: number;
}

/**
 * The parts S3 holds of an upload, in order, across as many pages as it takes (S3 answers 1,000 at most per
 * page; `pageSize` lower only to test the paging). An upload that is gone throws S3's 404 (NoSuchUpload, or
 * Ceph's NoSuchKey).
 */
export async function listParts(client: S3Client, key: string, uploadId: string, signal?: AbortSignal, pageSize?: number): Promise<ListedPart[]> {
  const parts: ListedPart[] = [];
  let marker = "";
  for (;;) {
    const query: Record<string, string> = { uploadId, ...(marker ? { "part-number-marker": marker } : {}), ...(pageSize ? { "max-parts": String(pageSize) } : {}) };
    const body = (await client.send("ListParts", { method: "GET", key, query }, signal)).body;
    for (const match of body.matchAll(/<Part>([\s\S]*?)<\/Part>/g)) {
      const part = match[1] as string;
      parts.push({ partNumber: Number(xmlElement(part, "PartNumber")), etag: xmlElement(part, "ETag"), size: Number(xmlElement(part, "Size")) });
    }
    const next = xmlElement(body, "NextPartNumberMarker");
    if (xmlElement(body, "IsTruncated") !== "true" || next === "" || next === marker) return parts;
    marker = next;
  }
}

export async function uploadPart(
  client: S3Client,
  key: string,
  uploadId: string,
  partNumber: number,
  body: Uint8Array<ArrayBuffer> | SpooledBytes,
  sha256: string,
  signal?: AbortSignal,
  onSent?: (bytes: number) => void,
): Promise<UploadedPart> {
  const operation = `UploadPart ${partNumber}`;
  const response = await client.send(
    operation,
    { method: "PUT", key, query: { partNumber: String(partNumber), uploadId }, body, payloadHash: sha256, ...(onSent ? { onSent } : {}) },
    signal,
  );
  const etag = response.headers.get("etag");
  if (!etag) throw new S3Error(operation, response.status, "", "the answer held no ETag");
  return { partNumber, etag, size: body.byteLength, sha256 };
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

/** S3 says NoSuchUpload; Ceph answers for an upload it no longer has (ListParts) with 404 NoSuchKey. */
export function isGone(error: unknown): boolean {
  return error instanceof S3Error && error.status === 404 && (error.code === "NoSuchUpload" || error.code === "NoSuchKey");
}

export async function abortMultipartUpload(client: S3Client, key: string, uploadId: string, signal?: AbortSignal): Promise<void> {
  await client.send("AbortMultipartUpload", { method: "DELETE", key, query: { uploadId } }, signal, (error) => error.code === "NoSuchUpload");
  multipartUploads.open.delete(uploadId);
}
