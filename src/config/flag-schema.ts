// The validation of a command's flags, made from its table (flags.ts): each value type's rule, worded with the
// flag's name and example, and the same rule for the variable that gives the flag's default.
import * as v from "valibot";
import { MAX_PART_SIZE, MIN_PART_SIZE, parseByteSize } from "../s3/part-size.ts";
import type { CommandSpec, Flag, FlagTable } from "./flags.ts";
import { booleanVar, flagValue, optionalVar, parseFlagsAndEnv, type Env, type RawFlags, type VariablesOf } from "./rules.ts";

type Value<F extends Flag> = F["kind"] extends "switch" ? boolean : F["kind"] extends "whole" | "size" ? number : string;

/** A command's validated flags: required ones and switches always have a value, the others may not. */
export type FlagValues<T extends FlagTable, R extends string> = {
  -readonly [K in keyof T]: T[K]["kind"] extends "switch" ? boolean : K extends R ? Value<T[K]> : Value<T[K]> | undefined;
};

/**
 * The rule a flag's text (or its variable's) must follow. `label` names where the text came from (`--retries`,
 * `PUBLISH_ARTIFACT_RETRIES`); `eg` is the example a message ends with (none for variables).
 */
function valueRule(flag: Flag, label: string, eg: string): v.GenericSchema<string, string | number> {
  switch (flag.kind) {
    case "text":
      return v.pipe(
        v.string(),
        v.nonEmpty(`${label} is empty: ${flag.empty}`),
        v.check((s) => s !== flag.refuse?.value, `${label} ${flag.refuse?.value} cannot be: ${flag.refuse?.why}`),
      );
    case "name":
      return v.pipe(
        v.string(),
        v.nonEmpty(`${label} is empty: give a non-empty value${eg}`),
        v.check((s) => s === s.trim(), `${label} has leading or trailing spaces: remove them`),
        v.check((s) => !/[/\\]/.test(s), `${label} contains "/" or "\\", which would change the object key's path: remove it`),
        v.check((s) => s !== "." && s !== "..", `${label} must not be "." or "..": give a real name`),
        // deno-lint-ignore no-control-regex
        v.check((s) => !/[\u0000-\u001f\u007f]/.test(s), `${label} contains control characters: remove them`),
      );
    case "whole": {
      const what = flag.unit === undefined ? "a whole number" : `a whole number of ${flag.unit}`;
      return parsed(label, () => `must be ${what} from ${flag.min} to ${flag.max}${eg}`, (text) =>
        /^\d+$/.test(text) && Number(text) >= flag.min && Number(text) <= flag.max ? Number(text) : undefined,
      );
    }
    case "size":
      // The unit or number problem said too, when there is one: "between 5MiB and 5GiB" alone hides it.
      return parsed(label, (problem) => `must be a size between 5MiB and 5GiB${problem ? ` (${problem})` : ""}${eg}`, (text) => {
        const size = parseByteSize(text);
        if (!("bytes" in size)) return size;
        return size.bytes >= MIN_PART_SIZE && size.bytes <= MAX_PART_SIZE ? size.bytes : undefined;
      });
    case "hex":
      return v.pipe(
        v.string(),
        v.transform((s) => s.trim().toLowerCase()),
        v.regex(/^[0-9a-f]{64}$/, `${label} must be ${flag.what} as 64 hex digits`),
      );
    case "switch":
      throw new Error(`--${flag.name} is a switch: it has no value rule`);
  }
}

/**
 * A text that `parse` turns into a value, or the message `${label} ${rule(problem)}`: `parse` answers undefined,
 * or what in particular is wrong with the text (a unit that is none), which the rule may say.
 */
function parsed(label: string, rule: (problem?: string) => string, parse: (text: string) => number | undefined | { problem: string }) {
  return v.pipe(
    v.string(),
    v.rawTransform<string, number>(({ dataset, addIssue, NEVER }) => {
      const value = parse(dataset.value);
      if (typeof value === "number") return value;
      addIssue({ message: `${label} ${rule(value?.problem)}` });
      return NEVER;
    }),
  );
}

/** What cac hands over for `flag` (an array of the texts typed, or a switch's boolean), validated. */
function flagSchema(flag: Flag, required: boolean): v.GenericSchema<unknown, unknown> {
  const label = `--${flag.name}`;
  if (flag.kind === "switch") {
    // cac gives `--no-x` as x = false, and x = true when it is not typed.
    return v.optional(v.boolean(`${label} takes no value`), flag.name.startsWith("no-"));
  }
  const schema = v.pipe(flagValue(label, flag.example, flag.hint), valueRule(flag, label, `, e.g. ${label} ${flag.example}`));
  return required ? schema : v.optional(schema);
}

/** The variable that gives `flag`'s default: unset or empty is no default. */
function variableSchema(flag: Flag & { env: string }): v.GenericSchema<unknown, unknown> {
  return optionalVar(flag.kind === "switch" ? booleanVar(flag.env) : valueRule(flag, flag.env, ""));
}

/**
 * Validate a command's flags, the variables of their defaults, and `variables`, all at once, so that one run
 * reports every problem; throws a UsageError. A flag not typed takes its variable's value; a switch is on when
 * either says so. `more` are problems found by rules across several inputs, reported with the rest.
 */
export function parseCommand<T extends FlagTable, R extends keyof T & string, E extends v.ObjectEntries>(
  command: Pick<CommandSpec<T>, "flags">,
  required: readonly R[],
  rawFlags: RawFlags,
  env: Env,
  variables: E,
  more: readonly string[] = [],
): [FlagValues<T, R>, VariablesOf<E>] {
  const table = Object.entries(command.flags);
  const flagsSchema = v.object(Object.fromEntries(table.map(([key, flag]) => [key, flagSchema(flag, (required as readonly string[]).includes(key))])));
  const defaults = table.flatMap(([key, flag]) => (flag.env === undefined ? [] : [[key, flag as Flag & { env: string }] as const]));
  const envSchema = v.object({ ...variables, ...Object.fromEntries(defaults.map(([, flag]) => [flag.env, variableSchema(flag)])) });
  const [flags, vars] = parseFlagsAndEnv(flagsSchema, rawFlags, envSchema, env, more);
  const values: Record<string, unknown> = { ...flags };
  for (const [key, flag] of defaults) {
    const fromEnv = (vars as Record<string, unknown>)[flag.env];
    values[key] = flag.kind === "switch" ? values[key] === true || fromEnv === true : (values[key] ?? fromEnv);
  }
  // valibot cannot type an object schema built from a table at run time; the entries above follow
  // FlagValues<T, R> key by key (flagSchema's value per kind and required-ness).
  return [values as FlagValues<T, R>, vars as VariablesOf<E>];
}
