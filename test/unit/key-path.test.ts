import { expect, test } from "bun:test";
import { canonicalQuery, objectPath } from "../../src/s3/key-path.ts";
import { encodeKey, encodeRfc3986 } from "../../src/urls.ts";

test("key segments are percent-encoded per RFC 3986, slashes kept", () => {
  expect(encodeKey("dev/my model+=(*@%é-arm64-1.10.enc")).toBe("dev/my%20model%2B%3D%28%2A%40%25%C3%A9-arm64-1.10.enc");
  expect(encodeRfc3986("a!b'c~d_e.f-g")).toBe("a%21b%27c~d_e.f-g");
});

test("objectPath puts the bucket below the endpoint's own path", () => {
  expect(objectPath("/", "bucket", "dev/a b.enc")).toBe("/bucket/dev/a%20b.enc");
  expect(objectPath("/s3/", "bucket")).toBe("/s3/bucket");
});

test("canonicalQuery sorts and keeps flags as name=", () => {
  expect(canonicalQuery({ uploadId: "x/y", partNumber: "2" })).toBe("partNumber=2&uploadId=x%2Fy");
  expect(canonicalQuery({ uploads: "" })).toBe("uploads=");
});
