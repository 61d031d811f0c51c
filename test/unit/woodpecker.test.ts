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

interface Step {
  name: string;
  image: string;
  commands?: string[];
  environment?: Record<string, unknown>;
  volumes?: unknown;
  privileged?: unknown;
}
interface Pipeline {
  when?: { event?: string | string[]; branch?: string; ref?: string }[];
  steps: Step[];
}
const pipelines = new Map(files.map((name) => [name, Bun.YAML.parse(readFileSync(`.woodpecker/${name}`, "utf8")) as Pipeline]));

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

  // Woodpecker mounts host volumes and runs privileged containers only for repositories an admin marks
  // trusted (docs: usage/volumes, "Project settings › Trusted"); a plugin gets privileges only when its image is
  // listed in WOODPECKER_PLUGINS_PRIVILEGED. A stock server runs neither as written.
  test("no step mounts a host path or asks for privileges", () => {
    for (const [name, pipeline] of pipelines) {
      for (const step of pipeline.steps) {
        expect(`${name} ${step.name}: ${JSON.stringify({ volumes: step.volumes, privileged: step.privileged })}`).toBe(`${name} ${step.name}: {}`);
      }
    }
  });

  // Woodpecker matches `branch` against CI_COMMIT_BRANCH, which a tag event does not have: an item with a
  // branch filter never runs for a tag. Tag builds need an item of their own, filtered by ref.
  test("a when item for tags has no branch filter, and takes tags by ref", () => {
    for (const [name, pipeline] of pipelines) {
      for (const item of pipeline.when ?? []) {
        const events = [item.event ?? []].flat();
        if (!events.includes("tag")) continue;
        expect(`${name}: ${item.branch ?? "no branch"}`).toBe(`${name}: no branch`);
        expect(`${name}: ${item.ref}`).toBe(`${name}: refs/tags/v*`);
      }
    }
    const armEvents = (pipelines.get("build-arm.yml")?.when ?? []).flatMap((item) => [item.event ?? []].flat());
    expect(armEvents).toContain("tag");
  });

  // A `from_secret` naming a secret the repository does not define fails the step ("secret not found"): only
  // the variables publish-artifact requires come from secrets; an optional one must not.
  test("only required variables come from secrets; optional ones are plain values", () => {
    const required = new Set(["S3_ENDPOINT", "S3_ACCESS_KEY", "S3_SECRET_KEY", "S3_BUCKET", "ADMIN_API_URL", "ADMIN_API_TOKEN"]);
    for (const [name, pipeline] of pipelines) {
      for (const step of pipeline.steps) {
        for (const [variable, value] of Object.entries(step.environment ?? {})) {
          if (typeof value === "object" && value !== null && "from_secret" in value) {
            expect(`${name} ${step.name} ${variable}: ${required.has(variable) || !/^(S3|ADMIN|CDN|PUBLISH_ARTIFACT)_/.test(variable)}`).toBe(`${name} ${step.name} ${variable}: true`);
          }
        }
      }
    }
  });

  // Node 20 reached its end of life in April 2026 (nodejs.org release schedule); Debian 10 and 11 are past
  // theirs. An image on a floating tag changes under the pipeline.
  test("no end-of-life or floating images", () => {
    for (const [name, pipeline] of pipelines) {
      for (const step of pipeline.steps) {
        const image = step.image;
        expect(`${name} ${step.name}: ${image}`).toMatch(/:[\w.-]+$/);
        expect(`${name} ${step.name}: ${image}`).not.toMatch(/:latest$/);
        const node = /^node:(\d+)/.exec(image);
        if (node) expect(`${name} ${step.name}: node ${node[1]}`).toMatch(/node (2[2-9]|[3-9]\d)$/);
        expect(`${name} ${step.name}: ${image}`).not.toMatch(/buster|bullseye|stretch/);
      }
    }
  });

  // Woodpecker treats a step with `settings` as a plugin only without `commands`, `environment` or secrets
  // (docs: usage/plugins, "Plugin Isolation"): otherwise it is not escalated, and the build plugin cannot start
  // its Docker daemon.
  test("the image build is a plain plugin step: settings only, no commands, environment or secrets", () => {
    const build = pipelines.get("build-arm.yml")?.steps.find((step) => step.name === "build-image") as (Step & { settings?: Record<string, unknown> }) | undefined;
    expect(build?.image).toMatch(/^woodpeckerci\/plugin-docker-buildx:\d+/);
    expect({ commands: build?.commands, environment: build?.environment }).toEqual({ commands: undefined, environment: undefined });
    expect(JSON.stringify(build?.settings)).not.toContain("from_secret");
    expect(build?.settings?.output).toBe("type=docker,dest=loader-image.tar");
  });

  test("the publish step runs the released binary: no Node, npm or Bun in it", () => {
    const publish = pipelines.get("build-arm.yml")?.steps.find((step) => step.name === "publish-image");
    expect(publish?.image).not.toMatch(/node|bun/);
    expect((publish?.commands ?? []).join("\n")).not.toMatch(/\b(npm|npx|node|bun)\b/);
  });

  test("the release installs and builds once, and ships what the tests tested", () => {
    const release = pipelines.get("release.yml");
    const commands = (release?.steps ?? []).flatMap((step) => step.commands ?? []).join("\n");
    expect(commands.match(/\.ci\/run|npm ci/g)).toEqual([".ci/run"]);
    expect(commands).not.toContain("npm run build");
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
