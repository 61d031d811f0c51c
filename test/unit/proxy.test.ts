import { describe, expect, test } from "bun:test";
import { proxyFor } from "../../src/http/proxy.ts";

describe("proxyFor: the route Bun and Deno take for a URL", () => {
  const env = { HTTPS_PROXY: "http://user:secret@proxy.corp:3128", HTTP_PROXY: "http://plain.corp:8080" };

  test("https takes HTTPS_PROXY, http takes HTTP_PROXY; the proxy is named without its credentials", () => {
    expect(proxyFor("https://s3.example.com/bucket", env)).toEqual({ proxy: "proxy.corp:3128", variable: "HTTPS_PROXY" });
    expect(proxyFor("http://admin.example.com", env)).toEqual({ proxy: "plain.corp:8080", variable: "HTTP_PROXY" });
    expect(JSON.stringify(proxyFor("https://s3.example.com", env))).not.toContain("secret");
  });

  test("lowercase variables count; none set means direct", () => {
    expect(proxyFor("https://s3.example.com", { https_proxy: "proxy.corp:3128" })).toEqual({ proxy: "proxy.corp:3128", variable: "https_proxy" });
    expect(proxyFor("https://s3.example.com", {})).toBeUndefined();
    expect(proxyFor("https://s3.example.com", { HTTP_PROXY: "http://plain.corp:8080" })).toBeUndefined();
  });

  test("NO_PROXY: hosts, domain suffixes, host:port and * go direct", () => {
    const cases: [string, string, boolean][] = [
      ["s3.example.com", "https://s3.example.com", false],
      ["example.com", "https://s3.example.com", false],
      [".example.com", "https://s3.example.com", false],
      ["*.example.com", "https://s3.example.com", false],
      ["other.com, 127.0.0.1", "https://127.0.0.1:7480", false],
      ["127.0.0.1:7480", "https://127.0.0.1:7480", false],
      ["127.0.0.1:9999", "https://127.0.0.1:7480", true],
      ["*", "https://anything.example", false],
      ["ample.com", "https://s3.example.com", true],
      ["", "https://s3.example.com", true],
    ];
    for (const [noProxy, url, proxied] of cases) {
      expect(`${noProxy} / ${url}: ${proxyFor(url, { ...env, NO_PROXY: noProxy }) !== undefined}`).toBe(`${noProxy} / ${url}: ${proxied}`);
    }
  });
});
