// `register --from FILE`: the file, and the admin API's URL and token from the environment.
import type { RetryPolicy } from "../http/retry.ts";
import { ADMIN_VARIABLES, cleartextAdminProblems, publishUrlOf } from "./admin-variables.ts";
import { parseCommand } from "./flag-schema.ts";
import { REGISTER } from "./flags.ts";
import { retryPolicy, type Env, type RawFlags } from "./rules.ts";

export interface RegisterConfig {
  from: string;
  /** From ADMIN_API_URL and ADMIN_API_PUBLISH_PATH: the token goes nowhere a file says. */
  publishUrl: string;
  adminToken: string;
  retry: RetryPolicy;
}

export function loadRegisterConfig(flags: RawFlags, env: Env): RegisterConfig {
  const [f, e] = parseCommand(REGISTER, REGISTER.required, flags, env, ADMIN_VARIABLES, cleartextAdminProblems(flags, env));
  return { from: f.from, publishUrl: publishUrlOf(e), adminToken: e.ADMIN_API_TOKEN, retry: retryPolicy(f.retries, f.timeout) };
}
