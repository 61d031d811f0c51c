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

test("cdnUrlFor: plain names as the Python script's f-string; ? # % and spaces encoded so the URL still names the key", () => {
  const plain = "dev/my_model-arm64-2026-04-15~rc.1.enc";
  expect(cdnUrlFor({ endpoint: "https://s3.example", bucket: "art", objectKey: plain, cdnBaseUrl: undefined })).toBe(`https://s3.example/art/${plain}`);
  const odd = "dev/m?x=1#top 50%-arm64-1.enc";
  const url = new URL(cdnUrlFor({ endpoint: "https://s3.example", bucket: "art", objectKey: odd, cdnBaseUrl: undefined }));
  expect(url.href).toBe("https://s3.example/art/dev/m%3Fx%3D1%23top%2050%25-arm64-1.enc");
  expect(url.search + url.hash).toBe("");
  expect(decodeURIComponent(url.pathname)).toBe(`/art/${odd}`);
});
