// Where the registration goes, with what token, and the rule that keeps both off plain http.
import * as v from "valibot";
import { cleartextRoute, describeCleartext } from "../http/cleartext.ts";
import { joinUrl } from "../urls.ts";
import { isYes, optionalVar, requiredUrlVar, requiredVar, type Env, type RawFlags, type VariablesOf } from "./rules.ts";
import { VARIABLES, type VariableName } from "./variables.ts";

export const DEFAULT_PUBLISH_PATH = "internal/resources/publish";

export const ADMIN_VARIABLES = {
  ADMIN_API_URL: requiredUrlVar(VARIABLES.ADMIN_API_URL),
  ADMIN_API_TOKEN: requiredVar(VARIABLES.ADMIN_API_TOKEN),
  ADMIN_API_PUBLISH_PATH: optionalVar(
    v.pipe(v.string(), v.check((s) => !/[\s?#]/.test(s), `${VARIABLES.ADMIN_API_PUBLISH_PATH.name} must be a plain path without spaces, "?" or "#"`)),
  ),
} satisfies Partial<Record<VariableName, unknown>>;

/** The URL the registration is POSTed to: `{ADMIN_API_URL}/{ADMIN_API_PUBLISH_PATH}`. */
export function publishUrlOf(e: VariablesOf<typeof ADMIN_VARIABLES>): string {
  return joinUrl(e.ADMIN_API_URL, e.ADMIN_API_PUBLISH_PATH ?? DEFAULT_PUBLISH_PATH);
}

/**
 * ADMIN_API_URL given as the whole publish URL: the publish path would be added a second time. Found from the
 * variables alone, so no upload is made to end in a registration that cannot succeed.
 */
export function doubledPublishPathProblems(env: Env): string[] {
  const url = env.ADMIN_API_URL;
  if (url === undefined || !URL.canParse(url)) return [];
  const trim = (path: string) => path.replace(/^\/+|\/+$/g, "");
  const base = trim(new URL(url).pathname);
  const path = trim(env.ADMIN_API_PUBLISH_PATH || DEFAULT_PUBLISH_PATH);
  if (path === "" || !(base === path || base.endsWith(`/${path}`))) return [];
  const fixed = joinUrl(new URL(url).origin, base.slice(0, base.length - path.length).replace(/\/+$/, ""));
  return [`ADMIN_API_URL ends with the publish path (/${path}), which is added to it: set ADMIN_API_URL to the API's base URL, ${fixed}`];
}

/**
 * The admin API gets the bearer token and the encryption key: only over TLS, unless the request stays on this
 * machine (a loopback host that no proxy relays) or the user said the network is trusted (--allow-http,
 * PUBLISH_ARTIFACT_ALLOW_HTTP=1).
 */
export function cleartextAdminProblems(flags: RawFlags, env: Env): string[] {
  const url = env.ADMIN_API_URL;
  // Read raw, before validation, so that this problem is reported together with the others.
  const allowed = flags.allowHttp === true || isYes(env.PUBLISH_ARTIFACT_ALLOW_HTTP);
  const route = url === undefined || allowed ? undefined : cleartextRoute(url, env);
  if (route === undefined) return [];
  const fix = route.via === undefined ? "use https://" : `use https://, list ${new URL(url as string).hostname} in NO_PROXY`;
  return [
    `ADMIN_API_URL is http:// ${describeCleartext(route)}, which would send the admin token and the encryption key unencrypted: ${fix}, or pass --allow-http (PUBLISH_ARTIFACT_ALLOW_HTTP=1) on a network you trust`,
  ];
}
