import { describe, expect, test } from "bun:test";
import { credentialProblems } from "../../src/config/s3-variables.ts";
import { credentialProvider, type CredentialSource } from "../../src/s3/credentials.ts";

describe("credentialProblems: what the variables alone tell", () => {
  test("a pair given by halves is refused, naming both", () => {
    expect(credentialProblems({ S3_ACCESS_KEY: "AKID" })).toEqual(["S3_ACCESS_KEY is set without S3_SECRET_KEY: set both, or neither (then AWS's credential chain is used)"]);
    expect(credentialProblems({ AWS_SECRET_ACCESS_KEY: "s" })).toEqual([
      "AWS_SECRET_ACCESS_KEY is set without AWS_ACCESS_KEY_ID: set both, or neither (then AWS's credential chain is used)",
    ]);
    expect(credentialProblems({ AWS_ROLE_ARN: "arn:aws:iam::123456789012:role/r" })).toEqual(["AWS_ROLE_ARN is set without AWS_WEB_IDENTITY_TOKEN_FILE: a web identity needs both"]);
  });

  test("a web identity token is never sent over plain http off this machine", () => {
    const web = { AWS_WEB_IDENTITY_TOKEN_FILE: "/t", AWS_ROLE_ARN: "arn:aws:iam::123456789012:role/r" };
    expect(credentialProblems({ ...web, AWS_ENDPOINT_URL_STS: "http://sts.internal" })).toEqual([
      "AWS_ENDPOINT_URL_STS is http:// to sts.internal, which would send the web identity token unencrypted: use https://",
    ]);
    expect(credentialProblems({ ...web, AWS_ENDPOINT_URL_STS: "http://127.0.0.1:4566" })).toEqual([]);
    expect(credentialProblems({ ...web, AWS_ENDPOINT_URL_STS: "http://127.0.0.1:4566", HTTP_PROXY: "http://proxy:3128" })[0]).toContain("through the proxy at proxy:3128");
  });

  test("the metadata service is never asked through a proxy, and a chain that ends nowhere says what to set", () => {
    expect(credentialProblems({})).toEqual([]);
    expect(credentialProblems({ HTTP_PROXY: "http://proxy:3128" })).toEqual([
      "the instance metadata service at 169.254.169.254 would be asked through the proxy at proxy:3128 (HTTP_PROXY), which would see the instance's credentials: add 169.254.169.254 to NO_PROXY, or set S3_ACCESS_KEY and S3_SECRET_KEY",
    ]);
    expect(credentialProblems({ HTTP_PROXY: "http://proxy:3128", NO_PROXY: "169.254.169.254" })).toEqual([]);
    expect(credentialProblems({ AWS_EC2_METADATA_DISABLED: "true" })[0]).toStartWith("S3_ACCESS_KEY is not set: set it and S3_SECRET_KEY");
    // Keys given: nothing else is looked at.
    expect(credentialProblems({ S3_ACCESS_KEY: "a", S3_SECRET_KEY: "b", HTTP_PROXY: "http://proxy:3128" })).toEqual([]);
  });
});

describe("credentialProvider: temporary credentials renewed before they expire", () => {
  const source: CredentialSource = { kind: "instance", endpoint: "http://imds.test" };
  /** A metadata service in a function, its clock the test's: each credentials fetch hands out a new token. */
  function service(lifeMs: number, clock: { now: number }) {
    let fetches = 0;
    let failing = false;
    const fetch = async (url: string) => {
      if (failing) throw new TypeError("fetch failed", { cause: new Error("connection refused") });
      if (url.endsWith("/api/token")) return new Response("t");
      if (url.endsWith("/security-credentials/")) return new Response("role");
      fetches += 1;
      return Response.json({ AccessKeyId: "AKID", SecretAccessKey: "secret", Token: `token-${fetches}`, Expiration: new Date(clock.now + lifeMs).toISOString() });
    };
    return { fetch, fetches: () => fetches, fail: (value: boolean) => (failing = value) };
  }

  test("kept while far from expiry; fetched again within 5 minutes of it (or halfway through a short life)", async () => {
    const clock = { now: Date.parse("2026-12-07T00:00:00Z") };
    const imds = service(60 * 60 * 1000, clock);
    const provider = credentialProvider(source, { fetch: imds.fetch, now: () => clock.now });
    expect((await provider()).sessionToken).toBe("token-1");
    clock.now += 54 * 60 * 1000;
    expect((await provider()).sessionToken).toBe("token-1");
    clock.now += 2 * 60 * 1000; // 4 minutes left
    expect((await provider()).sessionToken).toBe("token-2");
    const short = service(10_000, clock);
    const quick = credentialProvider(source, { fetch: short.fetch, now: () => clock.now });
    await quick();
    clock.now += 4_000;
    expect((await quick()).sessionToken).toBe("token-1");
    clock.now += 2_000;
    expect((await quick()).sessionToken).toBe("token-2");
  });

  test("a renewal that fails while the credentials in hand still hold signs with them; after expiry it fails", async () => {
    const clock = { now: Date.parse("2026-12-07T00:00:00Z") };
    const imds = service(10 * 60 * 1000, clock);
    const provider = credentialProvider(source, { fetch: imds.fetch, now: () => clock.now });
    await provider();
    imds.fail(true);
    clock.now += 6 * 60 * 1000; // due for renewal, still valid
    expect((await provider()).sessionToken).toBe("token-1");
    clock.now += 5 * 60 * 1000; // expired
    await expect(provider()).rejects.toThrow("no S3 credentials: the instance metadata service at imds.test gave no answer (connection refused)");
  });

  test("calls at the same moment share one fetch", async () => {
    const clock = { now: Date.parse("2026-12-07T00:00:00Z") };
    const imds = service(60 * 60 * 1000, clock);
    const provider = credentialProvider(source, { fetch: imds.fetch, now: () => clock.now });
    await Promise.all([provider(), provider(), provider()]);
    expect(imds.fetches()).toBe(1);
  });
});
