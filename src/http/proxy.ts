// Which proxy a request goes through. Bun's fetch (the binary too) and Deno's follow HTTPS_PROXY, HTTP_PROXY
// and NO_PROXY (and their lowercase forms) by themselves (measured: test/e2e/proxy.test.ts); this module only
// repeats their rule, so that an error can say a request went through a proxy: "connection refused" from a
// proxy that is down otherwise reads as if the server were.

export interface ProxyRoute {
  /** The proxy's host:port, without any user:password it carries. */
  proxy: string;
  /** The variable it came from. */
  variable: string;
}

function variable(env: Record<string, string | undefined>, name: string): [string, string] | undefined {
  for (const candidate of [name, name.toLowerCase()]) {
    const value = env[candidate];
    if (value) return [candidate, value];
  }
  return undefined;
}

/** Whether NO_PROXY exempts `url`: `*`, a host, a domain suffix (`.example.com` or `example.com`), host:port. */
function exempt(url: URL, noProxy: string): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  return noProxy
    .split(/[,\s]+/)
    .filter((entry) => entry !== "")
    .some((entry) => {
      if (entry === "*") return true;
      const [entryHost = "", entryPort] = entry.toLowerCase().replace(/^\[|\]$/g, "").split(/:(?=\d+$)/);
      if (entryPort !== undefined && entryPort !== port) return false;
      const bare = entryHost.replace(/^\*?\./, "");
      return host === bare || host.endsWith(`.${bare}`);
    });
}

/** The proxy `url` goes through under `env`, or undefined when it goes direct. */
export function proxyFor(url: string, env: Record<string, string | undefined>): ProxyRoute | undefined {
  if (!URL.canParse(url)) return undefined;
  const target = new URL(url);
  const chosen = variable(env, target.protocol === "https:" ? "HTTPS_PROXY" : "HTTP_PROXY");
  if (chosen === undefined) return undefined;
  const noProxy = variable(env, "NO_PROXY");
  if (noProxy !== undefined && exempt(target, noProxy[1])) return undefined;
  const [name, value] = chosen;
  const full = value.includes("://") ? value : `http://${value}`;
  const proxyUrl = URL.canParse(full) ? new URL(full) : undefined;
  return { proxy: proxyUrl?.host ?? "(unreadable)", variable: name };
}
