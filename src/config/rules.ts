// The building blocks of the flag and environment schemas (valibot), each carrying the one line the user
// sees when it fails: what is wrong and what to do.
import * as v from "valibot";
import { UsageError } from "../errors.ts";
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "../http/retry.ts";
import type { Variable } from "./variables.ts";

/** The flags as cac hands them over: each value-taking flag as an array of what was typed. */
export type RawFlags = Record<string, unknown>;
export type Env = Record<string, string | undefined>;

/** One flag's value: typed exactly once, and with a value. `note` follows the message of a missing value. */
export function flagValue(flag: string, example: string, note = "") {
  return v.pipe(
    v.array(v.string(`${flag} needs a value, e.g. ${flag} ${example}${note}`), `${flag} is required, e.g. ${flag} ${example}`),
    v.check((values) => values.length === 1, `${flag} was given more than once: give it once`),
    v.transform((values) => values[0] as string),
  );
}

export const urlRules = (name: string, example: string) =>
  [
    v.check((s: string) => URL.canParse(s), `${name} is not a valid URL: set it to a full URL such as ${example}`),
    v.check(
      (s: string) => !URL.canParse(s) || ["http:", "https:"].includes(new URL(s).protocol),
      `${name} must start with http:// or https://, e.g. ${example}`,
    ),
    v.check(
      (s: string) => !URL.canParse(s) || (new URL(s).username === "" && new URL(s).password === ""),
      `${name} must not contain credentials (user:password@): remove them from the URL`,
    ),
    v.check(
      (s: string) => !URL.canParse(s) || (new URL(s).search === "" && new URL(s).hash === ""),
      `${name} must not have a query string or fragment: remove everything from "?" or "#" on`,
    ),
  ] as const;

/** A variable of the table (variables.ts) that a command cannot do without: its problems say what to do. */
export function requiredVar(variable: Variable) {
  const fix = variable.fix ?? "set it";
  return v.pipe(v.string(`${variable.name} is not set: ${fix}`), v.nonEmpty(`${variable.name} is empty: ${fix}`));
}

export function requiredUrlVar(variable: Variable & { example: string }) {
  return v.pipe(requiredVar(variable), ...urlRules(variable.name, variable.example));
}

/** Unset and empty mean the same for optional variables, as they did for the Python script. */
export function optionalVar<T extends v.GenericSchema<string, unknown>>(schema: T) {
  return v.pipe(
    v.optional(v.string()),
    v.transform((s) => (s === "" ? undefined : s)),
    v.optional(schema),
  );
}

/**
 * Only the keys a schema knows, each present (undefined when absent): valibot reports an absent key with its own
 * generic text, a present undefined one with the entry's message, which names the variable and the fix.
 */
function entriesOf(schema: { entries: Record<string, unknown> }, input: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.keys(schema.entries).map((key) => [key, input[key]]));
}

type ObjectSchema = v.ObjectSchema<v.ObjectEntries, undefined>;

/**
 * Validate flags and environment together, so one run reports every problem; throws a UsageError. `more` are
 * problems found by rules that span a flag and a variable, reported with the rest.
 */
export function parseFlagsAndEnv<F extends ObjectSchema, E extends ObjectSchema>(
  flagsSchema: F,
  flags: RawFlags,
  envSchema: E,
  env: Env,
  more: readonly string[] = [],
): [v.InferOutput<F>, v.InferOutput<E>] {
  const parsedFlags = v.safeParse(flagsSchema, entriesOf(flagsSchema, flags), { abortPipeEarly: true });
  const parsedEnv = v.safeParse(envSchema, entriesOf(envSchema, env), { abortPipeEarly: true });
  if (parsedFlags.success && parsedEnv.success && more.length === 0) return [parsedFlags.output, parsedEnv.output];
  const issues = [...(parsedFlags.issues ?? []), ...(parsedEnv.issues ?? [])];
  throw new UsageError([...issues.map((issue) => issue.message), ...more]);
}

/** A yes/no variable's yes; anything else valid (0, false, unset, empty) is no. */
export const isYes = (value: string | undefined) => value === "1" || value === "true";

/** A yes/no variable: 1 or true, 0 or false; unset and empty are no. */
export function booleanVar(name: string) {
  return v.pipe(
    v.string(),
    v.picklist(["1", "0", "true", "false"], `${name} must be 1 or 0`),
    v.transform((s) => isYes(s)),
  );
}

export function retryPolicy(retries: number | undefined, timeoutSeconds: number | undefined): RetryPolicy {
  return {
    ...DEFAULT_RETRY_POLICY,
    attempts: 1 + (retries ?? DEFAULT_RETRY_POLICY.attempts - 1),
    timeoutMs: timeoutSeconds === undefined ? DEFAULT_RETRY_POLICY.timeoutMs : timeoutSeconds * 1000,
  };
}


/** The validated values of an object of variable schemas. */
export type VariablesOf<E extends v.ObjectEntries> = v.InferOutput<v.ObjectSchema<E, undefined>>;
