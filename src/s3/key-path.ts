// Path-style addressing: `/{bucket}/{key}` with every key segment percent-encoded per RFC 3986, the form
// SigV4's canonical URI expects. The signer is told not to escape again (uriEscapePath: false).
import { encodeKey, encodeRfc3986 } from "../urls.ts";

/** The request path for a bucket or an object, below the endpoint's own path (if it has one). */
export function objectPath(endpointPath: string, bucket: string, key?: string): string {
  const base = endpointPath.replace(/\/+$/, "");
  const bucketPath = `${base}/${encodeRfc3986(bucket)}`;
  return key === undefined ? bucketPath : `${bucketPath}/${encodeKey(key)}`;
}

/** A query string in SigV4's canonical form: sorted, RFC 3986-encoded, `name=` for flags such as `uploads`. */
export function canonicalQuery(query: Record<string, string>): string {
  return Object.keys(query)
    .sort()
    .map((name) => `${encodeRfc3986(name)}=${encodeRfc3986(query[name] ?? "")}`)
    .join("&");
}
