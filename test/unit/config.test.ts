import { describe, expect, test } from "bun:test";
import { loadPublishConfig } from "../../src/config/publish-config.ts";
import type { Env } from "../../src/config/rules.ts";
import { UsageError } from "../../src/errors.ts";

const ENV: Env = {
  S3_ENDPOINT: "https://s3.example/",
  S3_ACCESS_KEY: "AKID",
  S3_SECRET_KEY: "secret-secret",
  S3_BUCKET: "artifacts",
  ADMIN_API_URL: "https://admin.example/",
  ADMIN_API_TOKEN: "token-token",
};
const FLAGS = { file: ["./m.trt"], resourceName: ["my_model"], devStage: ["dev"], architecture: ["arm64"], version: ["2026-04-15"] };

function problems(flags: Record<string, unknown>, env: Env): readonly string[] {
  try {
    loadPublishConfig(flags, env);
  } catch (error) {
    if (error instanceof UsageError) return error.problems;
    throw error;
  }
  return [];
}

describe("loadPublishConfig", () => {
  test("--part-size takes aws-cli's units: 8MB is 8 MiB, as there", () => {
    expect(loadPublishConfig({ ...FLAGS, partSize: ["8MB"] }, ENV).partSize).toBe(8 * 1024 * 1024);
    expect(loadPublishConfig({ ...FLAGS, partSize: ["1GB"] }, ENV).partSize).toBe(1024 ** 3);
  });
  test("ADMIN_API_URL that already holds the publish path is refused with the base URL to give; an API under a prefix is not", () => {
    const doubled = (url: string, path?: string) => problems(FLAGS, { ...ENV, ADMIN_API_URL: url, ...(path === undefined ? {} : { ADMIN_API_PUBLISH_PATH: path }) });
    expect(doubled("https://admin.example/api/internal/resources/publish")).toEqual([
      "ADMIN_API_URL ends with the publish path (/internal/resources/publish), which is added to it: set ADMIN_API_URL to the API's base URL, https://admin.example/api",
    ]);
    expect(doubled("https://admin.example/v2/register/", "/register")).toEqual([
      "ADMIN_API_URL ends with the publish path (/register), which is added to it: set ADMIN_API_URL to the API's base URL, https://admin.example/v2",
    ]);
    expect(doubled("https://admin.example/api")).toEqual([]);
    expect(doubled("https://admin.example/not-internal/resources/publish-x")).toEqual([]);
  });

  test("builds the object key, URLs and defaults of the spec", () => {
    const config = loadPublishConfig(FLAGS, ENV);
    expect(config.objectKey).toBe("dev/my_model-arm64-2026-04-15.enc");
    expect(config.publishUrl).toBe("https://admin.example/internal/resources/publish");
    expect(config.cdnUrl).toBe("https://s3.example/artifacts/dev/my_model-arm64-2026-04-15.enc");
    expect(config.s3).toEqual({
      endpoint: "https://s3.example",
      credentials: { kind: "static", from: "S3_ACCESS_KEY and S3_SECRET_KEY", accessKeyId: "AKID", secretAccessKey: "secret-secret" },
      bucket: "artifacts",
      region: "us-east-1",
    });
    expect(config.concurrency).toBe(4);
    expect(config.partSize).toBeUndefined();
    expect(config.json).toBe(false);
  });

  test("optional variables: region, publish path, CDN; empty means unset", () => {
    const config = loadPublishConfig(FLAGS, {
      ...ENV,
      S3_REGION: "eu-west-3",
      ADMIN_API_PUBLISH_PATH: "/v2/publish",
      CDN_PUBLIC_BASE_URL: "https://cdn.example/base/",
    });
    expect(config.s3.region).toBe("eu-west-3");
    expect(config.publishUrl).toBe("https://admin.example/v2/publish");
    expect(config.cdnUrl).toBe("https://cdn.example/base/dev/my_model-arm64-2026-04-15.enc");
    const empty = loadPublishConfig(FLAGS, { ...ENV, S3_REGION: "", ADMIN_API_PUBLISH_PATH: "", CDN_PUBLIC_BASE_URL: "" });
    expect(empty.s3.region).toBe("us-east-1");
    expect(empty.publishUrl).toBe("https://admin.example/internal/resources/publish");
  });

  const envCases: [string, Env, string][] = [];
  const PAIRED = { S3_ACCESS_KEY: "S3_SECRET_KEY", S3_SECRET_KEY: "S3_ACCESS_KEY" } as Record<string, string>;
  for (const name of Object.keys(ENV)) {
    // One key of the pair without the other: both, or neither (AWS's chain, test/unit/credentials.test.ts).
    const other = PAIRED[name];
    envCases.push([`${name} missing`, { ...ENV, [name]: undefined }, other ? `${other} is set without ${name}: set both, or neither` : `${name} is not set: `]);
    envCases.push([`${name} empty`, { ...ENV, [name]: "" }, other ? `${other} is set without ${name}: set both, or neither` : `${name} is empty: `]);
  }
  for (const name of ["S3_ENDPOINT", "ADMIN_API_URL", "CDN_PUBLIC_BASE_URL"]) {
    envCases.push([`${name} not a URL`, { ...ENV, [name]: "s3.example" }, `${name} is not a valid URL`]);
    envCases.push([`${name} ftp`, { ...ENV, [name]: "ftp://s3.example" }, `${name} must start with http:// or https://`]);
    envCases.push([`${name} credentials`, { ...ENV, [name]: "https://u:pw@s3.example" }, `${name} must not contain credentials`]);
    envCases.push([`${name} query`, { ...ENV, [name]: "https://s3.example/?a=b" }, `${name} must not have a query string`]);
  }
  envCases.push(["bucket with slash", { ...ENV, S3_BUCKET: "a/b" }, "S3_BUCKET must be a bare bucket name"]);
  for (const [name, env, expected] of envCases) {
    test(`environment: ${name}`, () => {
      const found = problems(FLAGS, env);
      expect(found.length).toBe(1);
      expect(found[0]).toStartWith(expected);
    });
  }

  const flagCases: [string, Record<string, unknown>, string][] = [
    ["--file missing", { ...FLAGS, file: undefined }, "--file is required, e.g. --file ./model.trt"],
    ["--version without value", { ...FLAGS, version: [true] }, "--version needs a value, e.g. --version 2026-04-15 (the artifact's version; the program's own version is: publish-artifact version)"],
    ["--version twice", { ...FLAGS, version: ["1", "2"] }, "--version was given more than once: give it once"],
    ["empty name", { ...FLAGS, resourceName: [""] }, "--resource-name is empty: give a non-empty value, e.g. --resource-name my_model"],
    ["slash", { ...FLAGS, devStage: ["a/b"] }, '--dev-stage contains "/" or "\\", which would change the object key\'s path: remove it'],
    ["backslash", { ...FLAGS, architecture: ["a\\b"] }, '--architecture contains "/" or "\\", which would change the object key\'s path: remove it'],
    ["dot", { ...FLAGS, devStage: ["."] }, '--dev-stage must not be "." or "..": give a real name'],
    ["dot dot", { ...FLAGS, version: [".."] }, '--version must not be "." or "..": give a real name'],
    ["control character", { ...FLAGS, version: ["1\n2"] }, "--version contains control characters: remove them"],
    ["leading space", { ...FLAGS, resourceName: [" m"] }, "--resource-name has leading or trailing spaces: remove them"],
    ["trailing space", { ...FLAGS, resourceName: ["m "] }, "--resource-name has leading or trailing spaces: remove them"],
    ["part size too small", { ...FLAGS, partSize: ["1MiB"] }, "--part-size must be a size between 5MiB and 5GiB, e.g. --part-size 64MiB"],
    ["concurrency zero", { ...FLAGS, concurrency: ["0"] }, "--concurrency must be a whole number from 1 to 64, e.g. --concurrency 4"],
  ];
  for (const [name, flags, expected] of flagCases) {
    test(`flags: ${name}`, () => {
      expect(problems(flags, ENV)).toEqual([expected]);
    });
  }

  test("every problem is reported at once, one line each", () => {
    // No S3 keys is no problem here: AWS's chain then ends at the instance metadata service.
    const found = problems({}, {});
    expect(found.length).toBe(9);
    for (const line of found) expect(line).not.toContain("\n");
  });

  test("numeric-looking names stay as typed", () => {
    for (const version of ["1.10", "007", "0x1f", "1e3", "2026-04-15"]) {
      expect(loadPublishConfig({ ...FLAGS, version: [version] }, ENV).names.version).toBe(version);
    }
  });
});
