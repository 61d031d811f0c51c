// Which proxy a request may go through. Bun's fetch (the binary too) and Deno's follow HTTPS_PROXY, HTTP_PROXY,
// ALL_PROXY and NO_PROXY (and their lowercase forms) by themselves; this module repeats their rule for two
// uses: to say, when a server does not answer, that the request went through a proxy ("connection refused"
// from a proxy that is down otherwise reads as if the server were), and to tell whether plain http to this
// machine stays on this machine (the token and the key must not cross a proxy in clear).
//
// The rule is the one both runtimes keep, so that "direct" is never said of a request one of them proxies.
// Measured here (Bun 1.4.5, Deno 2.9.6, a forward proxy counting what passed it):
// - both: ALL_PROXY/all_proxy serve when the scheme's own variable is unset; NO_PROXY entries are split on
//   commas and spaces (not ";"), matched without regard to case; an exact host (127.0.0.1, localhost, ::1
//   for [::1]) goes direct; "127.0.0.0/8" exempts 127.0.0.1 in both, but is not repeated here (conservative);
// - Bun only: "*" exempts IP literals too (Deno still proxies 127.0.0.1 with NO_PROXY=*), "host:port" entries,
//   "[::1]" with brackets, and 127.0.0.1 for [::ffff:127.0.0.1];
// - neither: a suffix such as ".0.0.1" exempts an IP address.

export interface ProxyRoute {
  /** The proxy's host:port, without any user:password it carries; "(unreadable)" when it cannot be parsed. */
  proxy: string;
  /** The variable it came from. */
  variable: string;
}

type Env = Record<string, string | undefined>;

/**
 * A variable, or "unreadable": Deno throws on a variable its --allow-env does not list, yet its fetch still
 * follows the proxy variables; what cannot be read must then count as possibly set.
 */
function read(env: Env, name: string): string | undefined | "unreadable" {
  try {
    return env[name];
  } catch {
    return "unreadable";
  }
}

function firstSet(env: Env, names: readonly string[]): [string, string] | undefined {
  for (const name of names) {
    const value = read(env, name);
    if (value) return [name, value];
  }
  return undefined;
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** Whether one NO_PROXY entry sends `host` (a URL's hostname, IPv6 without brackets, lowercase) direct in both runtimes. */
function entryExempts(entry: string, host: string): boolean {
  const isIp = IPV4.test(host) || host.includes(":");
  if (entry === "*") return !isIp;
  // host:port entries and bracketed IPv6 are Bun's alone.
  if (/:\d+$/.test(entry) && !entry.includes("::")) return false;
  if (entry.startsWith("[")) return false;
  if (host === entry) return true;
  if (isIp) return false;
  const suffix = entry.replace(/^\*?\./, "");
  return suffix !== "" && host.endsWith(`.${suffix}`);
}

/** Whether every NO_PROXY variable that is set exempts `url` (which of them a runtime reads first is not ours to guess). */
function exempt(url: URL, env: Env): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  const lists = ["NO_PROXY", "no_proxy"].map((name) => read(env, name)).filter((value): value is string => value !== undefined && value !== "");
  if (lists.length === 0) return false;
  return lists.every(
    (list) =>
      list !== "unreadable" &&
      list
        .toLowerCase()
        .split(/[,\s]+/)
        .filter((entry) => entry !== "")
        .some((entry) => entryExempts(entry, host)),
  );
}

/** The proxy `url` may go through under `env`, or undefined when both runtimes send it direct. */
export function proxyFor(url: string, env: Env): ProxyRoute | undefined {
  if (!URL.canParse(url)) return undefined;
  const target = new URL(url);
  const own = target.protocol === "https:" ? ["HTTPS_PROXY", "https_proxy"] : ["HTTP_PROXY", "http_proxy"];
  const chosen = firstSet(env, [...own, "ALL_PROXY", "all_proxy"]);
  if (chosen === undefined || exempt(target, env)) return undefined;
  const [name, value] = chosen;
  if (value === "unreadable") return { proxy: "(unreadable)", variable: name };
  const full = value.includes("://") ? value : `http://${value}`;
  const proxyUrl = URL.canParse(full) ? new URL(full) : undefined;
  return { proxy: proxyUrl?.host ?? "(unreadable)", variable: name };
}
