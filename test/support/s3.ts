// The test S3 server (radosgw, started by scripts/test.ts) and an independent client for it: curl, which signs
// with SigV4 itself. Nothing here goes through our own S3 code.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { encodeKey } from "../../src/urls.ts";
import { decodeXml } from "../../src/s3/xml.ts";

export interface S3Env {
  S3_ENDPOINT: string;
  S3_ACCESS_KEY: string;
  S3_SECRET_KEY: string;
  S3_BUCKET: string;
  S3_REGION: string;
  /** The same server over TLS, with a certificate of a private CA (scripts/radosgw.sh). */
  S3_TLS_ENDPOINT?: string;
  /** That CA's certificate, PEM; the server's own certificate and key are beside it. */
  S3_TLS_CA?: string;
}

/** The server scripts/test.ts started for this run. */
export function s3Env(): S3Env {
  const path = process.env.TEST_RADOSGW_ENV;
  if (!path) throw new Error("no test S3 server: run the tests with `npm test`, which starts one");
  return parseEnvLines(readFileSync(path, "utf8"));
}

/** NAME=value lines, as scripts/radosgw.sh writes them. */
function parseEnvLines(text: string): S3Env {
  const entries = text
    .trim()
    .split("\n")
    .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]);
  return Object.fromEntries(entries) as S3Env;
}

/** Start a radosgw in `dir` (scripts/radosgw.sh, which installs it first if missing); undefined if it failed. */
export function startRadosgw(dir: string, env: Record<string, string | undefined> = process.env): S3Env | undefined {
  const started = spawnSync("bash", ["scripts/radosgw.sh", "start", dir], { stdio: ["ignore", "pipe", "inherit"], env });
  if (started.status === 0) return parseEnvLines(started.stdout.toString());
  stopRadosgw(dir);
  return undefined;
}

/** Stop exactly the daemons started in `dir`, and remove it. */
export function stopRadosgw(dir: string): void {
  spawnSync("bash", ["scripts/radosgw.sh", "stop", dir], { stdio: "inherit" });
}

function curl(env: S3Env, args: string[], input?: Uint8Array) {
  return spawnSync(
    "curl",
    [
      "-sS",
      "--aws-sigv4",
      `aws:amz:${env.S3_REGION}:s3`,
      "--user",
      `${env.S3_ACCESS_KEY}:${env.S3_SECRET_KEY}`,
      "-H",
      "x-amz-content-sha256: UNSIGNED-PAYLOAD",
      ...args,
    ],
    { input, maxBuffer: 1024 * 1024 * 1024 },
  );
}

export function objectUrl(env: S3Env, key: string): string {
  return `${env.S3_ENDPOINT}/${env.S3_BUCKET}/${encodeKey(key)}`;
}

/** Download an object with curl into `dest`; returns the HTTP status. */
export function curlDownload(env: S3Env, key: string, dest: string): number {
  return curlDownloadUrl(env, objectUrl(env, key), dest);
}

/** Download a URL of the S3 server as it is written (a cdn_url, say), signed by curl; returns the HTTP status. */
export function curlDownloadUrl(env: S3Env, url: string, dest: string): number {
  const result = curl(env, ["-o", dest, "-w", "%{http_code}", url]);
  return Number(result.stdout.toString());
}

/** Upload a file as the object at `key` with curl (another client than ours); returns the HTTP status. */
export function curlUpload(env: S3Env, key: string, source: string): number {
  const result = curl(env, ["-o", "/dev/null", "-w", "%{http_code}", "-T", source, objectUrl(env, key)]);
  return Number(result.stdout.toString());
}

/** Abort a multipart upload with curl (another client than ours). */
export function curlAbort(env: S3Env, key: string, uploadId: string): void {
  curl(env, ["-X", "DELETE", `${objectUrl(env, key)}?uploadId=${encodeURIComponent(uploadId)}`]);
}

export function curlDelete(env: S3Env, key: string): void {
  curl(env, ["-X", "DELETE", objectUrl(env, key)]);
}

/** Keys of the multipart uploads still open in the bucket. */
export function openMultipartUploads(env: S3Env): string[] {
  const xml = curl(env, [`${env.S3_ENDPOINT}/${env.S3_BUCKET}?uploads=`]).stdout.toString();
  if (!xml.includes("ListMultipartUploadsResult")) throw new Error(`cannot list multipart uploads: ${xml}`);
  return [...xml.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => decodeXml(m[1] as string));
}

/** Ids of the multipart uploads still open in the bucket. */
export function openMultipartUploadIds(env: S3Env): string[] {
  const xml = curl(env, [`${env.S3_ENDPOINT}/${env.S3_BUCKET}?uploads=`]).stdout.toString();
  if (!xml.includes("ListMultipartUploadsResult")) throw new Error(`cannot list multipart uploads: ${xml}`);
  return [...xml.matchAll(/<UploadId>([^<]*)<\/UploadId>/g)].map((m) => decodeXml(m[1] as string));
}

/** Keys of the objects in the bucket. */
export function listObjects(env: S3Env): string[] {
  const xml = curl(env, [`${env.S3_ENDPOINT}/${env.S3_BUCKET}?list-type=2`]).stdout.toString();
  if (!xml.includes("ListBucketResult")) throw new Error(`cannot list objects: ${xml}`);
  return [...xml.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => decodeXml(m[1] as string));
}
