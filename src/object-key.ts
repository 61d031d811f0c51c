import { UsageError } from "./errors.ts";

export interface ArtifactNames {
  resourceName: string;
  devStage: string;
  architecture: string;
  version: string;
}

/** The object key of the Python script, byte for byte: `{dev_stage}/{resource_name}-{architecture}-{version}.enc`. */
export function objectKeyFor(names: ArtifactNames): string {
  return `${names.devStage}/${names.resourceName}-${names.architecture}-${names.version}.enc`;
}

/** The four names out of a larger record (a command's flags). */
export function namesOf(values: ArtifactNames): ArtifactNames {
  return { resourceName: values.resourceName, devStage: values.devStage, architecture: values.architecture, version: values.version };
}

/** S3's longest object key, in UTF-8 bytes. */
export const MAX_OBJECT_KEY_BYTES = 1024;

/** The object key of `names`, refused (UsageError) before anything is read or sent when S3 would refuse it. */
export function uploadableObjectKey(names: ArtifactNames): string {
  const key = objectKeyFor(names);
  const bytes = new TextEncoder().encode(key).byteLength;
  if (bytes <= MAX_OBJECT_KEY_BYTES) return key;
  throw new UsageError(
    `the object key ${key.slice(0, 40)}… is ${bytes} bytes, and S3 takes at most ${MAX_OBJECT_KEY_BYTES}: shorten --resource-name, --dev-stage, --architecture or --version`,
  );
}
