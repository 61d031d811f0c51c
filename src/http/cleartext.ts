// Whether what a request carries can be read on its way: plain http that leaves this machine, either because
// the host is another machine or because a proxy relays it (a proxy sees an http request whole, headers and
// body; https only as a CONNECT tunnel).
import { isLoopbackUrl } from "../urls.ts";
import { proxyFor, type ProxyRoute } from "./proxy.ts";

export interface CleartextRoute {
  /** The URL's host:port. */
  host: string;
  /** The proxy that would relay it, for a host of this machine; undefined when the host itself is another machine. */
  via: ProxyRoute | undefined;
}

/** Where plain http to `url` would be readable under `env`; undefined for https and for loopback reached direct. */
export function cleartextRoute(url: string, env: Record<string, string | undefined>): CleartextRoute | undefined {
  if (!URL.canParse(url) || new URL(url).protocol !== "http:") return undefined;
  const host = new URL(url).host;
  if (!isLoopbackUrl(url)) return { host, via: undefined };
  const via = proxyFor(url, env);
  return via === undefined ? undefined : { host, via };
}

/** "to HOST" or "to HOST through the proxy at P (VARIABLE)", for the messages that refuse or warn. */
export function describeCleartext(route: CleartextRoute): string {
  return route.via === undefined ? `to ${route.host}` : `to ${route.host} through the proxy at ${route.via.proxy} (${route.via.variable})`;
}
