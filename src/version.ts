import pkg from "../package.json" with { type: "json" };

// Set by `bun build --compile --define` for release binaries; a run from source has none.
declare const PUBLISH_ARTIFACT_COMMIT: string | undefined;

export const VERSION: string = pkg.version;
export const COMMIT: string = typeof PUBLISH_ARTIFACT_COMMIT === "string" ? PUBLISH_ARTIFACT_COMMIT : "source";

export function versionLine(): string {
  return `publish-artifact ${VERSION} (${COMMIT})`;
}
