// The proxy rule as both runtimes keep it (measured: see the header of src/http/proxy.ts), and the one rule for
// "plain http that stays on this machine" built on it. The e2e side is in test/e2e/proxy.test.ts.
import { describe, expect, test } from "bun:test";
import { cleartextRoute } from "../../src/http/cleartext.ts";
import { proxyFor } from "../../src/http/proxy.ts";
import { isLoopbackUrl } from "../../src/urls.ts";

describe("proxyFor: the proxy a URL may go through in Bun or Deno", () => {
  const env = { HTTPS_PROXY: "http://user:secret@proxy.corp:3128", HTTP_PROXY: "http://plain.corp:8080" };

  test("https takes HTTPS_PROXY, http takes HTTP_PROXY; the proxy is named without its credentials", () => {
    expect(proxyFor("https://s3.example.com/bucket", env)).toEqual({ proxy: "proxy.corp:3128", variable: "HTTPS_PROXY" });
    expect(proxyFor("http://admin.example.com", env)).toEqual({ proxy: "plain.corp:8080", variable: "HTTP_PROXY" });
    expect(JSON.stringify(proxyFor("https://s3.example.com", env))).not.toContain("secret");
  });

  test("lowercase variables count; ALL_PROXY serves both schemes when theirs is unset; none set means direct", () => {
    expect(proxyFor("https://s3.example.com", { https_proxy: "proxy.corp:3128" })).toEqual({ proxy: "proxy.corp:3128", variable: "https_proxy" });
    expect(proxyFor("http://127.0.0.1:8080", { ALL_PROXY: "http://all.corp:1080" })).toEqual({ proxy: "all.corp:1080", variable: "ALL_PROXY" });
    expect(proxyFor("https://s3.example.com", { all_proxy: "socks5://all.corp:1080" })).toEqual({ proxy: "all.corp:1080", variable: "all_proxy" });
    expect(proxyFor("http://a.example", { HTTP_PROXY: "http://plain.corp:8080", ALL_PROXY: "http://all.corp:1080" })?.variable).toBe("HTTP_PROXY");
    expect(proxyFor("https://s3.example.com", {})).toBeUndefined();
    expect(proxyFor("https://s3.example.com", { HTTP_PROXY: "http://plain.corp:8080" })).toBeUndefined();
  });

  test("NO_PROXY: only what both runtimes exempt goes direct", () => {
    const cases: [string, string, boolean][] = [
      ["s3.example.com", "https://s3.example.com", false],
      ["example.com", "https://s3.example.com", false],
      [".example.com", "https://s3.example.com", false],
      ["*.example.com", "https://s3.example.com", false],
      ["other.com, 127.0.0.1", "https://127.0.0.1:7480", false],
      ["LOCALHOST", "http://localhost:7480", false],
      ["::1", "http://[::1]:7480", false],
      ["*", "https://anything.example", false],
      // Bun exempts these, Deno does not: they count as proxied.
      ["127.0.0.1:7480", "https://127.0.0.1:7480", true],
      ["*", "http://127.0.0.1:7480", true],
      ["[::1]", "http://[::1]:7480", true],
      ["127.0.0.1", "http://[::ffff:127.0.0.1]:7480", true],
      // Neither runtime exempts these.
      [".0.0.1", "http://127.0.0.1:7480", true],
      ["127.0.0.1;localhost", "http://127.0.0.1:7480", true],
      ["ample.com", "https://s3.example.com", true],
      ["", "https://s3.example.com", true],
    ];
    for (const [noProxy, url, proxied] of cases) {
      expect(`${noProxy} / ${url}: ${proxyFor(url, { ...env, NO_PROXY: noProxy }) !== undefined}`).toBe(`${noProxy} / ${url}: ${proxied}`);
    }
  });

  test("NO_PROXY and no_proxy both set: direct only when both exempt the host", () => {
    expect(proxyFor("http://127.0.0.1:1", { ...env, NO_PROXY: "127.0.0.1", no_proxy: "127.0.0.1" })).toBeUndefined();
    expect(proxyFor("http://127.0.0.1:1", { ...env, NO_PROXY: "127.0.0.1", no_proxy: "example.com" })).toBeDefined();
  });

  test("a variable Deno will not let us read counts as set: its fetch still follows it", () => {
    const denied = new Proxy({} as Record<string, string | undefined>, {
      get: (_, name) => {
        if (name === "HTTP_PROXY") throw new Error('Requires env access to "HTTP_PROXY"');
        return undefined;
      },
    });
    expect(proxyFor("http://127.0.0.1:1", denied)).toEqual({ proxy: "(unreadable)", variable: "HTTP_PROXY" });
  });
});

describe("one rule for plain http that stays on this machine", () => {
  test("every spelling of loopback is loopback, and nothing else is", () => {
    const loopback = ["http://localhost:1", "http://127.0.0.1:1", "http://127.9.8.7:1", "http://127.1:1", "http://0x7f000001:1", "http://2130706433:1", "http://[::1]:1", "http://[0:0:0:0:0:0:0:1]:1", "http://[::ffff:127.0.0.1]:1", "http://[::ffff:7f00:1]:1"];
    const remote = ["http://128.0.0.1:1", "http://127.0.0.1.nip.io:1", "http://[::2]:1", "http://[::ffff:10.0.0.1]:1", "http://localhost.example:1", "http://10.0.0.1:1"];
    expect(loopback.filter((url) => !isLoopbackUrl(url))).toEqual([]);
    expect(remote.filter((url) => isLoopbackUrl(url))).toEqual([]);
    for (const url of loopback) expect(cleartextRoute(url, {})).toBeUndefined();
    for (const url of remote) expect(cleartextRoute(url, {})).toEqual({ host: new URL(url).host, via: undefined });
  });

  test("loopback through a proxy is not this machine; NO_PROXY that both runtimes honour makes it so again", () => {
    const proxied = { HTTP_PROXY: "http://proxy.corp:3128" };
    expect(cleartextRoute("http://127.0.0.1:8080", proxied)).toEqual({ host: "127.0.0.1:8080", via: { proxy: "proxy.corp:3128", variable: "HTTP_PROXY" } });
    expect(cleartextRoute("http://localhost:8080", { ...proxied, NO_PROXY: "localhost" })).toBeUndefined();
    expect(cleartextRoute("http://127.0.0.1:8080", { ...proxied, NO_PROXY: "localhost" })?.via?.variable).toBe("HTTP_PROXY");
    expect(cleartextRoute("http://127.0.0.1:8080", { ALL_PROXY: "socks5://proxy.corp:1080", NO_PROXY: "127.0.0.1" })).toBeUndefined();
    // https goes through a proxy only as a CONNECT tunnel: nothing to refuse.
    expect(cleartextRoute("https://127.0.0.1:8080", proxied)).toBeUndefined();
  });
});
