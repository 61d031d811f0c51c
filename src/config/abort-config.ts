// `abort --from RECORD`: the record, and S3 (the variables): the upload is aborted only where the environment
// says S3 is, never at an endpoint a file names.
import type { RetryPolicy } from "../http/retry.ts";
import type { S3Config } from "../s3/s3-config.ts";
import { parseCommand } from "./flag-schema.ts";
import { ABORT } from "./flags.ts";
import { retryPolicy, type Env, type RawFlags } from "./rules.ts";
import { S3_VARIABLES, cleartextS3Warnings, s3ConfigOf, credentialProblems } from "./s3-variables.ts";

export interface AbortConfig {
  from: string;
  s3: S3Config;
  retry: RetryPolicy;
  warnings: string[];
}

export function loadAbortConfig(flags: RawFlags, env: Env): AbortConfig {
  const [f, e] = parseCommand(ABORT, ABORT.required, flags, env, S3_VARIABLES, credentialProblems(env));
  const s3 = s3ConfigOf(e);
  return { from: f.from, s3, retry: retryPolicy(f.retries, f.timeout), warnings: cleartextS3Warnings(s3.endpoint, env) };
}
