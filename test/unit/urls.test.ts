import { expect, test } from "bun:test";
import { cdnUrlFor, joinUrl } from "../../src/urls.ts";

test("joinUrl leaves exactly one slash however the parts were written", () => {
  for (const base of ["https://a.example", "https://a.example/", "https://a.example//"]) {
    for (const path of ["internal/resources/publish", "/internal/resources/publish", "//internal/resources/publish"]) {
      expect(joinUrl(base, path)).toBe("https://a.example/internal/resources/publish");
    }
  }
  expect(joinUrl("https://a.example/api/", "/v1/publish")).toBe("https://a.example/api/v1/publish");
});

test("cdnUrlFor follows the spec with and without a CDN, without doubled slashes", () => {
  const where = { endpoint: "https://s3.example", bucket: "art", objectKey: "dev/m-arm64-1.enc" };
  expect(cdnUrlFor({ ...where, cdnBaseUrl: undefined })).toBe("https://s3.example/art/dev/m-arm64-1.enc");
  expect(cdnUrlFor({ ...where, cdnBaseUrl: "https://cdn.example/" })).toBe("https://cdn.example/dev/m-arm64-1.enc");
});
