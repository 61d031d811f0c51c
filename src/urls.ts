// URL joining as users expect it: exactly one slash between a base and a path, however either was written.

export function joinUrl(base: string, path: string): string {
  const trimmedPath = path.replace(/^\/+/, "");
  const trimmedBase = base.replace(/\/+$/, "");
  return trimmedPath === "" ? trimmedBase : `${trimmedBase}/${trimmedPath}`;
}

/** RFC 3986 encoding: encodeURIComponent leaves !'()* alone, S3's canonical form does not. */
export function encodeRfc3986(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** An object key as a URL path: each segment encoded, the slashes between them kept. */
export function encodeKey(key: string): string {
  return key.split("/").map(encodeRfc3986).join("/");
}

/**
 * The `cdn_url` of the registration, as the spec defines it: `{CDN_PUBLIC_BASE_URL}/{object_key}`, or
 * `{S3_ENDPOINT}/{S3_BUCKET}/{object_key}` without a CDN. The key's segments are encoded as in the S3 request
 * path, so that a `?`, `#`, `%` or space in a name cannot turn into a query, a fragment or another object. Plain
 * names (letters, digits, `-_.~`) need no encoding and give the Python script's string.
 */
export function cdnUrlFor(where: { cdnBaseUrl: string | undefined; endpoint: string; bucket: string; objectKey: string }): string {
  const base = where.cdnBaseUrl ?? joinUrl(where.endpoint, where.bucket);
  return joinUrl(base, encodeKey(where.objectKey));
}

/** This machine: 127.0.0.0/8, ::1 and localhost, where plain http crosses no network. */
function isLoopbackUrl(url: string): boolean {
  if (!URL.canParse(url)) return false;
  const host = new URL(url).hostname;
  return host === "localhost" || host === "[::1]" || /^127(\.\d{1,3}){3}$/.test(host);
}

/** Plain http:// to another machine: whatever travels in the request can be read on the way. */
export function isCleartextRemoteUrl(url: string): boolean {
  return URL.canParse(url) && new URL(url).protocol === "http:" && !isLoopbackUrl(url);
}
