// `verify`: the publish's names and S3 variables, and what to check the object against.
import type { RetryPolicy } from "../http/retry.ts";
import { objectKeyFor } from "../object-key.ts";
import type { KeySource } from "../records/key-source.ts";
import type { S3Config } from "../s3/s3-config.ts";
import { parseCommand } from "./flag-schema.ts";
import { VERIFY } from "./flags.ts";
import { KEY_VARIABLES, keyGiven, keySourceOf, keyWarnings, twoKeyProblems } from "./key-config.ts";
import { retryPolicy, type Env, type RawFlags } from "./rules.ts";
import { S3_VARIABLES, cleartextS3Warnings, s3ConfigOf, credentialProblems } from "./s3-variables.ts";

export interface VerifyConfig {
  file: string;
  /** From the names; undefined with --from and no names, when the file names the object. */
  objectKey: string | undefined;
  s3: S3Config;
  retry: RetryPolicy;
  /**
   * A --from file (a recovery or metadata file with key and hash, or a publish's --json output with the hash and
   * a key given beside it), or a key and, when given, the hash (a --key-file of metadata may give it too).
   */
  expected: { from: string; key: KeySource | undefined } | { key: KeySource; sha256: string | undefined };
  quiet: boolean;
  warnings: string[];
}

const NAME_KEYS = ["resourceName", "devStage", "architecture", "version"] as const;

export function loadVerifyConfig(flags: RawFlags, env: Env): VerifyConfig {
  const withFrom = flags.from !== undefined;
  // With --from, the file names the object: the names may be left out, but not some of them.
  const required = withFrom ? (["file"] as const) : (["file", ...NAME_KEYS] as const);
  const [f, e] = parseCommand(VERIFY, required, flags, env, { ...S3_VARIABLES, ...KEY_VARIABLES }, [...credentialProblems(env), ...twoKeyProblems(flags), ...expectationProblems(flags, env)]);
  const s3 = s3ConfigOf(e);
  const key = keySourceOf(f, e);
  const { resourceName, devStage, architecture, version } = f;
  const named = resourceName !== undefined && devStage !== undefined && architecture !== undefined && version !== undefined;
  return {
    file: f.file,
    objectKey: named ? objectKeyFor({ resourceName, devStage, architecture, version }) : undefined,
    s3,
    retry: retryPolicy(f.retries, f.timeout),
    // Without --from a key was given (else expectationProblems would have refused).
    expected: f.from !== undefined ? { from: f.from, key } : { key: key as KeySource, sha256: f.sha256 },
    quiet: f.quiet,
    warnings: [...cleartextS3Warnings(s3.endpoint, env), ...keyWarnings(key)],
  };
}

/** What verify is missing, or has twice, to know the key, the hash and the object. */
function expectationProblems(flags: RawFlags, env: Env): string[] {
  if (flags.from !== undefined) {
    const problems: string[] = [];
    // The key may come beside a file that holds none (a publish's --json output): the file tells, once read.
    if (flags.sha256 !== undefined) problems.push("verify takes the hash from --from FILE: leave out --sha256");
    const missing = NAME_KEYS.filter((key) => flags[key] === undefined).length;
    if (missing !== 0 && missing !== NAME_KEYS.length) {
      problems.push("with --from, give all four of --resource-name, --dev-stage, --architecture and --version, or none (the file names the object)");
    }
    return problems;
  }
  if (!keyGiven(flags, env)) {
    return ["verify needs the key: --key-file PATH or PUBLISH_ARTIFACT_KEY (with --sha256 HEX, or --from a publish's --json output, for the hash), or --from a recovery or metadata file, which holds it"];
  }
  return [];
}
