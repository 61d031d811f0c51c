// What a publish runs with: the publish flags, the S3 and admin variables, and what follows from them.
import type { RetryPolicy } from "../http/retry.ts";
import { namesOf, uploadableObjectKey, type ArtifactNames } from "../object-key.ts";
import { compressionSettings, type CompressionSettings } from "../pipeline/deflate/gzip.ts";
import type { S3Config } from "../s3/s3-config.ts";
import { cdnUrlFor } from "../urls.ts";
import { ADMIN_VARIABLES, cleartextAdminProblems, doubledPublishPathProblems, publishUrlOf } from "./admin-variables.ts";
import { parseCommand } from "./flag-schema.ts";
import { PUBLISH } from "./flags.ts";
import { retryPolicy, type Env, type RawFlags } from "./rules.ts";
import { CDN_VARIABLES, S3_VARIABLES, cleartextS3Warnings, s3ConfigOf, credentialProblems } from "./s3-variables.ts";

/**
 * Parts uploaded at once. Measured against the local radosgw (docs/benchmarks.md): 2, 4 and 8 take the same time
 * there (the run is CPU-bound) while peak RSS grows 199 → 218 → 230 MiB; remote S3 adds a round trip per part,
 * which parts in flight hide, so 4 rather than 2, and not 8.
 */
export const DEFAULT_CONCURRENCY = 4;

export interface PublishConfig {
  file: string;
  names: ArtifactNames;
  objectKey: string;
  s3: S3Config;
  publishUrl: string;
  /** ADMIN_API_URL as given, to name it where the publish URL made from it is wrong. */
  adminUrl: string;
  adminToken: string;
  cdnUrl: string;
  /** Bytes per multipart part; undefined picks one from the file size. */
  partSize: number | undefined;
  concurrency: number;
  retry: RetryPolicy;
  /** Where a registration that failed after the upload is saved, so its key is not lost; undefined: recovery-dir.ts decides. */
  recoveryDir: string | undefined;
  json: boolean;
  /** No progress, no summary: only errors and warnings. */
  quiet: boolean;
  /** Validate and show the plan; read nothing, send nothing. */
  dryRun: boolean;
  compression: CompressionSettings;
  /** One line each, printed before the work starts (plain http to a remote S3). */
  warnings: string[];
  /** Replace an object already at the key (with a warning); false: refuse, and upload only if the key is free. */
  overwrite: boolean;
  /** Publish an empty stdin instead of refusing it. */
  allowEmpty: boolean;
  /** Finish the upload a killed or failed run of this publish kept, and keep this one's should it fail for a while. */
  resume: boolean;
}

/** Validate everything a publish needs; throws one UsageError listing every problem found. */
export function loadPublishConfig(flags: RawFlags, env: Env): PublishConfig {
  const variables = { ...S3_VARIABLES, ...ADMIN_VARIABLES, ...CDN_VARIABLES };
  const [f, e] = parseCommand(PUBLISH, PUBLISH.required, flags, env, variables, [...credentialProblems(env), ...cleartextAdminProblems(flags, env), ...doubledPublishPathProblems(env)]);
  const names = namesOf(f);
  const objectKey = uploadableObjectKey(names);
  const s3 = s3ConfigOf(e);
  return {
    file: f.file,
    names,
    objectKey,
    s3,
    publishUrl: publishUrlOf(e),
    adminUrl: e.ADMIN_API_URL,
    adminToken: e.ADMIN_API_TOKEN,
    cdnUrl: cdnUrlFor({ cdnBaseUrl: e.CDN_PUBLIC_BASE_URL, endpoint: s3.endpoint, bucket: s3.bucket, objectKey }),
    partSize: f.partSize,
    concurrency: f.concurrency ?? DEFAULT_CONCURRENCY,
    retry: retryPolicy(f.retries, f.timeout),
    recoveryDir: f.recoveryDir,
    json: f.json,
    quiet: f.quiet,
    dryRun: f.dryRun,
    compression: compressionSettings(f.workers, f.level),
    warnings: cleartextS3Warnings(s3.endpoint, env),
    overwrite: f.overwrite,
    allowEmpty: f.allowEmpty,
    resume: f.resume,
  };
}
