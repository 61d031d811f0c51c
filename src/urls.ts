// URL joining as users expect it: exactly one slash between a base and a path, however either was written.

export function joinUrl(base: string, path: string): string {
  const trimmedPath = path.replace(/^\/+/, "");
  const trimmedBase = base.replace(/\/+$/, "");
  return trimmedPath === "" ? trimmedBase : `${trimmedBase}/${trimmedPath}`;
}

/**
 * The `cdn_url` of the registration, as the spec defines it: `{CDN_PUBLIC_BASE_URL}/{object_key}`, or
 * `{S3_ENDPOINT}/{S3_BUCKET}/{object_key}` without a CDN. The key is inserted as is, like the Python script did,
 * so loaders see the same string for the same artifact.
 */
export function cdnUrlFor(where: { cdnBaseUrl: string | undefined; endpoint: string; bucket: string; objectKey: string }): string {
  const base = where.cdnBaseUrl ?? joinUrl(where.endpoint, where.bucket);
  return joinUrl(base, where.objectKey);
}

/** This machine: 127.0.0.0/8, ::1 and localhost, where plain http crosses no network. */
export function isLoopbackUrl(url: string): boolean {
  if (!URL.canParse(url)) return false;
  const host = new URL(url).hostname;
  return host === "localhost" || host === "[::1]" || /^127(\.\d{1,3}){3}$/.test(host);
}

/** Plain http:// to another machine: whatever travels in the request can be read on the way. */
export function isCleartextRemoteUrl(url: string): boolean {
  return URL.canParse(url) && new URL(url).protocol === "http:" && !isLoopbackUrl(url);
}
