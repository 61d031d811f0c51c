// `--output FILE`: encrypt to a local file. No S3 and no admin API, so none of their variables is needed; the
// endpoint and bucket, when given, tell the cdn_url the metadata will hold.
import { namesOf, uploadableObjectKey, type ArtifactNames } from "../object-key.ts";
import { compressionSettings, type CompressionSettings } from "../pipeline/deflate/gzip.ts";
import { cdnUrlFor } from "../urls.ts";
import { parseCommand } from "./flag-schema.ts";
import { PUBLISH } from "./flags.ts";
import type { Env, RawFlags } from "./rules.ts";
import { CDN_VARIABLES, OPTIONAL_S3_PLACE } from "./s3-variables.ts";

export interface OutputConfig {
  file: string;
  output: string;
  names: ArtifactNames;
  objectKey: string;
  /** As a publish would register it, when the environment says where the object will be; else undefined. */
  cdnUrl: string | undefined;
  json: boolean;
  quiet: boolean;
  compression: CompressionSettings;
  allowEmpty: boolean;
}

export function loadOutputConfig(flags: RawFlags, env: Env): OutputConfig {
  const [f, e] = parseCommand(PUBLISH, [...PUBLISH.required, "output"], flags, env, { ...OPTIONAL_S3_PLACE, ...CDN_VARIABLES });
  const names = namesOf(f);
  const objectKey = uploadableObjectKey(names);
  const placed = e.CDN_PUBLIC_BASE_URL !== undefined || (e.S3_ENDPOINT !== undefined && e.S3_BUCKET !== undefined);
  return {
    file: f.file,
    output: f.output,
    names,
    objectKey,
    cdnUrl: placed ? cdnUrlFor({ cdnBaseUrl: e.CDN_PUBLIC_BASE_URL, endpoint: e.S3_ENDPOINT ?? "", bucket: e.S3_BUCKET ?? "", objectKey }) : undefined,
    json: f.json,
    quiet: f.quiet,
    compression: compressionSettings(f.workers, f.level),
    allowEmpty: f.allowEmpty,
  };
}
