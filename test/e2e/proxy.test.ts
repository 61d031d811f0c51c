// Proxies as training clusters and CI networks have them: HTTPS_PROXY and HTTP_PROXY send S3 and the admin API
// through a forward proxy (CONNECT for https, absolute-form requests for http), NO_PROXY sends them direct, and a
// proxy that is down is named in the error. The binary, Bun from source and Deno, against the real servers;
// the proxy counts what passes it.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { nameFlags, useE2e } from "../support/e2e.ts";
import { startForwardProxy, type ForwardProxy } from "../support/forward-proxy.ts";
import { ENV_VARS, spawnCli, type Runtime } from "../support/spawn-cli.ts";
import { listObjects } from "../support/s3.ts";
import { checkPublished } from "../support/check-published.ts";

const e2e = useE2e();
let proxy: ForwardProxy;
let file: string;

beforeAll(async () => {
  proxy = await startForwardProxy();
  file = join(e2e.work, "model.trt");
  writeFileSync(file, crypto.getRandomValues(new Uint8Array(60_000)));
});

afterAll(async () => {
  await proxy.stop();
});

const NAMES = nameFlags("proxied", { version: null });
const RUNTIMES: Runtime[] = ["binary-x64", "bun", "deno"];

/** The hosts the proxy saw, and how: "CONNECT 127.0.0.1:443…" for a tunnel, "POST 127.0.0.1:…" for a request. */
function seen(): string[] {
  return [...new Set(proxy.passed.map((line) => {
    const [method, target = ""] = line.split(" ");
    return `${method} ${method === "CONNECT" ? target : new URL(target).host}`;
  }))].sort();
}

describe("HTTPS_PROXY, HTTP_PROXY and NO_PROXY", () => {
  for (const runtime of RUNTIMES) {
    test(`${runtime}: S3 over https goes through the proxy's CONNECT, the admin API over http (with --allow-http) as forwarded requests`, async () => {
      proxy.passed.length = 0;
      const s3 = new URL(e2e.s3.S3_TLS_ENDPOINT as string).host;
      const admin = new URL(e2e.admin.url).host;
      const env = e2e.env({ S3_ENDPOINT: e2e.s3.S3_TLS_ENDPOINT as string, HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url, SSL_CERT_FILE: e2e.s3.S3_TLS_CA as string, DENO_CERT: e2e.s3.S3_TLS_CA as string });
      const run = await spawnCli(runtime, ["--file", file, ...NAMES, "--version", runtime, "--quiet", "--allow-http"], env, e2e.work);
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      // Every connection went through it, and nothing else did (Deno's update check is off, as documented).
      expect(seen()).toEqual([`CONNECT ${s3}`, `HEAD ${admin}`, `POST ${admin}`].sort());
      checkPublished(e2e.s3, `dev/proxied-arm64-${runtime}.enc`, e2e.admin.registrations.at(-1)?.body as never, file, e2e.work);
    });

    test(`${runtime}: NO_PROXY sends both direct`, async () => {
      proxy.passed.length = 0;
      const env = e2e.env({ HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url, NO_PROXY: "localhost,127.0.0.1" });
      const run = await spawnCli(runtime, ["--file", file, ...NAMES, "--version", `${runtime}-direct`, "--quiet"], env, e2e.work);
      expect(run.code).toBe(0);
      expect(e2e.admin.registrations).toHaveLength(1);
      expect(proxy.passed).toEqual([]);
    });
  }

  for (const runtime of RUNTIMES) {
    test(`${runtime}: plain http to this machine through a proxy is refused like any other host; the proxy sees nothing`, async () => {
      proxy.passed.length = 0;
      const before = e2e.admin.requests;
      const admin = new URL(e2e.admin.url);
      const refusal = (host: string, variable: string, name: string) =>
        `publish-artifact: error: ADMIN_API_URL is http:// to ${host} through the proxy at ${new URL(proxy.url).host} (${variable}), which would send the admin token and the encryption key unencrypted: use https://, list ${name} in NO_PROXY, or pass --allow-http (PUBLISH_ARTIFACT_ALLOW_HTTP=1) on a network you trust\n`;
      const cases: [string, Record<string, string>, string][] = [
        [e2e.admin.url, { HTTP_PROXY: proxy.url }, "HTTP_PROXY"],
        [`http://localhost:${admin.port}`, { http_proxy: proxy.url }, "http_proxy"],
        [e2e.admin.url, { ALL_PROXY: proxy.url }, "ALL_PROXY"],
        // NO_PROXY=localhost does not exempt 127.0.0.1, nor NO_PROXY=* an address in Deno.
        [e2e.admin.url, { HTTP_PROXY: proxy.url, NO_PROXY: "localhost" }, "HTTP_PROXY"],
        [e2e.admin.url, { HTTP_PROXY: proxy.url, NO_PROXY: "*" }, "HTTP_PROXY"],
      ];
      for (const [url, vars, variable] of cases) {
        for (const args of [[], ["--dry-run"]]) {
          const run = await spawnCli(runtime, ["--file", file, ...NAMES, "--version", "refused", ...args], e2e.env({ ADMIN_API_URL: url, ...vars }), e2e.work);
          expect(run.stderr).toBe(refusal(new URL(url).host, variable, new URL(url).hostname));
          expect(run.code).toBe(2);
        }
      }
      const register = await spawnCli(runtime, ["register", "--from", join(e2e.work, "none.json")], e2e.env({ HTTP_PROXY: proxy.url }), e2e.work);
      expect(register.stderr).toBe(refusal(admin.host, "HTTP_PROXY", admin.hostname));
      expect(register.code).toBe(2);
      expect(proxy.passed).toEqual([]);
      expect(e2e.admin.requests).toBe(before);
      expect(listObjects(e2e.s3)).toEqual([]);
    });
  }

  test("binary-x64: a proxy that is down is named in the error, beside the server it stood for", async () => {
    const down = "http://127.0.0.1:9";
    const run = await spawnCli("binary-x64", ["--file", file, ...NAMES, "--version", "down", "--allow-http"], e2e.env({ HTTP_PROXY: down, HTTPS_PROXY: down }), e2e.work);
    const admin = new URL(e2e.admin.url).host;
    expect(run.code).toBe(4);
    expect(run.stderr).toContain(`the request to ${admin} went through the proxy at 127.0.0.1:9 (HTTP_PROXY)`);
    expect(e2e.admin.registrations).toEqual([]);
  });

  test("the README's Deno line allows exactly the variables the CLI reads, and the reads the tests' Deno runs have", () => {
    const readme = readFileSync(join(import.meta.dir, "..", "..", "README.md"), "utf8");
    const allowed = /--allow-env=(\S+)/.exec(readme)?.[1]?.split(",");
    expect(allowed).toEqual(ENV_VARS);
    // The tests' Deno runs read the artifact, the working directory and src/ (run-cli.ts), and so does the README's.
    expect(/--allow-read=(\S+)/.exec(readme)?.[1]).toBe("./model.trt,.,/opt/publish-artifact/src");
  });
});
