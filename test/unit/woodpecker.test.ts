// Every pipeline in .woodpecker/ must be valid for Woodpecker itself: checked against Woodpecker's own JSON
// schema (test/fixtures/woodpecker-schema.json, copied from the shared/ folder of this project; its $id names
// its origin, pipeline/frontend/yaml/linter/schema/schema.json in the woodpecker-ci/woodpecker repository)
// with Ajv, a real JSON-schema validator.
import { describe, expect, test } from "bun:test";
import { readFileSync, readdirSync } from "node:fs";
import Ajv from "ajv";
import addFormats from "ajv-formats";

const schema = JSON.parse(readFileSync("test/fixtures/woodpecker-schema.json", "utf8"));
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const validate = ajv.compile(schema);

const files = readdirSync(".woodpecker").filter((name) => /\.ya?ml$/.test(name));

describe("Woodpecker pipelines", () => {
  test("the pipelines the issues ask for exist", () => {
    expect(files.sort()).toEqual(["build-arm.yml", "release.yml", "test.yml"]);
  });

  for (const name of files) {
    test(`${name} is valid against Woodpecker's schema`, () => {
      const pipeline = Bun.YAML.parse(readFileSync(`.woodpecker/${name}`, "utf8"));
      const valid = validate(pipeline);
      expect(valid ? [] : validate.errors).toEqual([]);
    });
  }

  test("the schema rejects a broken pipeline, so the check has teeth", () => {
    expect(validate({ steps: [{ name: "x", image: "debian", bogus: true }] })).toBe(false);
    expect(validate({ pipeline: {} })).toBe(false);
  });

  test("build-arm.yml runs on arm64 and takes every credential from a secret", () => {
    const pipeline = Bun.YAML.parse(readFileSync(".woodpecker/build-arm.yml", "utf8")) as {
      labels: Record<string, string>;
      steps: { name: string; environment?: Record<string, unknown> }[];
    };
    expect(pipeline.labels.platform).toBe("linux/arm64");
    const publish = pipeline.steps.find((step) => step.name === "publish-image");
    for (const name of ["S3_ENDPOINT", "S3_ACCESS_KEY", "S3_SECRET_KEY", "S3_BUCKET", "ADMIN_API_URL", "ADMIN_API_TOKEN"]) {
      expect(publish?.environment?.[name]).toEqual({ from_secret: expect.any(String) });
    }
  });
});
