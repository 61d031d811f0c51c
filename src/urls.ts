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

/**
 * Whether a URL names this machine: 127.0.0.0/8, ::1, localhost, and 127.x.x.x written as an IPv4-mapped IPv6
 * address. The URL parser has already made one form of each (127.1 and 0x7f000001 are 127.0.0.1,
 * [::ffff:127.0.0.1] is [::ffff:7f00:1], [0:0:0:0:0:0:0:1] is [::1]), so the rule holds for every spelling.
 */
export function isLoopbackUrl(url: string): boolean {
  if (!URL.canParse(url)) return false;
  const host = new URL(url).hostname;
  return host === "localhost" || host === "[::1]" || /^127(\.\d{1,3}){3}$/.test(host) || /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(host);
}
