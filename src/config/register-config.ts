// `register --from FILE`: the file, the admin API's URL and token, and where the object is (the S3 variables):
// the file is only data, which a checkout could have planted, so the URL the token goes to, the cdn_url and
// the object's size all come from the environment and from S3, never from the file.
import type { RetryPolicy } from "../http/retry.ts";
import type { S3Config } from "../s3/s3-config.ts";
import { ADMIN_VARIABLES, cleartextAdminProblems, doubledPublishPathProblems, publishUrlOf } from "./admin-variables.ts";
import { parseCommand } from "./flag-schema.ts";
import { REGISTER } from "./flags.ts";
import { retryPolicy, type Env, type RawFlags } from "./rules.ts";
import { CDN_VARIABLES, S3_VARIABLES, cleartextS3Warnings, s3ConfigOf, credentialProblems } from "./s3-variables.ts";

export interface RegisterConfig {
  from: string;
  /** From ADMIN_API_URL and ADMIN_API_PUBLISH_PATH: the token goes nowhere a file says. */
  publishUrl: string;
  adminToken: string;
  s3: S3Config;
  /** CDN_PUBLIC_BASE_URL: with the endpoint and bucket, what the cdn_url of the file's object_key is. */
  cdnBaseUrl: string | undefined;
  retry: RetryPolicy;
  warnings: string[];
}

export function loadRegisterConfig(flags: RawFlags, env: Env): RegisterConfig {
  const variables = { ...ADMIN_VARIABLES, ...S3_VARIABLES, ...CDN_VARIABLES };
  const [f, e] = parseCommand(REGISTER, REGISTER.required, flags, env, variables, [...credentialProblems(env), ...cleartextAdminProblems(flags, env), ...doubledPublishPathProblems(env)]);
  const s3 = s3ConfigOf(e);
  return {
    from: f.from,
    publishUrl: publishUrlOf(e),
    adminToken: e.ADMIN_API_TOKEN,
    s3,
    cdnBaseUrl: e.CDN_PUBLIC_BASE_URL,
    retry: retryPolicy(f.retries, f.timeout),
    warnings: cleartextS3Warnings(s3.endpoint, env),
  };
}
